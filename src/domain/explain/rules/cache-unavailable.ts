import {shortDigest} from '../../oci/digest.js'
import {parseFrom} from '../match-steps.js'
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
        cache: {reasons: cacheReasons(ctx)},
        missing: unrecordedInputs(ctx),
      },
    }
  },
}

/** What the run's own events (and `cache inspect` facts) say about the cache it could use. */
export function cacheReasons({step, facts}: StepContext): string[] {
  const reasons: string[] = []
  const imports = facts.cacheImportsFor(step)
  if (imports.length === 0) reasons.push('no cache import in this run (cache-from not configured, or only the local builder cache was available)')
  for (const imp of imports) {
    const ref = imp.instruction.slice(CACHE_IMPORT.length)
    if (imp.error) reasons.push(`importing cache from ${ref} failed: ${imp.error}`)
    else reasons.push(`cache imported from ${ref}, but it held no record for this step on ${step.platform ?? 'this platform'} (a per-arch overwrite of a shared ref, or mode=min, are the usual causes)`)
  }
  const cacheFacts = facts.options.cacheFacts
  for (const fact of [...(cacheFacts?.[step.platform ?? ''] ?? []), ...(cacheFacts?.[''] ?? [])]) reasons.push(fact)
  return reasons
}

export const cacheUnavailableAdvice: Advice = (step, evidence) => {
  const reasons = evidence.cache?.reasons.join(' ') ?? ''
  if (/cache thinning/.test(reasons)) {
    return 'A build served from the cache re-exports only the results it ran, overwriting a fuller export of the same ref: export each build to its own tag (e.g. cache:<commit>) and cache-from the previous tags too, or export the shared ref only from builds that ran the steps.'
  }
  if (/lacks|platform|overwrit/i.test(reasons) || step.platform) {
    return 'The cache for this platform was not served: export per-platform cache refs (cache-to type=registry,ref=…:cache-<arch>,mode=max and cache-from both refs) or export all platforms in one multi-platform build with mode=max.'
  }
  return 'Nothing this step depends on changed, yet it missed: check that cache-from names a ref the build can read and that cache-to uses mode=max so intermediate stages are exported.'
}
