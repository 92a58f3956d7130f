import {IndexStore} from '../adapters/db/index-store.js'
import {resolveDbPath} from '../adapters/db/open.js'
import type {Plan} from '../domain/bake/plan.js'
import {cacheFactsByPlatform, checkRunAgainstCaches} from '../domain/explain/cache-evidence.js'
import {parseFrom} from '../domain/explain/match-steps.js'
import type {Run} from '../domain/model/run.js'
import type {CacheSummary} from '../domain/oci/cache-summary.js'
import {UsageError} from '../errors.js'
import type {InspectCacheOptions} from './cache-inspect.js'

import type {CacheCheckResult} from '../domain/results.js'

export type {CacheCheckResult}

export interface CacheCheckOptions {
  db?: string
  cwd: string
  run: string
  /** cache refs; default: the plan's registry cache-from refs, else the run's cache imports */
  refs?: string[]
  /** base images for platform matching; default: the run's FROM images (ref@digest) */
  bases?: string[]
  insecure?: boolean
  caFile?: string
  dockerConfigDir?: string
  env?: Record<string, string | undefined>
  dispatcher?: InspectCacheOptions['dispatcher']
  /** explain: an unreachable ref becomes a fact instead of an error */
  lenient?: boolean
}

/** The registry cache refs a run could import from: the plan's cache-from, else its import vertices. */
export function cacheRefsOf(run: Run, plan: Plan | undefined): string[] {
  const refs = new Set<string>()
  for (const t of Object.values(plan?.target ?? {})) {
    for (const e of t['cache-from'] ?? []) if ((e.type ?? 'registry') === 'registry' && e.ref) refs.add(e.ref)
  }
  if (refs.size === 0) {
    for (const s of run.steps) {
      const m = /^importing cache manifest from (\S+)/.exec(s.instruction)
      if (m) refs.add(m[1]!)
    }
  }
  return [...refs]
}

function basesOf(run: Run): string[] {
  const out = new Set<string>()
  for (const s of run.steps) {
    if (s.kind !== 'FROM') continue
    const f = parseFrom(s.instruction)
    if (f.ref && f.ref !== 'scratch') out.add(f.digest ? `${f.ref}@${f.digest}` : f.ref)
  }
  return [...out]
}

/**
 * Inspects the cache refs of a run and tells, per step, whether they could have served it; stores
 * each summary in the index (cache_snapshots) with the run it was checked for.
 */
export async function checkRunCaches(options: CacheCheckOptions): Promise<CacheCheckResult> {
  const dbPath = resolveDbPath(options)
  const store = await IndexStore.open(dbPath)
  try {
    const id = store.resolveRunRef(options.run)
    const run = store.getRun(id, {logs: 'none'})
    const refs = options.refs?.length ? options.refs : cacheRefsOf(run, store.getRunPlan(run))
    if (refs.length === 0) {
      throw new UsageError(`run ${run.id} names no registry cache (no cache-from in its plan, no cache import in its events)`, {fix: 'name the refs: --cache-from REF'})
    }
    const bases = options.bases?.length ? options.bases : basesOf(run)
    const {inspectCacheRefs} = await import('./cache-inspect.js')
    const common = {insecure: options.insecure, caFile: options.caFile, dockerConfigDir: options.dockerConfigDir, env: options.env, dispatcher: options.dispatcher, platforms: run.platforms}
    const caches: CacheSummary[] = []
    const errors: {ref: string; message: string}[] = []
    for (const ref of refs) {
      try {
        const r = await inspectCacheRefs({...common, refs: [ref], bases})
        caches.push(...r.caches)
      } catch (error) {
        if (!options.lenient) throw error
        errors.push({ref, message: (error as Error).message})
      }
    }
    for (const c of caches) store.saveCacheSnapshot(c.ref, c, id)
    const facts = cacheFactsByPlatform(run, caches)
    for (const e of errors) for (const k of Object.keys(facts)) facts[k]!.push(`could not read ${e.ref}: ${e.message}`)
    return {run: run.id!, refs, caches, errors, steps: checkRunAgainstCaches(run, caches), facts}
  } finally {
    store.close()
  }
}
