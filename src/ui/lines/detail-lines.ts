/**
 * What the detail pane says about the selected row, as lines (pure; the DetailPane only paints them).
 */
import type {Evidence, Explanation, StepExplanation} from '../../domain/explain/types.js'
import {formatDuration} from '../../lib/format.js'
import {definitionLines, whereWritten} from '../../output/definition-text.js'
import {EVIDENCE_LOG_LINES, evidenceItems} from '../../output/evidence-lines.js'
import type {Row} from '../state/step-tree.js'
import {isMiss} from '../state/step-tree.js'
import {MARKS, TONE_COLOR, markOf, stepLabel, type Line} from './text.js'

const MAX_LOG_LINES = 12

export interface DetailInput {
  explanation: Explanation
  row?: Row
  /** the root-cause step of the selected cascade, when it is in the run */
  root?: StepExplanation
}

export function detailLines(input: DetailInput): Line[] {
  const {row, explanation} = input
  if (!row) return [{text: 'Nothing to show: no step matches the filters.', dim: true}]
  if (row.kind === 'group') return groupLines(explanation, row)
  return stepLines(explanation.steps[row.step]!, input.root)
}

export function stepLines(step: StepExplanation, root?: StepExplanation): Line[] {
  const lines: Line[] = []
  const mark = MARKS[markOf(step)]
  const status = step.cached
    ? step.servedInRun ? 'SERVED IN-RUN (a sibling target ran it earlier in this build)' : 'HIT (from cache)'
    : `${step.root ? 'ROOT CAUSE · ' : ''}MISS · ${step.verdict ?? 'no verdict'}`
  lines.push({text: `${mark.glyph} ${status}`, color: mark.color, bold: true})
  lines.push({text: stepLabel(step)})
  const facts = [`took ${formatDuration(step.durationMs)}`]
  const where = whereWritten(step)
  if (where) facts.push(where)
  lines.push({text: facts.join(' · '), dim: true})
  for (const l of step.location?.text ?? []) lines.push({text: `  │ ${l}`, color: 'cyan'})
  if (step.invalidated) {
    lines.push({text: `invalidated ${step.invalidated.steps} step${step.invalidated.steps === 1 ? '' : 's'} (${formatDuration(step.invalidated.ms)}) downstream`, color: 'magenta'})
  }
  if (step.suspiciousHit) {
    lines.push({text: ''}, {text: 'Suspicious hit', bold: true, color: 'yellow'}, {text: `  ${step.suspiciousHit}`})
  }

  if (step.evidence) {
    lines.push({text: ''}, {text: 'Evidence', bold: true})
    lines.push(...evidencePaneLines(step.evidence, step, root))
  }
  if (step.advice) lines.push({text: ''}, {text: 'Advice', bold: true}, {text: `  ${step.advice}`, color: 'green'})
  if (step.definition) {
    lines.push({text: ''}, {text: 'Definition (from the build\'s provenance)', bold: true})
    for (const l of definitionLines(step.definition)) lines.push({text: `  ${l}`, dim: true})
  }
  const error = step.error ?? step.evidence?.error?.message
  if (error && !step.evidence?.error) lines.push({text: ''}, {text: 'Error', bold: true, color: 'red'}, {text: `  ${error}`, color: 'red'})
  // the evidence shows a failure's last lines; the log view is for more than that
  const log = step.logTail?.length ? step.logTail : step.evidence?.error?.logTail ?? []
  if (log.length > (step.evidence?.error ? EVIDENCE_LOG_LINES : 0)) {
    lines.push({text: ''}, {text: `Last log lines (${Math.min(log.length, MAX_LOG_LINES)} of ${log.length})`, bold: true})
    for (const l of log.slice(-MAX_LOG_LINES)) lines.push({text: `  ${l}`, dim: true})
  }
  return lines
}


/** The summary, then the same lines text and markdown print (`evidenceItems`), then where to go from a cascade. */
function evidencePaneLines(ev: Evidence, step: StepExplanation, root?: StepExplanation): Line[] {
  const lines: Line[] = [{text: `  ${ev.summary}`}]
  const rootLabel = (key: string) => (root?.key === key ? stepLabel(root) : undefined)
  for (const item of evidenceItems(ev, {self: step.key, rootLabel})) {
    lines.push({text: `  ${item.text}`, color: item.kind === 'root' ? 'magenta' : TONE_COLOR[item.tone], dim: item.tone === 'unknown'})
    if (item.kind === 'root' && root) {
      lines.push({text: `    ${root.verdict ?? 'miss'}${root.evidence ? `: ${root.evidence.summary}` : ''}`, color: 'magenta'})
      lines.push({text: '    press g to jump to it', dim: true})
    }
  }
  return lines
}

function groupLines(explanation: Explanation, row: Extract<Row, {kind: 'group'}>): Line[] {
  const {stats, group} = row
  const lines: Line[] = []
  if (group.kind === 'roots') {
    lines.push({text: `Root causes (${explanation.rootCauses.length})`, bold: true, color: 'magenta'})
    lines.push({text: 'Each one invalidated the steps downstream of it; fix these first.', dim: true})
    for (const rc of explanation.rootCauses) {
      lines.push({text: ''})
      lines.push({text: `◆ ${rc.label}`, color: 'magenta'})
      lines.push({text: `  ${rc.verdict}: ${rc.summary}`})
      lines.push({text: `  invalidated ${rc.invalidatedSteps} step${rc.invalidatedSteps === 1 ? '' : 's'} (${formatDuration(rc.invalidatedMs)})`, dim: true})
      if (rc.advice) lines.push({text: `  advice: ${rc.advice}`, color: 'green'})
    }
    return lines
  }
  lines.push({text: `${group.kind} ${group.label}`, bold: true})
  lines.push({text: `${stats.steps} steps shown: ${stats.hits} hit${stats.hits === 1 ? '' : 's'}, ${stats.misses} miss${stats.misses === 1 ? '' : 'es'} · ${formatDuration(stats.ms)}`})
  const misses = collectSteps(explanation, row).filter(isMiss)
  if (misses.length > 0) {
    lines.push({text: ''}, {text: 'Misses in this group (filters not applied)', bold: true})
    for (const s of misses.slice(0, 50)) lines.push({text: `  ${MARKS[markOf(s)].glyph} ${s.verdict ?? 'miss'}  ${stepLabel(s)}`, color: MARKS[markOf(s)].color})
    if (misses.length > 50) lines.push({text: `  … and ${misses.length - 50} more`, dim: true})
  }
  lines.push({text: ''}, {text: 'enter/→ expands, ← collapses', dim: true})
  return lines
}

function collectSteps(explanation: Explanation, row: Extract<Row, {kind: 'group'}>): StepExplanation[] {
  const out: StepExplanation[] = []
  const visit = (g: typeof row.group) => {
    for (const i of g.steps) out.push(explanation.steps[i]!)
    for (const c of g.groups) visit(c)
  }
  visit(row.group)
  return out
}
