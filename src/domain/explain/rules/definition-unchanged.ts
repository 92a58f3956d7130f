import {atLine, baselineName, contextContentEvidence, contextReaders} from '../definition-facts.js'
import type {VerdictRule} from '../rule.js'
import {cacheEvidence} from './cache-unavailable.js'

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
    // (cacheEvidence names likely cache thinning first when the baseline re-exported this step)
    const cache = cacheEvidence(ctx)
    const parents = now.parents.length ? ', and so are all its parents\'' : ''
    const content = proofs.length ? `; the build context it reads is unchanged as far as the cache can tell (${[...new Set(proofs)].join('; ')})` : ''
    return {
      verdict: 'cache-unavailable',
      evidence: {
        summary: `proven: definition identical to ${baselineName(facts.baseline)}'s${atLine(step)}${parents}${content}, yet it missed: the cache held no result for it`,
        cache,
      },
    }
  },
}
