import {EPS, pct, ruleBase, type GateRule} from '../rule.js'

/** hits / cacheable >= min-hit-rate; steps served in-run by a sibling target are not hits. */
export const hitRate: GateRule<'hit-rate', 'minHitRate', 'min-hit-rate'> = {
  kind: 'hit-rate',
  title: 'hit rate',
  threshold: {name: 'minHitRate', flag: 'min-hit-rate', unit: 'percent', description: 'minimum hit rate in percent (cached cacheable steps / cacheable steps; served in-run steps never count)'},
  check(g, context) {
    const {label, required} = context
    const t = g.totals
    const base = {...ruleBase('hit-rate', g, context), comparison: '>=' as const, hits: t.hits, cacheable: t.cacheable, servedInRun: t.servedInRun}
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
  },
}
