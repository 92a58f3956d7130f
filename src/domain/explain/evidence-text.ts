import {diffWordsWithSpace} from 'diff/lib/diff/word.js'
import type {ArgChange, Evidence} from './evidence.js'

export const fmtArg = (a: ArgChange) =>
  a.secret ? `${a.name}: changed` : `${a.name}: ${a.old ?? '(unset)'} → ${a.new ?? '(unset)'}`

/** The instruction's old and new text with a word diff (`{+added+}`, `[-removed-]`). */
export function instructionEvidence(old: string, now: string): NonNullable<Evidence['instruction']> {
  return {old, new: now, diff: diffWordsWithSpace(old, now).map((p) => (p.added ? `{+${p.value}+}` : p.removed ? `[-${p.value}-]` : p.value)).join('')}
}

/** The words of `a` that `b` replaced (the old value of an expanded ARG when no metadata told it). */
export function removedWord(a: string, b: string): string | undefined {
  const removed = diffWordsWithSpace(a, b).filter((p) => p.removed).map((p) => p.value.trim()).join(' ')
  return removed ? `${removed} (default)` : undefined
}
