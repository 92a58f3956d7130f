import {diffWordsWithSpace} from 'diff'
import type {InputComponent, Run, Step} from '../model/run.js'
import {stepLabel, stepSlot} from '../model/step-identity.js'
import {computeTotals} from '../model/totals.js'
import {adviceFor} from './advice.js'
import {matchSteps, parseFrom, type StepMatch} from './match-steps.js'
import type {Evidence, Explanation, RootCause, StepExplanation, Verdict} from './types.js'

export interface ExplainOptions {
  /** per target: the plan's no-cache flag and no-cache-filter stages */
  noCache?: Record<string, {all?: boolean; filters?: string[]}>
  /** per platform (or '' for all): what is known about the cache refs (from `cache inspect`) */
  cacheFacts?: Record<string, string[]>
  lastExecutedMs?: (step: Step) => number | undefined
}

interface Verdicted {
  verdict: Verdict
  root: boolean
  evidence: Evidence
  rootKey: string
}

const isCancel = (e: string) => /context canceled|cancel/i.test(e)

/**
 * Explains every missed cacheable step of `run` against `baseline` (design.md §4): exactly one
 * verdict each, with evidence and advice; root causes apart from cascades.
 *
 * Precedence (first that applies): failed → no-cache → new-step / platform-changed → a missed
 * parent makes it `upstream-invalidated` (its own changes are still listed as evidence) →
 * instruction-changed → base-image-changed (its FROM moved) → recorded inputs (arg-changed,
 * context-changed) → what the events show (args from the metadata file, a context COPY on a platform
 * whose cache demonstrably worked) → cache-unavailable.
 */
export function explainRun(run: Run, baseline: Run | undefined, options: ExplainOptions = {}): Explanation {
  const matches = baseline ? matchSteps(run.steps, baseline.steps) : new Map<Step, StepMatch>()
  const byDigest = new Map<string, Step[]>()
  for (const s of run.steps) {
    let l = byDigest.get(s.digest)
    if (!l) byDigest.set(s.digest, (l = []))
    l.push(s)
  }
  const stageSteps = new Map<string, Step[]>()
  for (const s of run.steps) {
    if (s.internal || s.index === undefined) continue
    const k = `${s.target ?? ''}|${s.platform ?? ''}|${s.stage ?? ''}`
    let l = stageSteps.get(k)
    if (!l) stageSteps.set(k, (l = []))
    l.push(s)
  }

  /** Dockerfile-step parents: DAG inputs when the stream has them, else the previous step of the stage. */
  const parentsOf = (s: Step): Step[] => {
    const fromDag = s.inputs.flatMap((d) => {
      const c = byDigest.get(d) ?? []
      const same = c.filter((p) => p.target === s.target)
      return (same.length ? same : c).slice(0, 1)
    }).filter((p) => !p.internal)
    if (fromDag.length || s.inputs.length) return fromDag
    const list = stageSteps.get(`${s.target ?? ''}|${s.platform ?? ''}|${s.stage ?? ''}`) ?? []
    const prev = list.filter((p) => p.index! < s.index!).pop()
    return prev ? [prev] : []
  }

  const baselinePlatforms = new Set(baseline?.steps.map((s) => `${s.target ?? ''}|${s.stage ?? ''}|${s.platform ?? ''}`))
  const baselineStages = new Set(baseline?.steps.map((s) => `${s.target ?? ''}|${s.stage ?? ''}`))
  const platformHadHit = new Set(run.steps.filter((s) => s.cacheable && s.cached && !s.servedInRun).map((s) => `${s.target ?? ''}|${s.platform ?? ''}`))
  const argChanges = diffBuildArgs(run, baseline)
  const baselineFromDigest = new Map<string, string>()
  for (const b of baseline?.steps ?? []) {
    if (b.kind !== 'FROM') continue
    baselineFromDigest.set(`${b.target ?? ''}|${b.platform ?? ''}|${parseFrom(b.instruction).ref}`, fromDigest(b) ?? '')
  }

  const memo = new Map<Step, Verdicted | null>()
  const visiting = new Set<Step>()

  const verdictOf = (s: Step): Verdicted | null => {
    if (memo.has(s)) return memo.get(s)!
    if (visiting.has(s)) return null
    visiting.add(s)
    const result = decide(s)
    visiting.delete(s)
    memo.set(s, result)
    return result
  }

  const root = (s: Step, verdict: Verdict, evidence: Evidence): Verdicted => ({verdict, root: true, evidence, rootKey: stepSlot(s)})

  const decide = (s: Step): Verdicted | null => {
    if (!s.cacheable) return null
    if (s.cached) return null // hits (and served-in-run) need no verdict
    if (s.error && !isCancel(s.error)) {
      return root(s, 'failed', {summary: `failed: ${s.error}`, error: {message: s.error, logTail: s.logTail.slice(-10)}})
    }
    const nc = options.noCache?.[s.target ?? ''] ?? options.noCache?.['']
    if (nc && (nc.all || (s.stage && nc.filters?.includes(s.stage)))) {
      return root(s, 'no-cache', {summary: nc.all ? 'the plan sets no-cache' : `the plan's no-cache-filter names stage ${s.stage}`})
    }
    const match = matches.get(s)
    if (!match) {
      if (baseline && baselineStages.has(`${s.target ?? ''}|${s.stage ?? ''}`) && !baselinePlatforms.has(`${s.target ?? ''}|${s.stage ?? ''}|${s.platform ?? ''}`)) {
        const basePlatforms = [...new Set(baseline.steps.map((b) => b.platform).filter((p): p is string => !!p))]
        return root(s, 'platform-changed', {summary: `the baseline did not build ${s.platform ?? 'this platform'}`, platforms: {run: run.platforms, baseline: basePlatforms}})
      }
      return root(s, 'new-step', {summary: baseline ? 'no matching step in the baseline' : 'no baseline run to compare with', missing: baseline ? undefined : ['baseline run']})
    }
    const b = match.baseline
    const ownChanges = ownInputChanges(s, b)

    // a missed parent explains this miss: a cascade
    const parents = parentsOf(s)
    for (const p of parents) {
      if (p.kind === 'FROM' || !p.cacheable) continue
      const pv = verdictOf(p)
      if (pv) {
        const rootKey = pv.rootKey
        return {
          verdict: 'upstream-invalidated', root: false, rootKey,
          evidence: {summary: `invalidated by ${labelOfKey(rootKey)}${ownChanges.length ? `; its own inputs changed too: ${ownChanges.map((c) => c.summary).join('; ')}` : ''}`, root: rootKey},
        }
      }
    }
    if (match.kind === 'changed') {
      // recorded inputs know when the text changed because an ARG's value did
      const recordedArg = recordedChange(s, b)
      if (recordedArg?.verdict === 'arg-changed') {
        return root(s, 'arg-changed', {...recordedArg.evidence, instruction: {old: b.instruction, new: s.instruction, diff: wordDiff(b.instruction, s.instruction)}})
      }
      // ARG values are expanded into vertex names: a text change that is exactly a changed build
      // arg's new value is that arg changing, not an edit of the Dockerfile
      const viaArg = argChanges.filter((a) => !a.secret && a.new !== undefined && s.instruction.includes(a.new) && !b.instruction.includes(a.new))
      if (viaArg.length) {
        const args = viaArg.map((a) => ({...a, old: a.old ?? removedWord(b.instruction, s.instruction)}))
        return root(s, 'arg-changed', {summary: args.map(fmtArg).join(', '), args, instruction: {old: b.instruction, new: s.instruction, diff: wordDiff(b.instruction, s.instruction)}})
      }
      return root(s, 'instruction-changed', {
        summary: `instruction changed: ${b.instruction} → ${s.instruction}`,
        instruction: {old: b.instruction, new: s.instruction, diff: wordDiff(b.instruction, s.instruction)},
      })
    }
    const from = parents.find((p) => p.kind === 'FROM')
    if (from) {
      // BuildKit announces a FROM shared by several stages under one stage's name only, and not
      // always the same one: compare by (target, platform, image ref), not by step slot.
      const ref = parseFrom(from.instruction).ref
      const now = fromDigest(from)
      const was = baselineFromDigest.get(`${s.target ?? ''}|${s.platform ?? ''}|${ref}`)
      if (was && now && now !== was) {
        return root(s, 'base-image-changed', {summary: `${ref}: ${was} → ${now}`, baseImage: {ref, old: was, new: now}})
      }
    }
    // recorded inputs (engine driver / --context) decide exactly
    const recorded = recordedChange(s, b)
    if (recorded) return root(s, recorded.verdict, recorded.evidence)

    const missing: string[] = []
    if (!s.stepInputs || !b.stepInputs) missing.push('step inputs were not recorded (ingested from events only): file hashes and unused ARG values are unknown')
    if (s.kind === 'RUN' && argChanges.length) {
      return root(s, 'arg-changed', {
        summary: argChanges.map(fmtArg).join(', '),
        args: argChanges,
        missing: ['which ARGs this stage declares (no Dockerfile recorded): every changed build arg is listed'],
      })
    }
    const contextCopy = (s.kind === 'COPY' || s.kind === 'ADD') && !/--from=/.test(s.instruction)
    if (contextCopy && platformHadHit.has(`${s.target ?? ''}|${s.platform ?? ''}`)) {
      return root(s, 'context-changed', {
        summary: `source files of \`${s.instruction}\` changed (its instruction and parents did not, and this platform's cache served earlier steps)`,
        missing,
      })
    }
    const reasons = cacheReasons(run, s, options)
    return root(s, 'cache-unavailable', {
      summary: `nothing it depends on changed${from ? ` (base ${parseFrom(from.instruction).digest?.slice(0, 19) ?? 'unchanged'})` : ''}, yet it missed: the cache could not serve it`,
      cache: {reasons},
      missing,
    })
  }

  const steps: StepExplanation[] = []
  const ordered = run.steps.filter((s) => s.cacheable).sort(stepOrder)
  let labelBySlot: Map<string, string> | undefined
  for (const s of ordered) {
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
      dockerfileLine: s.stepInputs?.line,
    }
    if (s.error) e.error = s.error
    if (match) e.baselineKey = stepSlot(match.baseline)
    if (v) {
      e.verdict = v.verdict
      e.rootCause = v.rootKey
      e.evidence = v.evidence
      const advice = adviceFor(v.verdict, s, v.evidence)
      if (advice) e.advice = advice
    }
    if (s.cached && !s.servedInRun && match) {
      const changed = recordedChange(s, match.baseline)
      if (changed) e.suspiciousHit = `hit although its recorded inputs changed: ${changed.evidence.summary}`
    }
    steps.push(e)
  }

  // root causes: count what each invalidated
  const rootCauses: RootCause[] = []
  const byKey = new Map(steps.map((e) => [e.key, e]))
  const cascadesOf = new Map<string, StepExplanation[]>()
  for (const d of steps) {
    const rootKey = d.evidence?.root
    if (rootKey) cascadesOf.set(rootKey, [...(cascadesOf.get(rootKey) ?? []), d])
  }
  for (const e of steps) {
    if (!e.root || !e.verdict) continue
    const descendants = [e, ...(cascadesOf.get(e.key) ?? [])]
    const ms = descendants.reduce((sum, d) => sum + d.durationMs, 0)
    e.invalidated = {steps: descendants.length, ms}
    rootCauses.push({
      key: e.key, verdict: e.verdict, label: labelOf(byKey.get(e.key)!), summary: e.evidence?.summary ?? '',
      advice: e.advice, invalidatedSteps: descendants.length, invalidatedMs: ms,
    })
  }
  rootCauses.sort((a, b) => b.invalidatedMs - a.invalidatedMs || b.invalidatedSteps - a.invalidatedSteps)

  const removed: {key: string; instruction: string}[] = []
  if (baseline) {
    const matched = new Set([...matches.values()].map((m) => m.baseline))
    for (const b of baseline.steps) {
      if (b.cacheable && !matched.has(b) && b.index !== undefined) removed.push({key: stepSlot(b), instruction: b.instruction})
    }
  }
  const notes: string[] = []
  if (!baseline) notes.push('No baseline run: every miss is reported as new. Record another run of the same targets, or pass --against RUN.')
  const served = steps.filter((s) => s.servedInRun).length
  if (served) notes.push(`${served} step(s) were served in-run by a sibling bake target that executed the same work earlier in this run: not counted as cache hits.`)
  const suspicious = steps.filter((s) => s.suspiciousHit).length
  if (suspicious) notes.push(`${suspicious} step(s) hit the cache although their recorded inputs changed.`)

  return {
    run: {id: run.id, targets: run.targets, platforms: run.platforms, status: run.status, durationMs: run.durationMs, createdAt: run.createdAt},
    baseline: baseline ? {id: baseline.id, targets: baseline.targets, platforms: baseline.platforms, createdAt: baseline.createdAt} : undefined,
    totals: computeTotals(run.steps, options.lastExecutedMs),
    rootCauses,
    steps,
    removedSteps: removed,
    notes,
  }

  function labelOfKey(key: string): string {
    if (!labelBySlot) {
      // built once: a lookup per cascade step would be quadratic on big bakes
      labelBySlot = new Map()
      for (const x of ordered) {
        const slot = stepSlot(x)
        if (!labelBySlot.has(slot)) labelBySlot.set(slot, stepLabel(x))
      }
    }
    return labelBySlot.get(key) ?? key
  }
}

/**
 * The digest a FROM resolved to: in the vertex name when BuildKit pinned it (`FROM x@sha256:…`),
 * else the recorded base-image input (local engine images carry no digest in the name).
 */
function fromDigest(step: Step): string | undefined {
  return parseFrom(step.instruction).digest ?? step.stepInputs?.components.find((c) => c.kind === 'base-image')?.value
}

function labelOf(e: StepExplanation): string {
  const parts = [e.target, e.platform, e.stage, e.index !== undefined ? `${e.index}/${e.total ?? '?'}` : undefined].filter(Boolean)
  return `[${parts.join(' ')}] ${e.instruction}`
}

function stepOrder(a: Step, b: Step): number {
  return (a.target ?? '').localeCompare(b.target ?? '') || (a.platform ?? '').localeCompare(b.platform ?? '') || (a.stage ?? '').localeCompare(b.stage ?? '') || (a.index ?? 0) - (b.index ?? 0)
}

/** The words of `a` that `b` replaced (the old value of an expanded ARG when no metadata told it). */
function removedWord(a: string, b: string): string | undefined {
  const removed = diffWordsWithSpace(a, b).filter((p) => p.removed).map((p) => p.value.trim()).join(' ')
  return removed ? `${removed} (default)` : undefined
}

function wordDiff(a: string, b: string): string {
  return diffWordsWithSpace(a, b).map((p) => (p.added ? `{+${p.value}+}` : p.removed ? `[-${p.value}-]` : p.value)).join('')
}

const fmtArg = (a: {name: string; old?: string; new?: string; secret?: boolean}) =>
  a.secret ? `${a.name}: changed` : `${a.name}: ${a.old ?? '(unset)'} → ${a.new ?? '(unset)'}`

/** Build-arg differences from the runs' metadata files (when both have them). */
function diffBuildArgs(run: Run, baseline: Run | undefined): NonNullable<Evidence['args']> {
  const a = baseline?.metadata?.buildArgs
  const b = run.metadata?.buildArgs
  if (!a || !b) return []
  const out: NonNullable<Evidence['args']> = []
  const targets = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const t of targets) {
    const oldArgs = a[t] ?? {}
    const newArgs = b[t] ?? {}
    for (const name of new Set([...Object.keys(oldArgs), ...Object.keys(newArgs)])) {
      const o = oldArgs[name]
      const n = newArgs[name]
      if (o === n) continue
      const secret = (o ?? '').startsWith('secret:') || (n ?? '').startsWith('secret:')
      out.push(secret ? {name, secret: true} : {name, old: o, new: n})
    }
  }
  return out
}

interface OwnChange {
  summary: string
}

function ownInputChanges(s: Step, b: Step): OwnChange[] {
  const out: OwnChange[] = []
  if (s.instruction !== b.instruction && s.kind !== 'FROM') out.push({summary: `instruction ${b.instruction} → ${s.instruction}`})
  const r = recordedChange(s, b)
  if (r) out.push({summary: r.evidence.summary})
  return out
}

/** Compare recorded components (design.md §3) of two matched steps. */
function recordedChange(s: Step, b: Step): {verdict: Verdict; evidence: Evidence} | undefined {
  if (!s.stepInputs || !b.stepInputs) return undefined
  if (s.stepInputs.fingerprint === b.stepInputs.fingerprint) return undefined
  const index = (cs: InputComponent[]) => new Map(cs.map((c) => [`${c.kind}\u0000${c.name}`, c]))
  const now = index(s.stepInputs.components)
  const was = index(b.stepInputs.components)
  const files: NonNullable<Evidence['files']> = []
  const args: NonNullable<Evidence['args']> = []
  let baseImage: Evidence['baseImage']
  for (const key of new Set([...now.keys(), ...was.keys()])) {
    const n = now.get(key)
    const o = was.get(key)
    if (n?.value === o?.value) continue
    const c = (n ?? o)!
    if (c.kind === 'file') files.push({path: c.name, change: !o ? 'added' : !n ? 'removed' : 'modified'})
    else if (c.kind === 'arg' || c.kind === 'env') {
      const secret = n?.secret || o?.secret
      args.push(secret ? {name: c.name, secret: true} : {name: c.name, old: o?.value, new: n?.value})
    } else if (c.kind === 'base-image') baseImage = {ref: c.name, old: o?.value, new: n?.value}
  }
  files.sort((x, y) => x.path.localeCompare(y.path))
  if (baseImage) return {verdict: 'base-image-changed', evidence: {summary: `${baseImage.ref}: ${baseImage.old ?? '?'} → ${baseImage.new ?? '?'}`, baseImage}}
  if (args.length) return {verdict: 'arg-changed', evidence: {summary: args.map(fmtArg).join(', '), args}}
  if (files.length) {
    return {verdict: 'context-changed', evidence: {summary: files.map((f) => `${f.change} ${f.path}`).join(', '), files}}
  }
  return undefined
}

/** What the run's own events say about the cache it could use. */
function cacheReasons(run: Run, s: Step, options: ExplainOptions): string[] {
  const reasons: string[] = []
  const imports = run.steps.filter((v) => v.internal && /^importing cache manifest from /.test(v.instruction) && (v.target === s.target || !v.target))
  if (imports.length === 0) reasons.push('no cache import in this run (cache-from not configured, or only the local builder cache was available)')
  for (const imp of imports) {
    const ref = imp.instruction.replace(/^importing cache manifest from /, '')
    if (imp.error) reasons.push(`importing cache from ${ref} failed: ${imp.error}`)
    else reasons.push(`cache imported from ${ref}, but it held no record for this step on ${s.platform ?? 'this platform'} (a per-arch overwrite of a shared ref, or mode=min, are the usual causes)`)
  }
  for (const fact of [...(options.cacheFacts?.[s.platform ?? ''] ?? []), ...(options.cacheFacts?.[''] ?? [])]) reasons.push(fact)
  return reasons
}
