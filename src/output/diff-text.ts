import type {RunDiff} from '../domain/diff/types.js'
import {groupRootCauses} from '../domain/explain/root-cause-groups.js'
import {shortDigest} from '../domain/oci/digest.js'
import {fitLine, formatDuration, formatPercent, table, truncate} from '../lib/format.js'
import {whereWrittenAll} from './definition-text.js'

/**
 * Plan, inputs, step transitions and timing of two runs. With `width` (a terminal) every line fits
 * it: long values, labels and evidence are cut, the words around them stay. Piped output is never cut.
 */
export function renderDiffText(d: RunDiff, options: {width?: number} = {}): string {
  const {width} = options
  const lines: string[] = []
  lines.push(`${d.a.id ?? 'A'} → ${d.b.id ?? 'B'}: hit rate ${formatPercent(d.a.hitRate)} → ${formatPercent(d.b.hitRate)}, duration ${formatDuration(d.a.durationMs)} → ${formatDuration(d.b.durationMs)}`)
  lines.push('', 'Plan')
  if (!d.plan) lines.push(`  ${d.planNote ?? 'not recorded'}`)
  else if (d.plan.length === 0) lines.push('  no differences')
  else for (const c of d.plan) lines.push(fitLine([`  ${c.target}.${c.attribute}: `, c.old ?? '(unset)', ' → ', c.new ?? '(unset)'], [[1, 3]], width))
  lines.push('', 'Inputs')
  if (!d.inputs.length && !d.baseImages.length) lines.push('  no recorded input differs')
  // the digests are the news: the image reference gives up columns first
  for (const b of d.baseImages) lines.push(fitLine(['  base image ', b.ref, `${b.platform ? ` (${b.platform})` : ''}: ${shortDigest(b.old) || '(none)'} → ${shortDigest(b.new) || '(none)'}`], [1], width))
  for (const i of d.inputs) {
    // an instruction change reads best as the word diff explain shows; other inputs as old → new
    lines.push(i.diff !== undefined
      ? fitLine(['  ', i.place, '  instruction: ', width === undefined ? i.diff : aroundChange(i.diff, width - i.place.length - 17)], [3, 1], width)
      : fitLine(['  ', i.place, `  ${i.kind}${i.name ? ` ${i.name}` : ''}: `, i.old ?? '(none)', ' → ', i.new ?? '(none)'], [[3, 5], 1], width))
  }
  lines.push('', 'Steps')
  if (!d.steps.length) lines.push('  no step changed between hit and miss')
  // the step's place (`[api linux/amd64 deps 2/4]`) stays: its instruction and the evidence give up columns
  for (const s of d.steps) {
    const place = s.label.startsWith('[') ? s.label.slice(0, s.label.indexOf('] ') + 2) : ''
    lines.push(fitLine([`  ${s.from} → ${s.to}  `, place, s.label.slice(place.length), s.verdict ? `  — ${s.verdict}${s.summary ? ': ' : ''}` : '', (s.verdict && s.summary) || ''], [[2, 4]], width))
  }
  lines.push('', `Timing (total ${formatDuration(d.timing.totalOldMs)} → ${formatDuration(d.timing.totalNewMs)}), slowest steps of ${d.b.id ?? 'B'}`)
  // (one line per row: the width cut below is per line, and would keep only a table's first row)
  lines.push(...table(d.timing.slowest.map((t) => ['  ' + formatDuration(t.oldMs), '→', formatDuration(t.newMs), t.label]), {width, cut: [3]}).split('\n'))
  if (d.explanation.rootCauses.length) {
    lines.push('', 'Root causes')
    const byKey = new Map(d.explanation.steps.map((s) => [s.key, s]))
    for (const group of groupRootCauses(d.explanation)) {
      lines.push(fitLine([`  ${group[0]!.verdict}  `, group.map((r) => r.label).join('; ')], [1], width))
      const where = whereWrittenAll(group.map((r) => byKey.get(r.key)))
      if (where) lines.push(`    at ${where}`)
      lines.push(`    ${group[0]!.summary}`)
    }
  }
  return (width === undefined ? lines : lines.map((l) => truncate(l, width))).join('\n')
}

/**
 * A word diff cut to `room` columns around its first change (`[-…-]` or `{+…+}`), so what changed
 * stays in view when the instruction is longer than the terminal.
 */
export function aroundChange(diff: string, room: number): string {
  if (diff.length <= room || room < 8) return diff
  const marks = [diff.indexOf('[-'), diff.indexOf('{+')].filter((i) => i >= 0)
  const at = marks.length ? Math.min(...marks) : 0
  // where the first change ends: a removal, an addition, or a removal and its replacement
  let end = at
  if (diff.startsWith('[-', end)) end = diff.indexOf('-]', end) + 2
  if (diff.startsWith('{+', end)) end = diff.indexOf('+}', end) + 2
  const lead = Math.min(Math.floor(room / 3), Math.max(1, room - (end - at) - 2))
  const start = Math.max(0, Math.min(at - lead, diff.length - room))
  let out = diff.slice(start, start + room)
  if (start > 0) out = `…${out.slice(1)}`
  if (start + room < diff.length) out = `${out.slice(0, -1)}…`
  return out
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function renderDiffMarkdown(d: RunDiff): string {
  const lines = [`## bakedoctor diff ${d.a.id ?? 'A'} → ${d.b.id ?? 'B'}`, '', `Hit rate ${formatPercent(d.a.hitRate)} → **${formatPercent(d.b.hitRate)}**, duration ${formatDuration(d.a.durationMs)} → ${formatDuration(d.b.durationMs)}`, '']
  lines.push('### Plan', '')
  if (!d.plan) lines.push(d.planNote ?? 'not recorded')
  else if (!d.plan.length) lines.push('No differences.')
  else {
    lines.push('| target | attribute | old | new |', '|---|---|---|---|')
    for (const c of d.plan) lines.push(`| ${c.target} | ${c.attribute} | ${md(c.old ?? '')} | ${md(c.new ?? '')} |`)
  }
  lines.push('', '### Inputs', '')
  if (!d.inputs.length && !d.baseImages.length) lines.push('No recorded input differs.')
  else {
    lines.push('| where | input | old | new |', '|---|---|---|---|')
    for (const b of d.baseImages) lines.push(`| ${b.platform ?? ''} | base image ${md(b.ref)} | ${b.old ?? ''} | ${b.new ?? ''} |`)
    for (const i of d.inputs) lines.push(`| ${md(i.place)} | ${i.kind} ${md(i.name)} | ${md(i.old ?? '')} | ${md(i.new ?? '')} |`)
  }
  lines.push('', '### Steps', '')
  if (!d.steps.length) lines.push('No step changed between hit and miss.')
  else {
    lines.push('| step | change | verdict | evidence |', '|---|---|---|---|')
    for (const s of d.steps) lines.push(`| \`${md(s.label)}\` | ${s.from} → ${s.to} | ${s.verdict ?? ''} | ${md(s.summary ?? '')} |`)
  }
  return lines.join('\n') + '\n'
}
