import {shortDigest} from '../../oci/digest.js'
import {parseFrom} from '../match-steps.js'
import type {Evidence} from '../evidence.js'
import type {Advice, StepContext, VerdictRule} from '../rule.js'
import {CACHE_IMPORT} from '../run-facts.js'
import {unrecordedInputs} from './context-changed.js'

/** Last in the list: nothing the step depends on changed, yet it missed. Always decides. */
export const cacheUnavailable: VerdictRule<'cache-unavailable'> = {
  name: 'cache-unavailable: nothing changed, the cache could not serve it',
  decide(ctx) {
    const from = ctx.parents.find((p) => p.kind === 'FROM')
    return {
      verdict: 'cache-unavailable',
      evidence: {
        summary: `nothing it depends on changed${from ? ` (base ${shortDigest(parseFrom(from.instruction).digest) || 'unchanged'})` : ''}, yet it missed: the cache could not serve it`,
        cache: cacheEvidence(ctx),
        missing: unrecordedInputs(ctx),
      },
    }
  },
}

/** What the run's own events (and `cache inspect` facts) say about the cache it could use. */
export function cacheEvidence(ctx: StepContext): NonNullable<Evidence['cache']> {
  const {step, facts} = ctx
  const reasons: string[] = []
  const imports = facts.cacheImportsFor(step).map((imp) => ({ref: imp.instruction.slice(CACHE_IMPORT.length), ...(imp.error ? {error: imp.error} : {})}))
  if (imports.length === 0) reasons.push('no cache import in this run (cache-from not configured, or only the local builder cache was available)')
  for (const imp of imports) {
    if (imp.error) reasons.push(`importing cache from ${imp.ref} failed: ${imp.error}`)
    else reasons.push(`cache imported from ${imp.ref}, but it held no result for this step on ${step.platform ?? 'this platform'}`)
  }
  const cacheFacts = facts.options.cacheFacts
  for (const fact of [...(cacheFacts?.[step.platform ?? ''] ?? []), ...(cacheFacts?.[''] ?? [])]) reasons.push(fact)
  const thinning = imports.some((i) => !i.error) ? thinningReason(ctx) : undefined
  if (thinning) reasons.unshift(thinning)
  return {reasons, imports, runPlatforms: facts.run.platforms}
}

/**
 * Advice from what this run did (its imports and their errors, its platforms, what `--check-cache`
 * found), never proposing what it already does; each line names the evidence it rests on.
 */
export const cacheUnavailableAdvice: Advice = (step, evidence) => {
  const c = evidence.cache
  const reasons = c?.reasons ?? []
  const thinning = reasons.find((r) => /cache thinning/.test(r))
  if (thinning) {
    return `A build served from the cache re-exports only the results it ran, overwriting a fuller export of the same ref: export each build to its own tag (e.g. cache:<commit>) and cache-from the previous tags too, or export the shared ref only from builds that ran the steps (evidence: ${thinning.split(':')[0]}).`
  }
  const failed = c?.imports?.find((i) => i.error)
  if (failed) return `${importFailureAdvice(failed.ref, failed.error!)} (evidence: importing cache from ${failed.ref} failed: ${failed.error})`
  if (c?.imports && c.imports.length === 0) {
    return 'This run imported no cache, so only the builder\'s local cache could serve it: add cache-from type=registry,ref=<ref> and export to it with cache-to type=registry,ref=<ref>,mode=max (evidence: no cache import in this run).'
  }
  const minMode = reasons.find((r) => /mode=min/.test(r))
  if (minMode) return `Export the cache with mode=max so intermediate stages are kept (evidence: ${minMode}).`
  const lacks = reasons.find((r) => /\blacks\b/.test(r))
  const platforms = c?.runPlatforms ?? []
  if (lacks) {
    return platforms.length > 1
      ? `This run builds all its platforms together, yet the ref lacks ${step.platform ?? 'this platform'}: another build exported to the same ref after it; give each build its own ref (evidence: ${lacks}).`
      : `Builds for other platforms export to the same ref and the last one wins: give each platform its own ref (cache-to type=registry,ref=…:cache-<arch>,mode=max) and cache-from all of them (evidence: ${lacks}).`
  }
  const imported = c?.imports?.[0]
  if (imported) {
    return platforms.length > 1
      ? `${imported.ref} was imported but held no result for this step, although this build builds ${platforms.join(', ')} together: run \`bakedoctor explain --check-cache\` to see what the ref serves and whether another build exported to it since (evidence: cache imported from ${imported.ref}, no result for this step).`
      : `${imported.ref} was imported but held no result for this step on ${step.platform ?? 'this platform'}: if builds for other platforms or targets export to the same ref, give each its own; \`bakedoctor explain --check-cache\` shows what it serves (evidence: cache imported from ${imported.ref}, no result for this step).`
  }
  return 'Nothing this step depends on changed, yet it missed: check that cache-from names a ref the build can read and that cache-to uses mode=max so intermediate stages are exported.'
}

/** What to do about a failed cache import, from its error. */
function importFailureAdvice(ref: string, error: string): string {
  if (/HTTP response to HTTPS client/i.test(error)) return `${ref} is served over plain HTTP: add registry.insecure=true to its cache-from (and cache-to) entry`
  if (/too large/i.test(error)) return `The cache manifest of ${ref} is over BuildKit's 1 MiB import limit, so the build ran without it: export to several smaller refs (e.g. one per target)`
  if (/unauthorized|denied|401|403/i.test(error)) return `The builder may not read ${ref}: log in to its registry (docker login) where the build runs`
  if (/not found|404|manifest unknown/i.test(error)) return `${ref} does not exist (yet): the first build that exports to it (cache-to type=registry,ref=${ref},mode=max) creates it; check the name if it should exist`
  return `Fix the cache import from ${ref}: nothing in this run could come from it`
}

/**
 * Cache thinning (provenance.md): a run served from a registry cache re-exports, even with mode=max,
 * results only for the steps it materialised. When the baseline took this very step from the cache
 * without running it, and then exported cache, its export is the likely reason the ref holds no
 * result for it now. Likely, not proven: the events do not name the ref an export wrote to; cache
 * snapshots of the ref before and after (`cache inspect --run`) would show it.
 */
function thinningReason({match, facts}: StepContext): string | undefined {
  const b = match?.baseline
  if (!b || !b.cached || b.servedInRun || !facts.baseline) return undefined
  const exported = facts.baseline.steps.some((s) => s.internal && /^export(ing)? (content )?cache/.test(s.instruction))
  const imported = facts.baseline.steps.some((s) => s.internal && /^importing cache manifest from /.test(s.instruction))
  if (!exported || !imported) return undefined
  const by = facts.baseline.id ?? 'the baseline'
  return `likely cache thinning: ${by} took this step from the imported cache without running it, then exported cache; a re-export keeps results only for the steps a build materialised, so if ${by}'s export went to the ref this run imports, that export carried no result for this step (cache snapshots of the ref before and after ${by} would show it)`
}
