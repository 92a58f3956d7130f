import type {Advice, VerdictRule} from '../rule.js'

/** The plan disabled the cache for the step's target, or its stage by no-cache-filter. */
export const noCache: VerdictRule<'no-cache'> = {
  name: 'no-cache: the plan sets no-cache or no-cache-filter',
  decide({step, facts}) {
    const nc = facts.options.noCache?.[step.target ?? ''] ?? facts.options.noCache?.['']
    if (!nc || !(nc.all || (step.stage && nc.filters?.includes(step.stage)))) return undefined
    return {verdict: 'no-cache', evidence: {summary: nc.all ? 'the plan sets no-cache' : `the plan's no-cache-filter names stage ${step.stage}`}}
  },
}

export const noCacheAdvice: Advice = () => 'The plan disables the cache for this step: drop no-cache / no-cache-filter from routine builds.'
