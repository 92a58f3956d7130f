import {definitionChanges} from '../definition-facts.js'
import type {Advice, StepContext, VerdictRule} from '../rule.js'

/** A missed parent explains this miss: a cascade down to that parent's root cause. */
export const upstreamInvalidated: VerdictRule<'upstream-invalidated'> = {
  name: 'upstream-invalidated: a parent step missed',
  decide(ctx) {
    if (!ctx.match) return undefined
    for (const p of ctx.parents) {
      if (p.kind === 'FROM' || !p.cacheable) continue
      const parent = ctx.verdictOf(p)
      if (!parent) continue
      const own = ownChanges(ctx)
      return {
        verdict: 'upstream-invalidated',
        evidence: {summary: `invalidated by ${ctx.facts.labelOfKey(parent.rootKey)}${own.length ? `; its own inputs changed too: ${own.join('; ')}` : ''}`, root: parent.rootKey},
      }
    }
    return undefined
  },
}

/** Its own changes are still listed: fixing the root cause alone would not make it hit. */
function ownChanges({step, match, recorded}: StepContext): string[] {
  const out: string[] = []
  if (match && step.instruction !== match.baseline.instruction && step.kind !== 'FROM') out.push(`instruction ${match.baseline.instruction} → ${step.instruction}`)
  if (recorded) out.push(recorded.evidence.summary)
  out.push(...definitionChanges(step, match?.baseline))
  return out
}

/** The advice belongs to the root cause. */
export const upstreamInvalidatedAdvice: Advice = () => undefined
