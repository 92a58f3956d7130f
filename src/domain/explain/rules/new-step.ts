import type {Advice, VerdictRule} from '../rule.js'

/** No baseline step matches. (Without any baseline no rule but failed and no-cache is asked: see WITHOUT_BASELINE.) */
export const newStep: VerdictRule<'new-step'> = {
  name: 'new-step: no matching step in the baseline',
  decide({step, match, facts}) {
    if (match) return undefined
    const {baseline} = facts
    if (!baseline) return undefined
    // steps are matched per platform: with one side's platform unknown they cannot be, and that is all that is known
    const basePlatforms = [...new Set(baseline.steps.map((b) => b.platform).filter((p): p is string => !!p))]
    if ((step.platform === undefined) !== (basePlatforms.length === 0) && facts.baselineHasStage(step)) {
      const unknownSide = step.platform === undefined ? `this run's platform is unknown (the baseline built ${basePlatforms.join(', ')})` : `the baseline's platform is unknown (this step ran for ${step.platform})`
      return {
        verdict: 'new-step',
        evidence: {
          summary: `no step of the baseline to compare with: ${unknownSide}`,
          missing: [`the platform of the ${step.platform === undefined ? 'run' : 'baseline'}: record it with ingest --platform (or --metadata with the build's metadata file)`],
        },
      }
    }
    return {verdict: 'new-step', evidence: {summary: 'no matching step in the baseline'}}
  },
}

/** A new step always runs once: there is nothing to change. */
export const newStepAdvice: Advice = () => undefined
