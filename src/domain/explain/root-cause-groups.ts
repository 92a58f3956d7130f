import type {Explanation, RootCause} from './types.js'

/**
 * One cause often roots several chains (a moved base image under every stage and platform): the root
 * causes grouped by verdict and evidence. Groups keep the root causes' order (most seconds first); a
 * group's steps are in step order (the explanation's steps are, see model/step-order.ts).
 */
export function groupRootCauses(ex: Pick<Explanation, 'rootCauses' | 'steps'>): RootCause[][] {
  const place = new Map(ex.steps.map((s, i) => [s.key, i]))
  return groupBySameCause(ex.rootCauses).map((group) => group.sort((a, b) => (place.get(a.key) ?? Infinity) - (place.get(b.key) ?? Infinity)))
}

/** Root causes with the same verdict and evidence, together; groups in the order of their first member. */
export function groupBySameCause<T extends Pick<RootCause, 'verdict' | 'summary'>>(causes: readonly T[]): T[][] {
  const merged = new Map<string, T[]>()
  for (const r of causes) {
    const k = `${r.verdict}\u0000${r.summary}`
    const group = merged.get(k)
    if (group) group.push(r)
    else merged.set(k, [r])
  }
  return [...merged.values()]
}
