import type {Advice, VerdictRule} from '../rule.js'

/** An unmatched step of a stage the baseline built, but not on this platform. */
export const platformChanged: VerdictRule<'platform-changed'> = {
  name: 'platform-changed: the baseline built this stage on other platforms only',
  decide({step, match, facts}) {
    const {baseline, run} = facts
    if (match || !baseline || !facts.baselineHasStage(step) || facts.baselineHasPlatform(step)) return undefined
    const basePlatforms = [...new Set(baseline.steps.map((b) => b.platform).filter((p): p is string => !!p))]
    return {
      verdict: 'platform-changed',
      evidence: {summary: `the baseline did not build ${step.platform ?? 'this platform'}`, platforms: {run: run.platforms, baseline: basePlatforms}},
    }
  },
}

export const platformChangedAdvice: Advice = () => 'The baseline did not build this platform; its first build on this platform always runs.'
