import {atLine, baselineName, contextContentEvidence, contextReaders} from '../definition-facts.js'
import type {StepContext, VerdictRule} from '../rule.js'
import {cacheReasons} from './cache-unavailable.js'

/**
 * The builder's own record proves nothing changed: the step's definition and all its ancestors'
 * (the lineage hash) are identical to the baseline step's, and every context read on the way saw
 * content the cache knew. It still missed: the cache could not serve it. Before the cascade rule —
 * a parent that missed for the same reason does not make this one a cascade, its cache key was
 * computable and unchanged all the same.
 */
export const definitionUnchanged: VerdictRule<'cache-unavailable'> = {
  name: 'cache-unavailable: definition and all its parents\' identical to the baseline\'s (provenance)',
  decide(ctx) {
    const {step, match, facts} = ctx
    const now = step.provenance
    const was = match?.baseline.provenance
    if (!now || !was || now.lineage !== was.lineage) return undefined
    const proofs: string[] = []
    for (const reader of contextReaders(step, facts.run)) {
      const proof = contextContentEvidence(reader, facts.run)
      if (!proof) return undefined // content unknown: see definitionContextCopy
      proofs.push(proof)
    }
    const reasons = cacheReasons(ctx)
    const thinning = thinningReason(ctx)
    if (thinning) reasons.unshift(thinning)
    const parents = now.parents.length ? ', and so are all its parents\'' : ''
    const content = proofs.length ? `; the build context it reads is unchanged as far as the cache can tell (${[...new Set(proofs)].join('; ')})` : ''
    return {
      verdict: 'cache-unavailable',
      evidence: {
        summary: `proven: definition identical to ${baselineName(facts.baseline)}'s${atLine(step)}${parents}${content}, yet it missed: the cache held no result for it`,
        cache: {reasons},
      },
    }
  },
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
