import type {Step} from '../model/run.js'

/**
 * Bake runs several targets in one solve session: a target's step can be `cached` only because a
 * sibling target executed the same work moments earlier in the same run (same content-based cache
 * key; the vertex digests differ because each target has its own context session). Such a hit is
 * *served in-run* (docs/architecture.md, "Steps, identity and the hit rate"): it must not count as a saving from earlier builds.
 *
 * A cached step is served in-run when another target of this run executed (not cached, completed,
 * no error) a step with the same platform, instruction and upstream chain of instructions (through
 * the vertex DAG). Timestamps cannot decide it: buildx rebases them per target.
 */
export function markServedInRun(steps: Step[]): void {
  const targets = new Set(steps.map((s) => s.target))
  if (targets.size < 2) return

  const chainOf = chainSignatures(steps)
  const executedBy = new Map<number, Set<string | undefined>>()
  for (const s of steps) {
    if (!s.cacheable || s.cached || !s.completed || s.error) continue
    const sig = chainOf.get(s)
    if (sig === undefined) continue
    let set = executedBy.get(sig)
    if (!set) executedBy.set(sig, (set = new Set()))
    set.add(s.target)
  }
  for (const s of steps) {
    if (!s.cacheable || !s.cached) continue
    const sig = chainOf.get(s)
    const executors = sig !== undefined ? executedBy.get(sig) : undefined
    // executed by another target than its own
    if (executors && (executors.size > 1 || !executors.has(s.target))) s.servedInRun = true
  }
}

/**
 * A step's work signature: platform + instruction + the signatures of the steps it depends on
 * (through the vertex DAG), so `COPY --from=build` of api and of worker differ when their `build`
 * stages differ. Plumbing inputs (the build context) contribute their kind only. Signatures are
 * interned as small numbers (equal numbers ⇔ equal signature texts), so deep chains stay short.
 */
function chainSignatures(steps: Step[]): Map<Step, number> {
  // a vertex digest can be shared by every target (a base image): its step of the same target, else the first
  const firstByDigest = new Map<string, Step>()
  const byDigestAndTarget = new Map<string, Step>()
  for (const s of steps) {
    if (!firstByDigest.has(s.digest)) firstByDigest.set(s.digest, s)
    const k = `${s.digest}\u0000${s.target ?? ''}`
    if (!byDigestAndTarget.has(k)) byDigestAndTarget.set(k, s)
  }
  const ids = new Map<string, number>()
  const intern = (text: string): number => {
    let id = ids.get(text)
    if (id === undefined) ids.set(text, (id = ids.size))
    return id
  }
  const missing = intern('?')
  const cycle = intern('<cycle>')
  const out = new Map<Step, number>()
  const internalSig = new Map<Step, number>()
  const visiting = new Set<Step>()
  const sig = (s: Step): number => {
    if (s.internal) {
      // an internal step (metadata load, FROM resolution) is the parent of many: its signature once
      let value = internalSig.get(s)
      if (value === undefined) internalSig.set(s, (value = intern(`internal\u0000${s.instruction.replace(/ from .*$/, '')}`)))
      return value
    }
    const known = out.get(s)
    if (known !== undefined) return known
    if (visiting.has(s)) return cycle
    visiting.add(s)
    const parents = s.inputs
      .map((d) => {
        const parent = byDigestAndTarget.get(`${d}\u0000${s.target ?? ''}`) ?? firstByDigest.get(d)
        return parent ? sig(parent) : missing
      })
      .sort((a, b) => a - b)
    visiting.delete(s)
    const value = intern(`${s.platform ?? ''}\u0000${s.instruction}\u0000(${parents.join(',')})`)
    out.set(s, value)
    return value
  }
  for (const s of steps) if (!s.internal) sig(s)
  return out
}
