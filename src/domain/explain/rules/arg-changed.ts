import {fmtArg, instructionEvidence, removedWord} from '../evidence-text.js'
import type {Advice, VerdictRule} from '../rule.js'

/** The text changed and the recorded inputs say an ARG's value did: the text changed because of it. */
export const argInChangedInstruction: VerdictRule<'arg-changed'> = {
  name: 'arg-changed: recorded ARG change behind an instruction text change',
  decide({step, match, recorded}) {
    if (match?.kind !== 'changed' || recorded?.verdict !== 'arg-changed') return undefined
    return {verdict: 'arg-changed', evidence: {...recorded.evidence, instruction: instructionEvidence(match.baseline.instruction, step.instruction)}}
  },
}

/**
 * ARG values are expanded into vertex names: a text change that is exactly a changed build arg's
 * new value is that arg changing, not an edit of the Dockerfile.
 */
export const argExpandedIntoInstruction: VerdictRule<'arg-changed'> = {
  name: 'arg-changed: a changed build arg value expanded into the instruction text',
  decide({step, match, facts}) {
    if (match?.kind !== 'changed') return undefined
    const b = match.baseline
    const viaArg = facts.argChanges.filter((a) => !a.secret && a.new !== undefined && step.instruction.includes(a.new) && !b.instruction.includes(a.new))
    if (!viaArg.length) return undefined
    const args = viaArg.map((a) => ({...a, old: a.old ?? removedWord(b.instruction, step.instruction)}))
    return {verdict: 'arg-changed', evidence: {summary: args.map(fmtArg).join(', '), args, instruction: instructionEvidence(b.instruction, step.instruction)}}
  },
}

/** The recorded inputs (engine driver / --context) show a changed ARG or ENV value. */
export const argRecorded: VerdictRule<'arg-changed'> = {
  name: 'arg-changed: recorded ARG or ENV value changed',
  decide: ({recorded}) => (recorded?.verdict === 'arg-changed' ? {verdict: 'arg-changed', evidence: recorded.evidence} : undefined),
}

/**
 * Without recorded inputs, a RUN whose build args changed in the metadata file: which ARGs its
 * stage declares is unknown, so every changed one is listed and the gap is said.
 */
export const argFromMetadata: VerdictRule<'arg-changed'> = {
  name: 'arg-changed: a RUN while the metadata file shows changed build args',
  decide({step, facts}) {
    if (step.kind !== 'RUN' || !facts.argChanges.length) return undefined
    return {
      verdict: 'arg-changed',
      evidence: {
        summary: facts.argChanges.map(fmtArg).join(', '),
        args: [...facts.argChanges],
        missing: ['which ARGs this stage declares (no Dockerfile recorded): every changed build arg is listed'],
      },
    }
  },
}

export const argChangedAdvice: Advice = (_step, evidence) =>
  `An ARG reaches every later RUN of its stage: declare ${evidence.args?.map((a) => a.name).join(', ') || 'the ARG'} right before the instruction that uses it (below the expensive RUNs), or keep its value stable between builds.`
