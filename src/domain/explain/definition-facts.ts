import type {Run, Step} from '../model/run.js'
import {stepLabel} from '../model/step-identity.js'
import {changeText, compareDefinitions, sameBesidesPlatform} from '../provenance/compare.js'
import type {StepLocation} from '../provenance/types.js'

/**
 * What the builder's own record (SLSA provenance, `Step.provenance`) lets the verdict rules prove.
 * A definition holds no file content: a step that reads the build context (COPY/ADD from it, a RUN
 * that mounts it) is only known unchanged with evidence about that content.
 */

/** `Dockerfile:12` (or `Dockerfile:12-14`) of a step with a definition. */
export function locationOf(step: Step): string | undefined {
  const l: StepLocation | undefined = step.provenance?.location
  return l ? `${l.file}:${l.startLine}${l.endLine > l.startLine ? `-${l.endLine}` : ''}` : undefined
}

/** ` (Dockerfile:12)` or '' */
export const atLine = (step: Step): string => {
  const l = locationOf(step)
  return l ? ` (${l})` : ''
}

/** `r7` or `the baseline` */
export const baselineName = (baseline: Run | undefined): string => (baseline?.id ? baseline.id : 'the baseline')

const stepsByDigest = new WeakMap<Run, Map<string, Step[]>>()

/** The run's steps by vertex digest, built once per run. */
export function byDigest(run: Run): Map<string, Step[]> {
  let m = stepsByDigest.get(run)
  if (!m) {
    m = new Map()
    for (const s of run.steps) {
      let l = m.get(s.digest)
      if (!l) m.set(s.digest, (l = []))
      l.push(s)
    }
    stepsByDigest.set(run, m)
  }
  return m
}

/** The parent steps of a step with a definition (through digestMapping), in input order. */
export function definitionParents(step: Step, run: Run): Step[] {
  const index = byDigest(run)
  return (step.provenance?.parents ?? []).map((d) => index.get(d)?.find((p) => p.provenance) ?? index.get(d)?.[0]).filter((p): p is Step => p !== undefined)
}

/** The step and its ancestors that read the build context directly. */
export function contextReaders(step: Step, run: Run): Step[] {
  const out: Step[] = []
  const seen = new Set<Step>()
  const stack = [step]
  while (stack.length) {
    const s = stack.pop()!
    if (seen.has(s)) continue
    seen.add(s)
    if (!s.provenance?.readsContext) continue
    if (s.provenance.definition.inputs.includes('context')) out.push(s)
    stack.push(...definitionParents(s, run))
  }
  return out
}

/**
 * Evidence that a context-reading step saw content the cache knew, or undefined: it hit in this
 * run, or its twin on another platform of the same build (same definition, same context transfer) hit.
 */
export function contextContentEvidence(reader: Step, run: Run): string | undefined {
  if (reader.cached && !reader.servedInRun) return `${stepLabel(reader)} hit`
  const def = reader.provenance?.definition
  if (!def) return undefined
  const twin = run.steps.find((t) => t !== reader && t.cached && !t.servedInRun && t.platform !== reader.platform && t.target === reader.target && t.stage === reader.stage && t.index === reader.index && t.provenance && sameBesidesPlatform(t.provenance.definition, def))
  return twin ? `the same copy of the build context hit on ${twin.platform} in this build` : undefined
}

/** The steps of the run with a definition that hit, for "the cache served N steps" evidence. */
export function servedStepsOnPlatform(step: Step, run: Run): number {
  return run.steps.filter((s) => s.cacheable && s.cached && !s.servedInRun && s.target === step.target && s.platform === step.platform).length
}

/** What the step's own definition changed against its baseline match (`BUILD_MODE: release → debug (Dockerfile:12)`), when both have one. */
export function definitionChanges(step: Step, baseline: Step | undefined): string[] {
  const now = step.provenance
  const was = baseline?.provenance
  if (!now || !was || now.hash === was.hash) return []
  const changes = compareDefinitions(was.definition, now.definition)
  return changes.length ? [`${changes.map(changeText).join('; ')}${atLine(step)}`] : []
}
