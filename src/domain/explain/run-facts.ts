import type {Run, Step} from '../model/run.js'
import {stepLabel, stepSlot} from '../model/step-identity.js'
import {sortSteps} from '../model/step-order.js'
import type {ArgChange} from './evidence.js'
import {baseStageOf} from './dockerfile-template.js'
import {parseFrom, type StepMatch} from './match-steps.js'

export interface ExplainOptions {
  /** per target: the plan's no-cache flag and no-cache-filter stages */
  noCache?: Record<string, {all?: boolean; filters?: string[]}>
  /** per platform (or '' for all): what is known about the cache refs (from `cache inspect`) */
  cacheFacts?: Record<string, string[]>
  lastExecutedMs?: (step: Step) => number | undefined
  /**
   * 'missed': `steps` lists only the steps that were not hits (every verdict, root cause and
   * cascade is the same; hits, served-in-run counts and suspicious hits are left out): what a failing
   * gate prints its root causes from. Default 'all'.
   */
  stepsListed?: 'all' | 'missed'
}

/** Facts about a run and its baseline that verdict rules share, computed once per explanation. */
export interface RunFacts {
  readonly run: Run
  readonly baseline: Run | undefined
  readonly options: ExplainOptions
  /** build-arg differences from the runs' metadata files (empty unless both have them) */
  readonly argChanges: readonly ArgChange[]
  /** the baseline built this stage of this target (on some platform) */
  baselineHasStage(s: Step): boolean
  /** the baseline built this stage of this target on this step's platform */
  baselineHasPlatform(s: Step): boolean
  /** some step of this target and platform was served from cache (not in-run): its cache worked */
  platformHadHit(s: Step): boolean
  /** the FROM a baseline step descends from directly (its DAG input, else the first step of its stage) */
  baselineFromOf(baselineStep: Step): Step | undefined
  /** the digest the baseline's FROM of `ref` resolved to, for this step's target and platform */
  baselineFromDigest(s: Step, ref: string): string | undefined
  /** Dockerfile-step parents: DAG inputs when the stream has them, else the previous step of the stage */
  parentsOf(s: Step): Step[]
  /** the run's cache-import vertices that serve this step's target (its own and the untargeted ones) */
  cacheImportsFor(s: Step): Step[]
  /** the platforms the baseline built */
  baselinePlatforms(): string[]
  /** the run's cacheable steps in the one step order (sorted once per explanation) */
  cacheableInOrder(): readonly Step[]
  /** `[api linux/amd64 build 4/6] COPY …` for a step key */
  labelOfKey(key: string): string
  /** baseline steps no step of this run matched, directly before this baseline step in its stage */
  removedBefore(baselineStep: Step): Step[]
  /** a baseline step's key and label (`[api linux/amd64 build 3/6] RUN …`) */
  baselineKey(baselineStep: Step): string
  baselineLabel(baselineStep: Step): string
}

/** the instruction of a cache-import vertex, before its ref */
export const CACHE_IMPORT = 'importing cache manifest from '

const stageKey = (s: Step) => `${s.target ?? ''}|${s.stage ?? ''}`
const platformStageKey = (s: Step) => `${s.target ?? ''}|${s.stage ?? ''}|${s.platform ?? ''}`
const targetPlatformKey = (s: Step) => `${s.target ?? ''}|${s.platform ?? ''}`

export function runFacts(run: Run, baseline: Run | undefined, options: ExplainOptions, matches?: ReadonlyMap<Step, StepMatch>): RunFacts {
  // a digest's first step, and its first step per target: a FROM shared by every target of a bake
  // is one digest, and scanning its steps for each child would be targets × steps
  const firstByDigest = new Map<string, Step>()
  const firstByDigestTarget = new Map<string, Step>()
  for (const s of run.steps) {
    if (!firstByDigest.has(s.digest)) firstByDigest.set(s.digest, s)
    const k = `${s.digest}\u0000${s.target ?? ''}`
    if (!firstByDigestTarget.has(k)) firstByDigestTarget.set(k, s)
  }
  const stageSteps = new Map<string, Step[]>()
  const stageStepsKey = (s: Step) => `${s.target ?? ''}|${s.platform ?? ''}|${s.stage ?? ''}`
  for (const s of run.steps) {
    if (s.internal || s.index === undefined) continue
    let l = stageSteps.get(stageStepsKey(s))
    if (!l) stageSteps.set(stageStepsKey(s), (l = []))
    l.push(s)
  }
  const baselinePlatforms = new Set(baseline?.steps.map(platformStageKey))
  const baselineStages = new Set(baseline?.steps.map(stageKey))
  const platformHadHit = new Set(run.steps.filter((s) => s.cacheable && s.cached && !s.servedInRun).map(targetPlatformKey))
  const baselineFromDigest = new Map<string, string>()
  for (const b of baseline?.steps ?? []) {
    if (b.kind !== 'FROM') continue
    baselineFromDigest.set(`${targetPlatformKey(b)}|${parseFrom(b.instruction).ref}`, fromDigest(b) ?? '')
  }
  let ordered: Step[] | undefined
  let stepBySlot: Map<string, Step> | undefined
  const labelBySlot = new Map<string, string>()
  let cacheImports: Step[] | undefined
  const importsByTarget = new Map<string, Step[]>()
  let basePlatformList: string[] | undefined
  let baselineStageSteps: Map<string, Step[]> | undefined
  let matched: Set<Step> | undefined
  let baselineByDigest: Map<string, Step> | undefined

  return {
    run, baseline, options,
    argChanges: diffBuildArgs(run, baseline),
    baselineHasStage: (s) => baselineStages.has(stageKey(s)),
    baselineHasPlatform: (s) => baselinePlatforms.has(platformStageKey(s)),
    platformHadHit: (s) => platformHadHit.has(targetPlatformKey(s)),
    baselineFromDigest: (s, ref) => baselineFromDigest.get(`${targetPlatformKey(s)}|${ref}`),
    parentsOf(s) {
      const fromDag: Step[] = []
      for (const d of s.inputs) {
        const p = firstByDigestTarget.get(`${d}\u0000${s.target ?? ''}`) ?? firstByDigest.get(d)
        if (p && !p.internal) fromDag.push(p)
      }
      if (fromDag.length || s.inputs.length) return fromDag
      const list = stageSteps.get(stageStepsKey(s)) ?? []
      const prev = list.filter((p) => p.index! < s.index!).pop()
      if (prev) return [prev]
      // no dependency graph (a plain log): the Dockerfile, when recorded, says which stage this one is based on
      const dockerfile = run.metadata?.dockerfile?.text
      const baseStage = dockerfile ? baseStageOf(dockerfile, s.stage) : undefined
      const last = baseStage !== undefined ? stageSteps.get(stageStepsKey({...s, stage: baseStage}))?.reduce((a, b) => (b.index! > a.index! ? b : a)) : undefined
      return last ? [last] : []
    },
    cacheImportsFor(s) {
      // once per target, not once per step that asks (every cache-unavailable miss does)
      cacheImports ??= run.steps.filter((v) => v.internal && v.instruction.startsWith(CACHE_IMPORT))
      let list = importsByTarget.get(s.target ?? '')
      if (!list) importsByTarget.set(s.target ?? '', (list = cacheImports.filter((v) => v.target === s.target || !v.target)))
      return list
    },
    baselinePlatforms() {
      return (basePlatformList ??= [...new Set((baseline?.steps ?? []).map((b) => b.platform).filter((p): p is string => !!p))])
    },
    cacheableInOrder: () => (ordered ??= cacheableInOrder(run)),
    labelOfKey(key) {
      if (!stepBySlot) {
        // built once: a lookup per cascade step would be quadratic on big bakes; the label itself
        // only for the keys asked about (root causes), not for every step
        stepBySlot = new Map()
        for (const x of (ordered ??= cacheableInOrder(run))) {
          const slot = stepSlot(x)
          if (!stepBySlot.has(slot)) stepBySlot.set(slot, x)
        }
      }
      let label = labelBySlot.get(key)
      if (label === undefined) {
        const step = stepBySlot.get(key)
        labelBySlot.set(key, (label = step ? stepLabel(step) : key))
      }
      return label
    },
    removedBefore(b) {
      if (!baseline || !matches || b.index === undefined) return []
      matched ??= new Set([...matches.values()].map((m) => m.baseline))
      if (!baselineStageSteps) {
        baselineStageSteps = new Map()
        for (const s of baseline.steps) {
          if (s.internal || s.index === undefined || s.kind === 'FROM') continue
          let l = baselineStageSteps.get(stageStepsKey(s))
          if (!l) baselineStageSteps.set(stageStepsKey(s), (l = []))
          l.push(s)
        }
        for (const l of baselineStageSteps.values()) l.sort((x, y) => x.index! - y.index!)
      }
      const list = baselineStageSteps.get(stageStepsKey(b)) ?? []
      const out: Step[] = []
      for (let i = list.indexOf(b) - 1; i >= 0 && !matched.has(list[i]!); i--) out.unshift(list[i]!)
      return out
    },
    baselineFromOf(b) {
      if (!baseline) return undefined
      baselineByDigest ??= new Map(baseline.steps.map((s) => [s.digest, s]))
      const viaDag = b.inputs.map((d) => baselineByDigest!.get(d)).find((p) => p?.kind === 'FROM')
      if (viaDag || b.inputs.length) return viaDag
      return baseline.steps.find((s) => s.kind === 'FROM' && s.target === b.target && s.platform === b.platform && s.stage === b.stage)
    },
    baselineKey: (b) => stepSlot(b),
    baselineLabel: (b) => stepLabel(b),
  }
}

/** The run's cacheable steps in the one step order (model/step-order.ts): the explanation's order. */
export function cacheableInOrder(run: Run): Step[] {
  return sortSteps(run, run.steps.filter((s) => s.cacheable))
}

/**
 * The digest a FROM resolved to: in the vertex name when BuildKit pinned it (`FROM x@sha256:…`),
 * else the recorded base-image input (local engine images carry no digest in the name).
 */
export function fromDigest(step: Step): string | undefined {
  return parseFrom(step.instruction).digest ?? step.stepInputs?.components.find((c) => c.kind === 'base-image')?.value
}

/** Build-arg differences from the runs' metadata files (when both have them). */
function diffBuildArgs(run: Run, baseline: Run | undefined): ArgChange[] {
  const a = baseline?.metadata?.buildArgs
  const b = run.metadata?.buildArgs
  if (!a || !b) return []
  const out: ArgChange[] = []
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
