import type {Run, Step} from '../model/run.js'
import type {ProvenanceRecord, StepProvenance} from './types.js'

export interface AttachResult {
  run: Run
  /** Dockerfile steps (cacheable, or FROM) that got a definition */
  attached: number
  /** statements none of whose vertex digests is in the run (provenance of another build?) */
  unmatched: {platform?: string; steps: number}[]
}

/**
 * Share of a statement's steps that must have a vertex in the run for the statement to be this
 * build's: steps that depend only on a pinned base image keep their vertex digest from build to build,
 * so another build's provenance matches a few vertices, never (nearly) all.
 */
const MIN_MATCHED_SHARE = 0.8

/**
 * Maps each statement onto the run's steps through `digestMapping` (vertex digest → step id): the
 * keys are exactly the vertex digests of that build's events, so no digest is ever recomputed.
 * Each platform's statement lands on that platform's vertices. A single-platform build (whose vertex names
 * carry no platform) gets the platform of its ops as the run's platform.
 */
export function attachProvenance(run: Run, records: readonly ProvenanceRecord[]): AttachResult {
  const byDigest = new Map<string, Step[]>()
  for (const s of run.steps) {
    let l = byDigest.get(s.digest)
    if (!l) byDigest.set(s.digest, (l = []))
    l.push(s)
  }
  const provenanceOf = new Map<Step, StepProvenance>()
  const unmatched: AttachResult['unmatched'] = []
  let attached = 0
  for (const record of records) {
    if (record.mode !== 'max') continue
    const digestsOf = new Map<string, string[]>()
    for (const [digest, id] of Object.entries(record.digestToStep)) {
      let l = digestsOf.get(id)
      if (!l) digestsOf.set(id, (l = []))
      l.push(digest)
    }
    const present = record.steps.filter((ps) => (digestsOf.get(ps.id) ?? []).some((d) => byDigest.has(d))).length
    if (record.steps.length === 0 || present < record.steps.length * MIN_MATCHED_SHARE) {
      unmatched.push({platform: record.platform, steps: record.steps.length})
      continue
    }
    for (const ps of record.steps) {
      const digests = digestsOf.get(ps.id) ?? []
      const parents = ps.parents.map((id) => digestsOf.get(id)?.[0]).filter((d): d is string => d !== undefined)
      const value: StepProvenance = {stepId: ps.id, definition: ps.definition, hash: ps.hash, lineage: ps.lineage, readsContext: ps.readsContext, parents}
      if (ps.location) value.location = ps.location
      for (const d of digests) {
        for (const s of byDigest.get(d) ?? []) if (!provenanceOf.has(s)) provenanceOf.set(s, value)
      }
    }
  }
  const steps = run.steps.map((s) => {
    const p = provenanceOf.get(s)
    if (!p) return s
    if (!s.internal) attached++
    return {...s, provenance: p}
  })
  // a build whose vertex names carry no platform built one: the statements' platform, when they agree
  // (the run's platform; steps without one take it, see model/run-platform.ts)
  const statementPlatforms = [...new Set(records.filter((r) => r.mode === 'max' && r.platform).map((r) => r.platform!))]
  const platforms = run.platforms.length || statementPlatforms.length !== 1 || run.steps.some((s) => s.platform) ? run.platforms : statementPlatforms
  return {run: {...run, steps, platforms}, attached, unmatched}
}
