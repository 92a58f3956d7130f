import type {Run, Step} from '../model/run.js'
import {computeTotals} from '../model/totals.js'
import {ruleOf} from './rule-registry.js'
import {GATE_RULES} from './rules/index.js'
import {appliedThresholds, thresholdFor} from './settings.js'
import type {GateBaseline, GateGroup, GateOutcome, GateResult, GateScope, GateSettings, RuleResult} from './types.js'

/**
 * Groups a run's cacheable steps by every scope the gate knows: the whole run, each target, each
 * platform, each target × platform. Totals come from `computeTotals` (docs/architecture.md, "Steps, identity and the hit rate": hits / cacheable,
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

/** The platform of a run's steps whose vertex names carry none: the run's one platform, when it has one. */
export function defaultPlatformOf(run: Pick<Run, 'platforms'>): string | undefined {
  return run.platforms.length === 1 ? run.platforms[0] : undefined
}

/**
 * The gate's groups of a whole run, unfiltered and without the time-weighted lookups: what the gate
 * computes for hit-rate rules, and what is stored with the run's explanation for it.
 */
export function wholeRunGroups(run: Pick<Run, 'steps' | 'platforms'>): GateGroup[] {
  return groupTotals(run.steps, {defaultPlatform: defaultPlatformOf(run)})
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
  for (const rule of completed ? GATE_RULES : []) {
    for (const scope of ['overall', 'target', 'platform', 'target-platform'] as const) {
      if (!per.has(scope)) continue
      for (const group of groups.filter((g) => g.scope === scope)) {
        const required = thresholdFor(settings, rule.threshold.name, group)
        if (!required) continue
        // the same steps with the same threshold are checked once (e.g. one target: target = overall)
        const dedupe = `${rule.kind}|${signature(group)}|${required.value}`
        if (scope !== 'overall' && seen.has(dedupe)) continue
        seen.add(dedupe)
        const label = labelOf(group, {singleTarget: targets.size === 1 && !per.has('platform')})
        rules.push(rule.check(group, {label, required, baseline: input.baseline}))
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
  // a rule that cannot be judged never passes silently: exit 2 with the reason
  const noBaseline = skipped.filter((r) => ruleOf(r.kind).needs?.baseline && !input.baseline?.groups)
  const unjudged = noBaseline.length && !settings.allowMissingBaseline.value ? noBaseline : rules.length && skipped.length === rules.length ? skipped : []
  let fix: string | undefined
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
  } else if (unjudged.length) {
    outcome = 'not-evaluable'
    const reasons = [...new Set(unjudged.map((r) => r.message))]
    headline = `Gate cannot judge run ${run.id}: ${unjudged.length} of ${rules.length} rules could not be evaluated (${reasons.join('; ')})`
    fix = noBaseline.length
      ? `record a baseline run first${input.baseline?.info.ref.startsWith('branch:') ? ` on ${input.baseline.info.ref.slice(7)}` : ''}, name one with --baseline RUN, or pass --allow-missing-baseline to skip the drop rules`
      : 'gate a figure the run has (e.g. --min-hit-rate), or fix what the reasons name'
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
    ...(fix ? {fix} : {}),
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
