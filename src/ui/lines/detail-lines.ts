/**
 * What the detail pane says about the selected row, as lines (pure; the DetailPane only paints them).
 */
import type {Evidence, Explanation, StepExplanation} from '../../domain/explain/types.js'
import {shortDigest} from '../../domain/oci/digest.js'
import {formatDuration} from '../../lib/format.js'
import {definitionLines, formatStepLocation} from '../../output/definition-text.js'
import type {Row} from '../state/step-tree.js'
import {isMiss} from '../state/step-tree.js'
import {MARKS, markOf, stepLabel, type Line} from './text.js'

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
  if (step.location) facts.push(formatStepLocation(step.location)!)
  else if (step.dockerfileLine !== undefined) facts.push(`Dockerfile line ${step.dockerfileLine}`)
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
    lines.push(...evidenceLines(step.evidence, step, root))
  }
  if (step.advice) lines.push({text: ''}, {text: 'Advice', bold: true}, {text: `  ${step.advice}`, color: 'green'})
  if (step.definition) {
    lines.push({text: ''}, {text: 'Definition (from the build\'s provenance)', bold: true})
    for (const l of definitionLines(step.definition)) lines.push({text: `  ${l}`, dim: true})
  }
  const error = step.error ?? step.evidence?.error?.message
  if (error && !step.evidence?.error) lines.push({text: ''}, {text: 'Error', bold: true, color: 'red'}, {text: `  ${error}`, color: 'red'})
  const log = step.logTail?.length ? step.logTail : step.evidence?.error?.logTail ?? []
  if (log.length > 0) {
    lines.push({text: ''}, {text: `Last log lines (${Math.min(log.length, MAX_LOG_LINES)} of ${log.length})`, bold: true})
    for (const l of log.slice(-MAX_LOG_LINES)) lines.push({text: `  ${l}`, dim: true})
  }
  return lines
}

function evidenceLines(ev: Evidence, step: StepExplanation, root?: StepExplanation): Line[] {
  const lines: Line[] = []
  const seen = new Set<string>()
  const add = (text: string, style: Omit<Line, 'text'> = {}) => {
    if (seen.has(text.trim())) return
    seen.add(text.trim())
    lines.push({text, ...style})
  }
  add(`  ${ev.summary}`)
  for (const a of ev.args ?? []) {
    if (a.secret) add(`  ${a.name}: changed (secret value not shown)`, {color: 'yellow'})
    else add(`  ${a.name}: ${a.old ?? '(unset)'} → ${a.new ?? '(unset)'}`, {color: 'yellow'})
  }
  if (ev.files && ev.files.length > 0) {
    add(`  files (${ev.files.length}):`)
    for (const f of ev.files) add(`    ${f.change.padEnd(8)} ${f.path}`, {color: f.change === 'added' ? 'green' : f.change === 'removed' ? 'red' : 'yellow'})
  }
  if (ev.baseImage) {
    const b = ev.baseImage
    add(b.oldRef
      ? `  base image ${b.oldRef}@${shortDigest(b.old) || '(unknown)'} → ${b.ref}@${shortDigest(b.new) || '(unknown)'}`
      : `  base image ${b.ref}: ${shortDigest(b.old) || '(unknown)'} → ${shortDigest(b.new) || '(unknown)'}`, {color: 'yellow'})
  }
  if (ev.instruction) {
    add('  instruction:')
    add(`    - ${ev.instruction.old}`, {color: 'red'})
    add(`    + ${ev.instruction.new}`, {color: 'green'})
  }
  if (ev.platforms) add(`  platforms: run ${ev.platforms.run.join(', ') || '-'}; baseline ${ev.platforms.baseline.join(', ') || '-'}`)
  if (ev.root !== undefined && ev.root !== step.key) {
    if (root) {
      add(`  root cause: ${stepLabel(root)}`, {color: 'magenta'})
      add(`    ${root.verdict ?? 'miss'}${root.evidence ? `: ${root.evidence.summary}` : ''}`, {color: 'magenta'})
      add('    press g to jump to it', {dim: true})
    } else {
      add(`  root cause: ${ev.root} (not in this run)`, {color: 'magenta'})
    }
  }
  for (const r of ev.cache?.reasons ?? []) add(`  cache: ${r}`)
  if (ev.error) {
    add(`  error: ${ev.error.message}`, {color: 'red'})
  }
  for (const m of ev.missing ?? []) add(`  not known: ${m}`, {dim: true})
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
