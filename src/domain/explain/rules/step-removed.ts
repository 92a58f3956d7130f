import type {Advice, VerdictRule} from '../rule.js'

/**
 * The step right before its match in the baseline's stage is gone from this run: the step now sits on
 * another parent, so it re-runs although nothing of its own changed. The removed step is the root
 * cause (named with its baseline position); the misses after it are its cascade.
 */
export const stepRemoved: VerdictRule<'step-removed'> = {
  name: 'step-removed: the step before it in the baseline was removed',
  decide({match, facts}) {
    if (!match) return undefined
    const removed = facts.removedBefore(match.baseline)
    if (!removed.length) return undefined
    const names = removed.map((r) => `${facts.baselineLabel(r)}`)
    return {
      verdict: 'step-removed',
      evidence: {
        summary: `the step before it was removed: ${names.join('; ')}`,
        removed: removed.map((r) => ({key: facts.baselineKey(r), instruction: r.instruction})),
      },
    }
  },
}

export const stepRemovedAdvice: Advice = () =>
  'Removing a step changes the parent of every step after it in the stage: they re-run once; later builds hit again.'
