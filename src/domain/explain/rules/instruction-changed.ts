import {instructionEvidence} from '../evidence-text.js'
import type {Advice, VerdictRule} from '../rule.js'

/** The matched step's text changed (and no changed build arg explains it: see arg-changed). */
export const instructionChanged: VerdictRule<'instruction-changed'> = {
  name: 'instruction-changed: the instruction text was edited',
  decide({step, match}) {
    if (match?.kind !== 'changed') return undefined
    const b = match.baseline
    return {
      verdict: 'instruction-changed',
      evidence: {summary: `instruction changed: ${b.instruction} → ${step.instruction}`, instruction: instructionEvidence(b.instruction, step.instruction)},
    }
  },
}

export const instructionChangedAdvice: Advice = () =>
  'Editing an instruction invalidates it and every step after it: keep often-edited instructions late in the stage.'
