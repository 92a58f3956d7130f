import type {Explanation} from '../domain/explain/types.js'

/**
 * `first recorded run of api linux/amd64, linux/arm64: nothing to compare; 18 steps executed` —
 * said once instead of listing every step of a run without a baseline as new.
 */
export function firstRunLine(ex: Explanation): string | undefined {
  if (!ex.firstRun) return undefined
  const byTarget = new Map<string, string[]>()
  for (const g of ex.firstRun) {
    const t = g.target ?? 'default'
    byTarget.set(t, [...(byTarget.get(t) ?? []), ...(g.platform ? [g.platform] : [])])
  }
  const what = [...byTarget].map(([t, ps]) => (ps.length ? `${t} ${ps.join(', ')}` : t)).join('; ') || (ex.run.targets.join(', ') || 'this build')
  const executed = ex.firstRun.reduce((a, g) => a + g.executed, 0)
  return `first recorded run of ${what}: nothing to compare; ${executed} step${executed === 1 ? '' : 's'} executed`
}
