import {EPS, pct, ruleBase, type GateRule} from '../rule.js'

/** seconds saved / (saved + spent) >= min-time-saved-rate; unknown until an earlier run executed the cached steps. */
export const timeSavedRate: GateRule<'time-saved-rate', 'minTimeSavedRate', 'min-time-saved-rate'> = {
  kind: 'time-saved-rate',
  title: 'time saved rate',
  threshold: {name: 'minTimeSavedRate', flag: 'min-time-saved-rate', unit: 'percent', description: 'minimum time-weighted hit rate in percent (seconds saved / (saved + spent))'},
  needs: {executionHistory: true},
  check(g, context) {
    const {label, required} = context
    const t = g.totals
    const base = {...ruleBase('time-saved-rate', g, context), comparison: '>=' as const, savedMs: t.savedMs, spentMs: t.spentMs}
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
  },
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}
