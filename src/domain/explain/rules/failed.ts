import type {Advice, VerdictRule} from '../rule.js'

const isCancel = (e: string) => /context canceled|cancel/i.test(e)

/** The step itself failed (a cancellation caused by another failure is not its own failure). */
export const failed: VerdictRule<'failed'> = {
  name: 'failed: the step reported an error',
  decide({step}) {
    if (!step.error || isCancel(step.error)) return undefined
    return {verdict: 'failed', evidence: {summary: `failed: ${step.error}`, error: {message: step.error, logTail: step.logTail.slice(-10)}}}
  },
}

export const failedAdvice: Advice = () => 'Fix the failure: a failed step is never cached.'
