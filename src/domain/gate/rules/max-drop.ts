import {EPS, pct, ruleBase, type GateRule} from '../rule.js'

/** Hit-rate points lost against the baseline run's same group <= max-drop. */
export const maxDrop: GateRule<'max-drop', 'maxDrop', 'max-drop'> = {
  kind: 'max-drop',
  title: 'hit rate drop',
  threshold: {name: 'maxDrop', flag: 'max-drop', unit: 'points', description: 'maximum drop of the hit rate below the baseline\'s, in percentage points'},
  needs: {baseline: true},
  check(g, context) {
    const {label, required, baseline} = context
    const base = {...ruleBase('max-drop', g, context), comparison: '<=' as const}
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
  },
}
