import type {CacheSummary} from '../oci/cache-summary.js'
import type {Run, Step} from '../model/run.js'
import {stepLabel, stepSlot} from '../model/step-identity.js'
import {sortSteps} from '../model/step-order.js'

export type ServeVerdict = 'could-serve' | 'cannot-serve' | 'unknown'

export interface StepServeCheck {
  key: string
  label: string
  platform?: string
  cached: boolean
  /** per cache ref */
  refs: {ref: string; verdict: ServeVerdict; reason: string}[]
}

/**
 * Longest chain of Dockerfile steps from a FROM down to each step (FROM = 0), through the DAG.
 * A cache ref can only serve a step if its records reach that deep from the platform's image root.
 */
function depths(run: Run): Map<Step, number> {
  const byDigest = new Map<string, Step>()
  for (const s of run.steps) if (!byDigest.has(s.digest)) byDigest.set(s.digest, s)
  const memo = new Map<Step, number>()
  const visit = (s: Step, guard: Set<Step>): number => {
    const known = memo.get(s)
    if (known !== undefined) return known
    if (s.kind === 'FROM' || guard.has(s)) return 0
    guard.add(s)
    let d = 0
    for (const i of s.inputs) {
      const p = byDigest.get(i)
      if (p && !p.internal) d = Math.max(d, visit(p, guard))
    }
    guard.delete(s)
    const depth = d + 1
    memo.set(s, depth)
    return depth
  }
  for (const s of run.steps) if (s.cacheable) visit(s, new Set())
  return memo
}

/** Which platform a step needs: its own, else the run's only one. */
function platformOf(step: Step, run: Run): string | undefined {
  return step.platform ?? (run.platforms.length === 1 ? run.platforms[0] : undefined)
}

/** One ref vs one step: can its records serve this step at all? (cache.md §3) */
function checkRef(summary: CacheSummary, platform: string | undefined, depth: number, finalStage: boolean, runPlatforms: readonly string[]): {verdict: ServeVerdict; reason: string} {
  if (summary.layout === 'image-without-cache') return {verdict: 'cannot-serve', reason: 'the ref is an image without inline cache: BuildKit imports nothing from it'}
  if (summary.mode.value === 'min' && !finalStage) {
    return {verdict: 'cannot-serve', reason: 'exported with mode=min: only the final stage\'s layers are in the cache, not this stage'}
  }
  if (summary.platforms.status === 'unknown' || !platform) {
    return {verdict: 'unknown', reason: summary.platforms.note ?? 'the platforms this ref serves are unknown (pass the base image with --base)'}
  }
  const coverage = summary.platforms.coverage.find((c) => c.platform === platform)
  if (!coverage || coverage.status === 'absent') {
    const serves = summary.platforms.serves.join(', ') || 'no platform'
    return {verdict: 'cannot-serve', reason: `not servable: the ref holds no ${platform} records (it serves ${serves}): ${lastExport(platform, runPlatforms)}`}
  }
  if (coverage.status === 'keys-only') {
    return {verdict: 'cannot-serve', reason: `not servable: the ref has cache keys for ${platform} but no layers behind them: ${lastExport(platform, runPlatforms)}, or it dropped their blobs`}
  }
  const usableDepth = Math.max(0, ...coverage.chain.filter((c) => c.usable).map((c) => c.depth))
  if (depth > usableDepth) {
    return {verdict: 'cannot-serve', reason: `the ref's ${platform} records reach ${usableDepth} step(s) below the base image; this step is ${depth} deep`}
  }
  return {verdict: 'could-serve', reason: `the ref serves ${platform} with records ${usableDepth} step(s) deep (keys are not compared: a changed input still misses)`}
}

/**
 * Why a ref lacks a platform, as far as the run tells: a run that builds several platforms together
 * exports them together, so another platform's export cannot be the cause; for a single-platform
 * run the per-arch overwrite of a shared ref is the usual one.
 */
function lastExport(platform: string, runPlatforms: readonly string[]): string {
  return runPlatforms.length > 1
    ? `the last export to it did not include ${platform} (this run builds ${runPlatforms.join(', ')} together, so another build exported to the ref since)`
    : `the last export to it did not include ${platform}: likely another platform's build exported to the same ref (the per-arch overwrite of a shared ref)`
}

/** `cache inspect --run`: per cacheable step, could each ref have served it. */
export function checkRunAgainstCaches(run: Run, summaries: readonly CacheSummary[]): StepServeCheck[] {
  const depth = depths(run)
  // in the one step order (model/step-order.ts): BuildKit announces stages in scheduling order, so
  // the last stage per target/platform in Dockerfile order is the one the image is exported from
  const ordered = sortSteps(run)
  const finalStages = new Map<string, string | undefined>()
  for (const s of ordered) {
    if (s.internal || s.index === undefined) continue
    finalStages.set(`${s.target ?? ''}|${s.platform ?? ''}`, s.stage)
  }
  return ordered
    .filter((s) => s.cacheable)
    .map((s) => {
      const platform = platformOf(s, run)
      const finalStage = finalStages.get(`${s.target ?? ''}|${s.platform ?? ''}`) === s.stage
      return {
        key: stepSlot(s),
        label: stepLabel(s),
        platform,
        cached: s.cached,
        refs: summaries.map((sum) => ({ref: sum.ref, ...checkRef(sum, platform, depth.get(s) ?? 1, finalStage, run.platforms)})),
      }
    })
}

/**
 * Facts per platform for `explain --check-cache` (evidence of `cache-unavailable` verdicts):
 * one sentence per ref that cannot serve a platform, or whose mode limits it.
 */
export function cacheFactsByPlatform(run: Run, summaries: readonly CacheSummary[]): Record<string, string[]> {
  const platforms = run.platforms.length ? run.platforms : ['']
  const out: Record<string, string[]> = {}
  for (const platform of platforms) {
    const facts: string[] = []
    for (const s of summaries) {
      if (s.layout === 'image-without-cache') facts.push(`${s.ref} is an image without inline cache: nothing to import`)
      else if (s.mode.value === 'min') facts.push(`${s.ref} was exported with mode=min: only the final stage is cached (use mode=max)`)
      if (!platform || s.platforms.status === 'unknown') continue
      const c = s.platforms.coverage.find((x) => x.platform === platform)
      if (!c || c.status === 'absent') facts.push(`${s.ref} lacks ${platform} (serves ${s.platforms.serves.join(', ') || 'nothing'}): ${lastExport(platform, run.platforms)}`)
      else if (c.status === 'keys-only') facts.push(`${s.ref} lacks ${platform} (serves ${s.platforms.serves.join(', ') || 'nothing'}; keys without layers): ${lastExport(platform, run.platforms)}`)
    }
    out[platform] = facts
  }
  return out
}
