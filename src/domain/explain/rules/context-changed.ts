import type {Advice, StepContext, VerdictRule} from '../rule.js'

/** The recorded inputs show context files added, removed or modified. */
export const contextRecorded: VerdictRule<'context-changed'> = {
  name: 'context-changed: recorded context files changed',
  decide: ({recorded}) => (recorded?.verdict === 'context-changed' ? {verdict: 'context-changed', evidence: recorded.evidence} : undefined),
}

/**
 * Without recorded inputs: a COPY/ADD from the context whose instruction and parents did not change,
 * on a platform whose cache demonstrably served earlier steps, missed because its files changed.
 */
export const contextCopyOnWorkingCache: VerdictRule<'context-changed'> = {
  name: 'context-changed: a context COPY missed where the cache served earlier steps',
  decide(ctx) {
    const {step, facts} = ctx
    const contextCopy = (step.kind === 'COPY' || step.kind === 'ADD') && !/--from=/.test(step.instruction)
    if (!contextCopy || !facts.platformHadHit(step)) return undefined
    return {
      verdict: 'context-changed',
      evidence: {
        summary: `source files of \`${step.instruction}\` changed (its instruction and parents did not, and this platform's cache served earlier steps)`,
        missing: unrecordedInputs(ctx),
      },
    }
  },
}

/** What an events-only verdict cannot see. */
export function unrecordedInputs({step, match}: StepContext): string[] {
  return !step.stepInputs || !match?.baseline.stepInputs
    ? ['step inputs were not recorded (ingested from events only): file hashes and unused ARG values are unknown']
    : []
}

export const contextChangedAdvice: Advice = (step) => {
  const copiesEverything = /^(COPY|ADD)\s+(--\S+\s+)*\.\s/.test(step.instruction)
  if (copiesEverything) {
    return 'Copy dependency manifests (e.g. package*.json, lock files) and install before `COPY . .`, so source edits do not re-run installs; list files that do not belong in the image in .dockerignore.'
  }
  return 'If these files do not affect the image, add them to .dockerignore; otherwise COPY rarely-changing files in an earlier step than frequently edited ones.'
}
