import type {StepExplanation} from '../../domain/explain/types.js'
import {formatDuration} from '../../lib/format.js'
import type {Row} from '../state/step-tree.js'
import {MARKS, markOf, truncate, type Line} from './text.js'

const DURATION_WIDTH = 7


/**
 * One tree row as text of exactly `width` columns or less:
 * `  ▾ linux/amd64  9 steps · 4 misses · 1.2s` for groups,
 * `    ◆   19ms 4/6 COPY api/ ./api/  context-changed` for steps (verdict only on misses).
 */
export function rowLine(row: Row, steps: readonly StepExplanation[], width: number): Line {
  const indent = '  '.repeat(row.depth)
  if (row.kind === 'group') {
    const {stats} = row
    const arrow = row.expanded ? '▾' : '▸'
    const parts = [`${stats.steps} step${stats.steps === 1 ? '' : 's'}`]
    if (row.group.kind !== 'roots') parts.push(`${stats.misses} miss${stats.misses === 1 ? '' : 'es'}`)
    parts.push(formatDuration(stats.ms))
    const head = `${indent}${arrow} ${row.group.label}`
    const tail = `  ${parts.join(' · ')}`
    return {text: truncate(head + tail, width), bold: true, color: row.group.kind === 'roots' ? 'magenta' : undefined}
  }
  const step = steps[row.step]!
  const mark = MARKS[markOf(step)]
  const duration = formatDuration(step.durationMs).padStart(DURATION_WIDTH)
  const where = [step.target, step.platform, step.stage].filter((s) => s !== undefined && s !== '').join(' ')
  const label = row.inRoots
    ? `${step.instruction}${where ? `  (${where})` : ''}`
    : `${step.index !== undefined ? `${step.index}/${step.total ?? '?'} ` : ''}${step.instruction}`
  const verdict = step.cached ? (step.servedInRun ? 'in-run' : '') : step.verdict ?? 'miss'
  const head = `${indent}${mark.glyph} ${duration} `
  const tail = verdict ? `  ${verdict}` : ''
  const room = width - head.length - tail.length
  if (room < 8) return {text: truncate(`${head}${label}${tail}`, width), color: mark.color}
  return {text: `${head}${truncate(label, room)}${tail}`, color: mark.color}
}
