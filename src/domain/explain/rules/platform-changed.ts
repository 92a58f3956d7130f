import type {Advice, VerdictRule} from '../rule.js'

/**
 * An unmatched step of a stage the baseline built, but not on this platform. Both platforms must be
 * known: a platform that is merely unknown (a single-platform build whose events, metadata and
 * record do not name it) is no evidence of a change.
 */
export const platformChanged: VerdictRule<'platform-changed'> = {
  name: 'platform-changed: the baseline built this stage on other platforms only',
  decide({step, match, facts}) {
    const {baseline, run} = facts
    if (match || !baseline || step.platform === undefined || !facts.baselineHasStage(step) || facts.baselineHasPlatform(step)) return undefined
    const basePlatforms = facts.baselinePlatforms()
    if (basePlatforms.length === 0) return undefined
    return {
      verdict: 'platform-changed',
      evidence: {summary: `the baseline did not build ${step.platform}`, platforms: {run: run.platforms, baseline: basePlatforms}},
    }
  },
}

export const platformChangedAdvice: Advice = () => 'The baseline did not build this platform; its first build on this platform always runs.'
