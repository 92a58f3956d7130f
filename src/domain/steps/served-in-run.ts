import {createHash} from 'node:crypto'
import type {Step} from '../model/run.js'

/**
 * Bake runs several targets in one solve session: a target's step can be `cached` only because a
 * sibling target executed the same work moments earlier in the same run (same content-based cache
 * key; the vertex digests differ because each target has its own context session). Such a hit is
 * *served in-run* (design.md §2): it must not count as a saving from earlier builds.
 *
 * A cached step is served in-run when another target of this run executed (not cached, completed,
 * no error) a step with the same platform, instruction and upstream chain of instructions (through
 * the vertex DAG). Timestamps cannot decide it: buildx rebases them per target.
 */
export function markServedInRun(steps: Step[]): void {
  const targets = new Set(steps.map((s) => s.target))
  if (targets.size < 2) return

  const chainOf = chainSignatures(steps)
  const executedBy = new Map<string, Set<string | undefined>>()
  for (const s of steps) {
    if (!s.cacheable || s.cached || !s.completed || s.error) continue
    const sig = chainOf.get(s)
    if (!sig) continue
    let set = executedBy.get(sig)
    if (!set) executedBy.set(sig, (set = new Set()))
    set.add(s.target)
  }
  for (const s of steps) {
    if (!s.cacheable || !s.cached) continue
    const sig = chainOf.get(s)
    const executors = sig ? executedBy.get(sig) : undefined
    if (executors && [...executors].some((t) => t !== s.target)) s.servedInRun = true
  }
}

/**
 * A step's work signature: platform + instruction + the signatures of the steps it depends on
 * (through the vertex DAG), so `COPY --from=build` of api and of worker differ when their `build`
 * stages differ. Plumbing inputs (the build context) contribute their kind only.
 */
function chainSignatures(steps: Step[]): Map<Step, string> {
  const byDigest = new Map<string, Step[]>()
  for (const s of steps) {
    let list = byDigest.get(s.digest)
    if (!list) byDigest.set(s.digest, (list = []))
    list.push(s)
  }
  const out = new Map<Step, string>()
  const visiting = new Set<Step>()
  const sig = (s: Step): string => {
    const known = out.get(s)
    if (known !== undefined) return known
    if (s.internal) return s.instruction.replace(/ from .*$/, '')
    if (visiting.has(s)) return '<cycle>'
    visiting.add(s)
    const parents = s.inputs
      .map((d) => {
        const candidates = byDigest.get(d) ?? []
        const parent = candidates.find((c) => c.target === s.target) ?? candidates[0]
        return parent ? sig(parent) : '?'
      })
      .sort()
    visiting.delete(s)
    // hashed so that deep chains stay short strings
    const value = createHash('sha1').update(`${s.platform ?? ''}\u0000${s.instruction}\u0000(${parents.join('\u0001')})`).digest('base64')
    out.set(s, value)
    return value
  }
  for (const s of steps) if (!s.internal) sig(s)
  return out
}
