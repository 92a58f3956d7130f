import type {Run, Step} from '../model/run.js'
import {stepLabel, stepSlot} from '../model/step-identity.js'
import {neverRan} from '../model/step-state.js'
import {sortSteps} from '../model/step-order.js'
import {computeTotals} from '../model/totals.js'
import {matchSteps, type StepMatch} from './match-steps.js'
import {recordedChange, type RecordedChange} from './recorded-change.js'
import {stepWrittenAt} from './where-written.js'
import type {StepContext, StepVerdict} from './rule.js'
import {ADVICE, PRECEDENCE, WITHOUT_BASELINE, type Verdict} from './rules/index.js'
import {CACHE_IMPORT, runFacts, type ExplainOptions, type RunFacts} from './run-facts.js'
import type {Explanation, RootCause, StepExplanation} from './types.js'

export type {ExplainOptions}

/**
 * Explains every missed cacheable step of `run` against `baseline` (docs/architecture.md,
 * "Verdicts"): exactly one verdict each — the first rule of `PRECEDENCE` that decides — with
 * evidence and advice; root causes apart from cascades.
 */
export function explainRun(run: Run, baseline: Run | undefined, options: ExplainOptions = {}): Explanation {
  const matches = baseline ? matchSteps(run.steps, baseline.steps) : new Map<Step, StepMatch>()
  const facts = runFacts(run, baseline, options, matches)
  const memo = new Map<Step, StepVerdict<Verdict> | undefined>()
  const visiting = new Set<Step>()

  const verdictOf = (s: Step): StepVerdict<Verdict> | undefined => {
    if (memo.has(s)) return memo.get(s)
    if (visiting.has(s)) return undefined
    visiting.add(s)
    const result = decide(stepContext(s, matches.get(s), facts, verdictOf))
    visiting.delete(s)
    memo.set(s, result)
    return result
  }

  const steps: StepExplanation[] = []
  const missedOnly = options.stepsListed === 'missed'
  for (const s of facts.cacheableInOrder()) {
    // (a hit never has a verdict: decide() leaves cached steps out)
    if (missedOnly && s.cached) continue
    const v = verdictOf(s)
    const match = matches.get(s)
    const e: StepExplanation = {
      key: stepSlot(s),
      target: s.target,
      platform: s.platform,
      stage: s.stage,
      index: s.index,
      total: s.total,
      instruction: s.instruction,
      cached: s.cached,
      servedInRun: s.servedInRun,
      durationMs: s.durationMs,
      root: v?.root ?? false,
      logTail: s.logTail,
      ...writtenAtFields(s, run),
    }
    if (s.provenance?.location) e.location = s.provenance.location
    if (s.provenance) e.definition = s.provenance.definition
    if (s.error) e.error = s.error
    if (neverRan(s)) e.notRun = true
    if (match) e.baselineKey = stepSlot(match.baseline)
    if (v) {
      e.verdict = v.verdict
      e.rootCause = v.rootKey
      e.evidence = v.evidence
      const advice = ADVICE[v.verdict](s, v.evidence)
      if (advice) e.advice = withEvidence(advice, v.evidence)
    }
    if (s.cached && !s.servedInRun && match) {
      const changed = recordedChange(s, match.baseline)
      if (changed) e.suspiciousHit = `hit although its recorded inputs changed: ${changed.evidence.summary}`
    }
    steps.push(e)
  }

  const notes: string[] = []
  const served = steps.filter((s) => s.servedInRun).length
  if (served) notes.push(`${served} step(s) were served in-run by a sibling bake target that executed the same work earlier in this run: not counted as cache hits.`)
  const suspicious = steps.filter((s) => s.suspiciousHit).length
  if (suspicious) notes.push(`${suspicious} step(s) hit the cache although their recorded inputs changed.`)
  for (const cut of run.cutByLimits ?? []) notes.push(`this run was cut by a limit: ${cut}.`)
  // a failed cache import is the evidence of every miss that cache could have served: say it even when no verdict names it
  for (const imp of run.steps.filter((v) => v.internal && v.error && v.instruction.startsWith(CACHE_IMPORT))) {
    notes.push(`${imp.target ? `[${imp.target}] ` : ''}importing cache from ${imp.instruction.slice(CACHE_IMPORT.length)} failed: ${imp.error} — nothing in this run came from that cache.`)
  }

  return {
    run: {id: run.id, targets: run.targets, platforms: run.platforms, status: run.status, durationMs: run.durationMs, createdAt: run.createdAt},
    baseline: baseline ? {id: baseline.id, targets: baseline.targets, platforms: baseline.platforms, createdAt: baseline.createdAt} : undefined,
    totals: computeTotals(run.steps, options.lastExecutedMs),
    rootCauses: rootCausesOf(steps),
    steps,
    removedSteps: removedSteps(run, baseline, matches),
    notes,
    ...(baseline ? {} : {firstRun: firstRunGroups(steps)}),
  }
}

/** The explanation's fields for where a step is written (where-written.ts decides). */
function writtenAtFields(s: Step, run: Run): Pick<StepExplanation, 'dockerfileLine' | 'dockerfile'> {
  const at = stepWrittenAt(s, run)
  return at ? {dockerfileLine: at.line, dockerfile: at.file} : {}
}

/** Per target × platform (in step order): how many cacheable steps a run without a baseline executed. */
function firstRunGroups(steps: readonly StepExplanation[]): NonNullable<Explanation['firstRun']> {
  const groups = new Map<string, NonNullable<Explanation['firstRun']>[number]>()
  for (const s of steps) {
    const key = `${s.target ?? ''}\u0000${s.platform ?? ''}`
    let g = groups.get(key)
    if (!g) groups.set(key, (g = {target: s.target, platform: s.platform, executed: 0, cacheable: 0}))
    g.cacheable++
    if (!s.cached && !s.notRun) g.executed++
  }
  return [...groups.values()]
}

/** Hits, steps that never ran and non-cacheable steps need no verdict; a miss gets the first rule's that decides. */
function decide(ctx: StepContext): StepVerdict<Verdict> | undefined {
  const {step} = ctx
  if (!step.cacheable || step.cached || neverRan(step)) return undefined
  // the first recorded run has nothing to compare with: only what a step itself did (failed,
  // no-cache) is a verdict; its other misses are summed up in `firstRun`, not blamed as new
  const rules = ctx.facts.baseline ? PRECEDENCE : WITHOUT_BASELINE
  // (an index loop: this runs once per rule per missed step, mostly before V8 has compiled it)
  for (let i = 0; i < rules.length; i++) {
    const d = rules[i]!.decide(ctx)
    if (d) return {...d, root: d.evidence.root === undefined, rootKey: d.evidence.root ?? stepSlot(step)}
  }
  return undefined
}

function stepContext(step: Step, match: StepMatch | undefined, facts: RunFacts, verdictOf: (s: Step) => StepVerdict | undefined): StepContext {
  return new LazyStepContext(step, match, facts, verdictOf)
}

/**
 * A class, not an object literal with getters: a literal's accessors are made anew for every missed
 * step (thousands per explanation), a class's once.
 */
class LazyStepContext implements StepContext {
  private parentSteps: Step[] | undefined
  private recordedChange: {value: RecordedChange | undefined} | undefined

  constructor(
    readonly step: Step,
    readonly match: StepMatch | undefined,
    readonly facts: RunFacts,
    readonly verdictOf: (s: Step) => StepVerdict | undefined,
  ) {}

  get parents(): Step[] {
    return (this.parentSteps ??= this.facts.parentsOf(this.step))
  }

  get recorded(): RecordedChange | undefined {
    return (this.recordedChange ??= {value: this.match ? recordedChange(this.step, this.match.baseline) : undefined}).value
  }
}

/** Root causes with what each invalidated (itself and its cascades), most seconds first. */
function rootCausesOf(steps: StepExplanation[]): RootCause[] {
  const rootCauses: RootCause[] = []
  const cascadesOf = new Map<string, StepExplanation[]>()
  for (const d of steps) {
    const rootKey = d.evidence?.root
    if (!rootKey) continue
    let cascade = cascadesOf.get(rootKey)
    if (!cascade) cascadesOf.set(rootKey, (cascade = []))
    cascade.push(d)
  }
  const byKey = new Map(steps.map((e) => [e.key, e]))
  for (const e of steps) {
    if (!e.root || !e.verdict) continue
    const descendants = [e, ...(cascadesOf.get(e.key) ?? [])]
    const ms = descendants.reduce((sum, d) => sum + d.durationMs, 0)
    e.invalidated = {steps: descendants.length, ms}
    rootCauses.push({
      key: e.key, verdict: e.verdict, label: stepLabel(byKey.get(e.key)!), summary: e.evidence?.summary ?? '',
      advice: e.advice, invalidatedSteps: descendants.length, invalidatedMs: ms,
      ...(e.dockerfileLine !== undefined ? {dockerfile: {file: e.dockerfile ?? 'Dockerfile', line: e.dockerfileLine}} : {}),
    })
  }
  return rootCauses.sort((a, b) => b.invalidatedMs - a.invalidatedMs || b.invalidatedSteps - a.invalidatedSteps)
}

/** Baseline Dockerfile steps no step of this run matched, of the targets and platforms this run built. */
function removedSteps(run: Run, baseline: Run | undefined, matches: Map<Step, StepMatch>): Explanation['removedSteps'] {
  if (!baseline) return []
  const matched = new Set([...matches.values()].map((m) => m.baseline))
  const built = new Set(run.steps.filter((s) => !s.internal).map((s) => `${s.target ?? ''}|${s.platform ?? ''}`))
  return sortSteps(baseline, baseline.steps.filter((b) => b.cacheable && !matched.has(b) && b.index !== undefined && built.has(`${b.target ?? ''}|${b.platform ?? ''}`)))
    .map((b) => ({key: stepSlot(b), instruction: b.instruction, label: stepLabel(b)}))
}

/** Every advice line names the evidence it rests on: the rule's own words, else the verdict's summary. */
function withEvidence(advice: string, evidence: {summary: string}): string {
  if (advice.includes('(evidence: ')) return advice
  const summary = evidence.summary.length > 160 ? `${evidence.summary.slice(0, 159)}…` : evidence.summary
  return `${advice.replace(/\.$/, '')} (evidence: ${summary}).`
}
