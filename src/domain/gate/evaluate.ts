import type {Step} from '../model/run.js'
import {computeTotals} from '../model/totals.js'
import {appliedThresholds, thresholdFor} from './settings.js'
import type {
  GateBaseline, GateGroup, GateOutcome, GateResult, GateScope, GateSettings, RuleKind, RuleResult, Setting, ThresholdName,
} from './types.js'

/**
 * Groups a run's cacheable steps by every scope the gate knows: the whole run, each target, each
 * platform, each target × platform. Totals come from `computeTotals` (design.md §2: hits / cacheable,
 * steps served in-run by a sibling target counted apart and never as hits).
 *
 * `defaultPlatform` names the platform of steps whose vertex names carry none (single-platform builds).
 */
export function groupTotals(
  steps: readonly Step[],
  options: {lastExecutedMs?: (step: Step) => number | undefined; defaultPlatform?: string} = {},
): GateGroup[] {
  const cacheable = steps.filter((s) => s.cacheable)
  const platformOf = (s: Step) => s.platform ?? options.defaultPlatform ?? 'default'
  const targetOf = (s: Step) => s.target ?? 'default'
  const groups: GateGroup[] = [{scope: 'overall', totals: computeTotals(cacheable, options.lastExecutedMs)}]
  const by = (scope: GateScope, keyOf: (s: Step) => [string | undefined, string | undefined]) => {
    const map = new Map<string, {target?: string; platform?: string; steps: Step[]}>()
    for (const s of cacheable) {
      const [target, platform] = keyOf(s)
      const k = `${target ?? ''}\u0000${platform ?? ''}`
      let g = map.get(k)
      if (!g) map.set(k, (g = {target, platform, steps: []}))
      g.steps.push(s)
    }
    for (const [, g] of [...map].sort((a, b) => a[0].localeCompare(b[0]))) {
      const group: GateGroup = {scope, totals: computeTotals(g.steps, options.lastExecutedMs)}
      if (g.target !== undefined) group.target = g.target
      if (g.platform !== undefined) group.platform = g.platform
      groups.push(group)
    }
  }
  by('target', (s) => [targetOf(s), undefined])
  by('platform', (s) => [undefined, platformOf(s)])
  by('target-platform', (s) => [targetOf(s), platformOf(s)])
  return groups
}

export interface GateEvaluationInput {
  run: GateResult['run']
  filter: GateResult['filter']
  /** from `groupTotals` over the (filtered) run */
  groups: GateGroup[]
  settings: GateSettings
  /** the baseline for drop rules: the run found (with its groups, same filter) or why there is none */
  baseline?: {info: GateBaseline; groups?: GateGroup[]}
  notes?: string[]
}

const KINDS: {kind: RuleKind; threshold: ThresholdName}[] = [
  {kind: 'hit-rate', threshold: 'minHitRate'},
  {kind: 'time-saved-rate', threshold: 'minTimeSavedRate'},
  {kind: 'max-drop', threshold: 'maxDrop'},
]

/**
 * Evaluates every rule on every group its scope selects. Pure. Root causes are added by the service
 * (they need the explanation). A rule whose figure is unknown is skipped with the reason, never
 * passed silently and never failed for want of data.
 */
export function evaluateGate(input: GateEvaluationInput): Omit<GateResult, 'rootCauses' | 'rootCauseCount'> {
  const {settings, groups} = input
  const overall = groups.find((g) => g.scope === 'overall')?.totals ?? computeTotals([])
  const pairs = groups.filter((g) => g.scope === 'target-platform')
  const targets = new Set(pairs.map((g) => g.target))
  const per = new Set(settings.per.value)
  const signature = (g: GateGroup) =>
    pairs.filter((p) => (g.target === undefined || p.target === g.target) && (g.platform === undefined || p.platform === g.platform))
      .map((p) => `${p.target}\u0000${p.platform}`).join('\u0001')

  const rules: RuleResult[] = []
  const seen = new Set<string>()
  // a build that did not complete has a partial hit rate: it fails the gate as a build, not on rules
  const completed = input.run.status === 'completed'
  for (const {kind, threshold} of completed ? KINDS : []) {
    for (const scope of ['overall', 'target', 'platform', 'target-platform'] as const) {
      if (!per.has(scope)) continue
      for (const group of groups.filter((g) => g.scope === scope)) {
        const required = thresholdFor(settings, threshold, group)
        if (!required) continue
        // the same steps with the same threshold are checked once (e.g. one target: target = overall)
        const dedupe = `${kind}|${signature(group)}|${required.value}`
        if (scope !== 'overall' && seen.has(dedupe)) continue
        seen.add(dedupe)
        const label = labelOf(group, {singleTarget: targets.size === 1 && !per.has('platform')})
        if (kind === 'hit-rate') rules.push(hitRateRule(group, label, required))
        else if (kind === 'time-saved-rate') rules.push(timeSavedRule(group, label, required))
        else rules.push(dropRule(group, label, required, input.baseline))
      }
    }
  }

  const notes = [...(input.notes ?? [])]
  const {run} = input
  let outcome: GateOutcome
  let headline: string
  const failed = rules.filter((r) => r.status === 'fail')
  const skipped = rules.filter((r) => r.status === 'skip')
  const passedCount = rules.length - failed.length - skipped.length
  const skipNote = skipped.length ? `, ${skipped.length} skipped` : ''
  if (run.status !== 'completed') {
    outcome = 'build-failed'
    const what = run.status === 'failed' ? 'failed' : run.status === 'cancelled' ? 'was cancelled' : 'did not finish (its event stream ends mid-build)'
    headline = `Build ${run.id} ${what}: the gate fails and its hit rate is not judged${run.error ? ` (${run.error})` : ''}`
  } else if (overall.cacheable === 0) {
    if (settings.allowEmpty.value) {
      outcome = 'pass'
      headline = `Run ${run.id} has no cacheable steps${filterText(input.filter)}; passing because allow-empty is set`
    } else {
      outcome = 'empty'
      headline = `Run ${run.id} has no cacheable steps${filterText(input.filter)}, so there is no hit rate to gate (pass --allow-empty to let such runs pass)`
    }
  } else if (failed.length) {
    outcome = 'fail'
    headline = `Gate failed for run ${run.id}: ${failed.length} of ${rules.length} rules failed${skipNote}`
  } else {
    outcome = 'pass'
    headline = `Gate passed for run ${run.id}: ${passedCount} of ${rules.length} rules passed${skipNote}`
  }
  const result: Omit<GateResult, 'rootCauses' | 'rootCauseCount'> = {
    outcome,
    passed: outcome === 'pass',
    headline,
    run,
    filter: input.filter,
    totals: overall,
    thresholds: appliedThresholds(settings),
    rules,
    notes,
  }
  if (input.baseline) result.baseline = input.baseline.info
  return result
}

function filterText(filter: GateResult['filter']): string {
  const parts = [filter.target && `target ${filter.target}`, filter.platform && `platform ${filter.platform}`].filter(Boolean)
  return parts.length ? ` for ${parts.join(', ')}` : ''
}

function labelOf(g: GateGroup, options: {singleTarget: boolean}): string {
  switch (g.scope) {
    case 'overall':
      return 'overall'
    case 'target':
      return `target ${g.target}`
    case 'platform':
      return `${g.platform}`
    case 'target-platform':
      return options.singleTarget ? `${g.platform}` : `${g.target} ${g.platform}`
  }
}

function ruleBase(kind: RuleKind, g: GateGroup, label: string, required: Setting<number>): Pick<RuleResult, 'id' | 'kind' | 'scope' | 'target' | 'platform' | 'label' | 'required'> {
  const base: Pick<RuleResult, 'id' | 'kind' | 'scope' | 'target' | 'platform' | 'label' | 'required'> = {
    id: [kind, g.scope, g.target, g.platform].filter((p) => p !== undefined).join(':'),
    kind, scope: g.scope, label, required,
  }
  if (g.target !== undefined) base.target = g.target
  if (g.platform !== undefined) base.platform = g.platform
  return base
}

/** `55.6%`, `0%` (one decimal, like the other reports) */
export function pct(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-'
  return `${Math.round(value * 10) / 10}%`
}

const EPS = 1e-9

function hitRateRule(g: GateGroup, label: string, required: Setting<number>): RuleResult {
  const t = g.totals
  const base = {...ruleBase('hit-rate', g, label, required), comparison: '>=' as const, hits: t.hits, cacheable: t.cacheable, servedInRun: t.servedInRun}
  if (!t.cacheable) {
    return {...base, status: 'skip', actual: null, message: `${label} hit rate: no cacheable steps`}
  }
  const actual = (t.hits * 100) / t.cacheable
  // integers, so 4/5 against 80 % is exact
  const ok = t.hits * 100 >= required.value * t.cacheable - EPS
  const inRun = t.servedInRun ? `, ${t.servedInRun} served in-run not counted` : ''
  return {
    ...base, status: ok ? 'pass' : 'fail', actual,
    message: `${label} hit rate ${t.hits}/${t.cacheable} (${pct(actual)}${inRun}) ${ok ? '>=' : '<'} ${required.value}%`,
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}

function timeSavedRule(g: GateGroup, label: string, required: Setting<number>): RuleResult {
  const t = g.totals
  const base = {...ruleBase('time-saved-rate', g, label, required), comparison: '>=' as const, savedMs: t.savedMs, spentMs: t.spentMs}
  if (t.timeWeightedHitRate === null) {
    const why = t.cacheable ? 'unknown (no earlier run in the index executed its cached steps)' : 'no cacheable steps'
    return {...base, status: 'skip', actual: null, message: `${label} time saved rate: ${why}`}
  }
  const actual = t.timeWeightedHitRate * 100
  const ok = actual >= required.value - EPS
  return {
    ...base, status: ok ? 'pass' : 'fail', actual,
    message: `${label} time saved rate ${pct(actual)} (${seconds(t.savedMs)} saved, ${seconds(t.spentMs)} spent) ${ok ? '>=' : '<'} ${required.value}%`,
  }
}

function dropRule(g: GateGroup, label: string, required: Setting<number>, baseline: GateEvaluationInput['baseline']): RuleResult {
  const base = {...ruleBase('max-drop', g, label, required), comparison: '<=' as const}
  if (!baseline?.groups) {
    return {...base, status: 'skip', actual: null, message: `${label} hit rate drop: ${baseline?.info.missing ?? 'no baseline run'}`}
  }
  const before = baseline.groups.find((b) => b.scope === g.scope && b.target === g.target && b.platform === g.platform)?.totals
  const rate = g.totals.hitRate
  const baseRate = before?.hitRate ?? null
  if (rate === null || baseRate === null) {
    const why = !before ? `baseline ${baseline.info.id} did not build it` : 'no cacheable steps'
    return {...base, status: 'skip', actual: null, baselineRate: baseRate === null ? null : baseRate * 100, rate: rate === null ? null : rate * 100, message: `${label} hit rate drop: ${why}`}
  }
  const drop = (baseRate - rate) * 100
  const ok = drop <= required.value + EPS
  const moved = drop > EPS ? `dropped ${pct(drop).replace('%', '')} points` : drop < -EPS ? `rose ${pct(-drop).replace('%', '')} points` : 'unchanged'
  return {
    ...base, status: ok ? 'pass' : 'fail', actual: drop, baselineRate: baseRate * 100, rate: rate * 100,
    message: `${label} hit rate ${moved} (${pct(baseRate * 100)} in ${baseline.info.id} → ${pct(rate * 100)}) ${ok ? '<=' : '>'} ${required.value} points`,
  }
}
