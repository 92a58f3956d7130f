import type {Explanation, RootCause} from './types.js'

/**
 * One cause often roots several chains (a moved base image under every stage and platform): the root
 * causes grouped by verdict and evidence. Groups keep the root causes' order (most seconds first); a
 * group's steps are in step order (the explanation's steps are, see model/step-order.ts).
 */
export function groupRootCauses(ex: Pick<Explanation, 'rootCauses' | 'steps'>): RootCause[][] {
  const place = new Map(ex.steps.map((s, i) => [s.key, i]))
  const merged = new Map<string, RootCause[]>()
  for (const r of ex.rootCauses) {
    const k = `${r.verdict}\u0000${r.summary}`
    merged.set(k, [...(merged.get(k) ?? []), r])
  }
  return [...merged.values()].map((group) => group.sort((a, b) => (place.get(a.key) ?? Infinity) - (place.get(b.key) ?? Infinity)))
}
