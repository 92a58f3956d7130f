import type {Advice, VerdictRule} from '../rule.js'

/** No baseline step matches (or there is no baseline at all). */
export const newStep: VerdictRule<'new-step'> = {
  name: 'new-step: no matching step in the baseline',
  decide({match, facts}) {
    if (match) return undefined
    const {baseline} = facts
    return {
      verdict: 'new-step',
      evidence: {summary: baseline ? 'no matching step in the baseline' : 'no baseline run to compare with', missing: baseline ? undefined : ['baseline run']},
    }
  },
}

/** A new step always runs once: there is nothing to change. */
export const newStepAdvice: Advice = () => undefined
