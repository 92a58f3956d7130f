/**
 * Plain-text helpers for the Ink view: lines are pre-cut to the pane width so that scrolling and
 * pane heights are exact (ink would otherwise wrap long instructions and push the layout around).
 */
import type {StepExplanation} from '../../domain/explain/types.js'
import {stepLabel} from '../../domain/model/step-identity.js'
import type {EvidenceTone} from '../../output/evidence-lines.js'
import {truncate} from '../../lib/format.js'

export {truncate}

/** One rendered line with its style. */
export interface Line {
  text: string
  color?: 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'blue' | 'gray'
  bold?: boolean
  dim?: boolean
}

/** The colour of an evidence line by its tone (the lines themselves are the shared renderer's). */
export const TONE_COLOR: Record<EvidenceTone, Line['color']> = {changed: 'yellow', added: 'green', removed: 'red', error: 'red', unknown: undefined, plain: undefined}

/** Hard-wraps `text` to `width`, preferring breaks at spaces; continuation lines get `indent`. */
export function wrap(text: string, width: number, indent = ''): string[] {
  if (width <= indent.length + 1) return [truncate(text, Math.max(1, width))]
  const out: string[] = []
  let rest = text
  let prefix = ''
  while (prefix.length + rest.length > width) {
    const room = width - prefix.length
    let cut = rest.lastIndexOf(' ', room)
    if (cut < room / 2) cut = room
    out.push(prefix + rest.slice(0, cut).trimEnd())
    rest = rest.slice(cut).trimStart()
    prefix = indent
  }
  out.push(prefix + rest)
  return out
}

/** Wraps every line of `lines` to `width`, keeping each line's style. */
export function wrapLines(lines: readonly Line[], width: number): Line[] {
  const out: Line[] = []
  for (const l of lines) {
    const indent = /^\s*/.exec(l.text)?.[0] ?? ''
    for (const text of wrap(l.text, width, indent + '  ')) out.push({...l, text})
  }
  return out
}

export {stepLabel}

export type Mark = 'hit' | 'in-run' | 'miss' | 'root' | 'suspicious'

export function markOf(step: StepExplanation): Mark {
  if (!step.cached) return step.root ? 'root' : 'miss'
  if (step.servedInRun) return 'in-run'
  return step.suspiciousHit ? 'suspicious' : 'hit'
}

/** The glyph and colour of each mark; the legend in the help overlay reads this too. */
export const MARKS: Record<Mark, {glyph: string; color: Line['color']; meaning: string}> = {
  hit: {glyph: '✓', color: 'green', meaning: 'hit (from cache)'},
  'in-run': {glyph: '≈', color: 'cyan', meaning: 'served in-run by a sibling target (not counted as a hit)'},
  miss: {glyph: '✗', color: 'red', meaning: 'miss (upstream-invalidated by a root cause, or its own verdict)'},
  root: {glyph: '◆', color: 'magenta', meaning: 'root cause miss'},
  suspicious: {glyph: '!', color: 'yellow', meaning: 'hit although its recorded inputs changed'},
}
