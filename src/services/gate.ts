import type {IndexStore, RunSummary} from '../adapters/db/index-store.js'
import type {Explanation} from '../domain/explain/types.js'
import {isBaselineRef} from '../domain/gate/config.js'
import {defaultPlatformOf, evaluateGate, groupTotals} from '../domain/gate/evaluate.js'
import {THRESHOLDS, THRESHOLD_NAMES, thresholdNamed, thresholdsNeeding} from '../domain/gate/rule-registry.js'
import {FLAG_NAMES, hasAnyThreshold, isSetAnywhere, parsePercent, resolveSettings, type GateFlagValues} from '../domain/gate/settings.js'
import {GATE_SCOPES, type GateBaseline, type GateGroup, type GateResult, type GateRootCause, type GateScope, type GateSettings, type RuleResult, type ThresholdName} from '../domain/gate/types.js'
import type {Run, RunTotals, Step} from '../domain/model/run.js'
import {UsageError} from '../errors.js'
import {explanationVersion} from './explanation-version.js'

export type {GateResult} from '../domain/gate/types.js'

/** `explainRun` from ./explain.js, or a stand-in (tests). */
export type GateExplainFn = (options: {db: string; cwd: string; run: string; against?: string}) => Promise<Explanation>

/** Rule values as flags give them: percentages as numbers or text (`80`, `80%`). */
export type GateRuleInput = {[N in ThresholdName]?: number | string} & {
  /** `r12`, `latest~1`, `branch:main` */
  baseline?: string
  per?: string[]
  allowEmpty?: boolean
  allowMissingBaseline?: boolean
}

export interface GateOptions {
  /** --db (default: .bakedoctor/index.db in cwd) */
  db?: string
  /** where relative paths resolve and the config search starts */
  cwd: string
  /** run ref: `latest` (default), `latest~1`, `r12` */
  run?: string
  rules?: GateRuleInput
  /** gate only this target's / platform's steps */
  target?: string
  platform?: string
  /** --config FILE; otherwise the nearest bakedoctor.config.json / package.json "bakedoctor" key */
  config?: string
  /** false: ignore config files (flags only) */
  useConfig?: boolean
  /** how to explain the misses of a failing run (default: the explain service, imported lazily) */
  explain?: GateExplainFn
  /** how many root causes a failing report lists (default 5) */
  maxRootCauses?: number
}

/**
 * `bakedoctor gate`: checks a recorded run against hit-rate rules (overall, per target, per
 * platform, per target × platform), a time-weighted rate and a baseline-relative drop; for a
 * failing run adds the top root causes from the explanation. Returns the typed result; the
 * command decides the exit code (0 pass, 1 fail) and presents it.
 */
export async function runGate(options: GateOptions): Promise<GateResult> {
  const flags = parseRuleInput(options.rules ?? {})
  let config
  if (options.useConfig !== false) {
    const {loadGateConfig} = await import('../adapters/config/load-config.js')
    config = await loadGateConfig({cwd: options.cwd, file: options.config})
  }
  const settings = resolveSettings(flags, config)
  if (!hasAnyThreshold(settings)) {
    throw new UsageError('the gate has nothing to check: no threshold was given', {
      fix: `pass ${thresholdFlagsText()}, or set "gate": {"${THRESHOLDS[0]!.name}": N} in bakedoctor.config.json${config ? ` (found ${config.file}, which sets no threshold)` : ''}`,
    })
  }
  const wantsDrop = anyDrop(settings)
  if (settings.baseline && !wantsDrop) {
    throw new UsageError('a baseline was given but no --max-drop: there is nothing to compare', {fix: 'add --max-drop N (percentage points the hit rate may fall below the baseline\'s), or drop --baseline'})
  }

  const [{IndexStore}, {resolveDbPath}] = await Promise.all([import('../adapters/db/index-store.js'), import('../adapters/db/open.js')])
  const dbPath = resolveDbPath({db: options.db, cwd: options.cwd})
  const store = await IndexStore.open(dbPath, {readonly: true})
  let evaluated: Omit<GateResult, 'rootCauses' | 'rootCauseCount'>
  let defaultPlatform: string | undefined
  try {
    const id = store.resolveRunRef(options.run ?? 'latest')
    // overall-only rules are answered from the totals stored with the run, without reading its steps
    const overallOnly = settings.per.value.length === 1 && settings.per.value[0] === 'overall' &&
      Object.keys(settings.targets).length === 0 && Object.keys(settings.platforms).length === 0 && !options.target && !options.platform
    // the whole run's groups for hit-rate rules were stored with its explanation, if it is the latest
    const storedGroups = overallOnly || options.target || options.platform || anyTimeSaved(settings) ? undefined
      : store.storedExplanation({runId: id, baselineId: undefined, version: explanationVersion()}, 'gate_groups')
    const run: Pick<Run, 'id' | 'status' | 'error' | 'targets' | 'platforms' | 'createdAt' | 'git'> = overallOnly || storedGroups ? store.getSummary(id) : store.getRun(id, {logs: 'none'})
    let groups: GateGroup[]
    defaultPlatform = defaultPlatformOf(run)
    if (overallOnly) {
      groups = [{scope: 'overall', totals: storedTotals(store.getSummary(id))}]
    } else if (storedGroups) {
      groups = JSON.parse(storedGroups) as GateGroup[]
    } else {
      const full = run as Run
      checkFilter(full, options)
      // what each hit cost when it last ran: one index lookup per hit, only worth it for time rules
      const lastExecutedMs = anyTimeSaved(settings) ? store.lastExecutedLookup(id) : undefined
      groups = groupTotals(filterSteps(full.steps, options, defaultPlatform), {lastExecutedMs, defaultPlatform})
    }
    const baseline = wantsDrop ? loadBaseline(store, id, settings, options) : undefined
    evaluated = evaluateGate({
      run: {
        id: run.id ?? `r${id}`, status: run.status, error: run.error, targets: run.targets, platforms: run.platforms,
        createdAt: run.createdAt, branch: run.git?.branch, commit: run.git?.commit,
      },
      filter: {target: options.target, platform: options.platform},
      groups,
      settings,
      baseline,
    })
    const result: GateResult = {...evaluated, rootCauses: [], rootCauseCount: 0}
    if (result.outcome === 'fail' || result.outcome === 'build-failed') {
      // the same open index serves the explanation, of whose steps it lists only the root causes':
      // the root causes and what they invalidated are all the report prints
      const {explainWithStore} = await import('./explain.js')
      const explain: GateExplainFn = options.explain ?? (async (o) => explainWithStore(store, {run: o.run, against: o.against, timeWeighted: false, logs: 'none', stepsListed: 'root causes'}))
      await addRootCauses(result, {...options, db: dbPath, defaultPlatform, explain})
    }
    return result
  } finally {
    store.close()
  }
}

/**
 * For `bakedoctor build … --min-hit-rate N`: gate the run the build just recorded.
 * `db` is the index path the build wrote to, `runId` its id (`r12`). `cwd`, when given, is where the
 * config search starts (omit it to use the rules alone).
 *
 * @example
 * const gate = await gateRun({db: result.db, runId: result.runId, rules: {minHitRate: flags['min-hit-rate']}, cwd: process.cwd()})
 * this.out(renderGateText(gate)); if (!gate.passed) process.exitCode = 1
 */
export async function gateRun(options: {db: string; runId: string; rules: GateRuleInput; cwd?: string; config?: string; explain?: GateExplainFn}): Promise<GateResult> {
  return runGate({
    db: options.db, cwd: options.cwd ?? '.', run: options.runId, rules: options.rules,
    config: options.config, useConfig: options.cwd !== undefined, explain: options.explain,
  })
}

function parseRuleInput(input: GateRuleInput): GateFlagValues {
  const out: GateFlagValues = {}
  for (const name of THRESHOLD_NAMES) {
    const raw = input[name]
    if (raw === undefined) continue
    const parsed = parsePercent(raw)
    if ('error' in parsed) {
      const {unit} = thresholdNamed(name)
      throw new UsageError(`${FLAG_NAMES[name]} ${parsed.error}`, {fix: `give ${unit === 'points' ? 'percentage points' : 'a percentage'} from 0 to 100, e.g. ${FLAG_NAMES[name]} ${unit === 'points' ? 5 : 80}`})
    }
    out[name] = parsed.value
  }
  if (input.baseline !== undefined) {
    if (!isBaselineRef(input.baseline)) {
      throw new UsageError(`--baseline "${input.baseline}" is neither a run nor a branch`, {fix: 'use a run id (r12), latest~1, or branch:NAME (the latest run of that branch)'})
    }
    out.baseline = input.baseline.trim()
  }
  if (input.per !== undefined) {
    const per = input.per.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean)
    const bad = per.find((p) => !GATE_SCOPES.includes(p as GateScope))
    if (bad !== undefined || per.length === 0) {
      throw new UsageError(`--per "${bad ?? ''}" is not a scope`, {fix: `use ${GATE_SCOPES.join(', ')} (repeatable or comma-separated)`})
    }
    out.per = [...new Set(per as GateScope[])]
  }
  if (input.allowEmpty !== undefined) out.allowEmpty = input.allowEmpty
  if (input.allowMissingBaseline !== undefined) out.allowMissingBaseline = input.allowMissingBaseline
  return out
}

/** The totals `saveRun` stored with the run (same computation as computeTotals at ingest time). */
function storedTotals(summary: RunSummary): RunTotals {
  return {
    cacheable: summary.cacheable, hits: summary.hits, servedInRun: summary.servedInRun, misses: summary.cacheable - summary.hits - summary.servedInRun,
    hitRate: summary.hitRate, timeWeightedHitRate: summary.timeWeightedHitRate, savedMs: 0, spentMs: 0,
  }
}

/** `--min-hit-rate N (and/or --min-time-saved-rate N, --max-drop N)`: every rule's flag. */
function thresholdFlagsText(): string {
  const [first, ...rest] = THRESHOLDS.map((t) => `--${t.flag} N`)
  return `${first}${rest.length ? ` (and/or ${rest.join(', ')})` : ''}`
}

/** What each hit cost when it last ran: only the rules that weigh by time need it. */
function anyTimeSaved(settings: GateSettings): boolean {
  return isSetAnywhere(settings, thresholdsNeeding('executionHistory'))
}

/** A rule that compares against a baseline run is set somewhere. */
function anyDrop(settings: GateSettings): boolean {
  return isSetAnywhere(settings, thresholdsNeeding('baseline'))
}

function checkFilter(run: Run, options: {target?: string; platform?: string}): void {
  const targets = [...new Set(run.steps.filter((s) => s.cacheable).map((s) => s.target ?? 'default'))]
  const platforms = [...new Set(run.steps.filter((s) => s.cacheable).map((s) => s.platform ?? defaultPlatformOf(run) ?? 'default'))]
  if (options.target !== undefined && !targets.includes(options.target) && !run.targets.includes(options.target)) {
    throw new UsageError(`run ${run.id} did not build target "${options.target}"`, {fix: `use one of: ${targets.join(', ') || '(none)'}`})
  }
  if (options.platform !== undefined && !platforms.includes(options.platform) && !run.platforms.includes(options.platform)) {
    throw new UsageError(`run ${run.id} did not build platform "${options.platform}"`, {fix: `use one of: ${platforms.join(', ') || '(none)'}`})
  }
}

function filterSteps(steps: readonly Step[], options: {target?: string; platform?: string}, defaultPlatform?: string): Step[] {
  return steps.filter((s) =>
    (options.target === undefined || (s.target ?? 'default') === options.target) &&
    (options.platform === undefined || (s.platform ?? defaultPlatform ?? 'default') === options.platform))
}

function loadBaseline(store: IndexStore, id: number, settings: GateSettings, options: {target?: string; platform?: string}): {info: GateBaseline; groups?: GateGroup[]} {
  const setting = settings.baseline
  const info: GateBaseline = {ref: setting?.value ?? 'previous run', source: setting?.source ?? {kind: 'default'}}
  let baselineId: number | undefined
  if (setting?.value.startsWith('branch:')) {
    const branch = setting.value.slice('branch:'.length)
    info.branch = branch
    baselineId = store.latestOnBranch(branch, id)
    if (baselineId === undefined) info.missing = `no run of branch ${branch} before r${id} in the index`
  } else if (setting) {
    baselineId = store.resolveRunRef(setting.value)
  } else {
    baselineId = store.findBaseline(id)
    if (baselineId === undefined) info.missing = `no run of the same targets before r${id} in the index`
  }
  if (baselineId === undefined) return {info}
  const baseline = store.getRun(baselineId, {logs: 'none'})
  info.id = baseline.id ?? `r${baselineId}`
  const defaultPlatform = defaultPlatformOf(baseline)
  return {info, groups: groupTotals(filterSteps(baseline.steps, options, defaultPlatform), {lastExecutedMs: store.lastExecutedLookup(baselineId), defaultPlatform})}
}

/** The explanation's root causes in the groups that failed (all of them when the whole run failed). */
async function addRootCauses(result: GateResult, options: GateOptions & {db: string; defaultPlatform?: string}): Promise<void> {
  const explain = options.explain ?? (await import('./explain.js')).explainRun
  let explanation: Explanation
  try {
    explanation = await explain({db: options.db, cwd: options.cwd, run: result.run.id, against: result.baseline?.id})
  } catch (error) {
    result.notes.push(`root causes unavailable: ${(error as Error).message}`)
    return
  }
  const failing: RuleResult[] = result.rules.filter((r) => r.status === 'fail')
  const everything = result.outcome === 'build-failed' || failing.some((r) => r.scope === 'overall')
  const stepByKey = new Map(explanation.steps.map((s) => [s.key, s]))
  const causes: GateRootCause[] = []
  for (const cause of explanation.rootCauses) {
    const step = stepByKey.get(cause.key)
    const target = step?.target ?? 'default'
    const platform = step?.platform ?? options.defaultPlatform ?? 'default'
    if (options.target !== undefined && target !== options.target) continue
    if (options.platform !== undefined && platform !== options.platform) continue
    const relevant = everything || failing.some((r) => (r.target === undefined || r.target === target) && (r.platform === undefined || r.platform === platform))
    if (!relevant) continue
    const c: GateRootCause = {...cause}
    if (step?.target !== undefined) c.target = step.target
    if (step?.platform !== undefined || options.defaultPlatform !== undefined) c.platform = platform
    causes.push(c)
  }
  // for a failed build the failing step is the cause; the misses around it are noise
  const failedSteps = causes.filter((c) => c.verdict === 'failed')
  if (result.outcome === 'build-failed' && failedSteps.length) causes.splice(0, causes.length, ...failedSteps)
  result.rootCauseCount = causes.length
  result.rootCauses = causes.slice(0, options.maxRootCauses ?? 5)
  if (explanation.firstRun) {
    const executed = explanation.firstRun.reduce((n, g) => n + g.executed, 0)
    result.notes.push(`first recorded run of these targets and platforms: nothing to compare its misses with; ${executed} step${executed === 1 ? '' : 's'} executed`)
  }
}
