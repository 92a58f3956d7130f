import type {RunDiff} from '../domain/diff/types.js'
import {groupRootCauses} from '../domain/explain/root-cause-groups.js'
import {shortDigest} from '../domain/oci/digest.js'
import {formatDuration, formatPercent, table} from '../lib/format.js'

/** Plan, inputs, step transitions and timing of two runs. */
export function renderDiffText(d: RunDiff): string {
  const lines: string[] = []
  lines.push(`${d.a.id ?? 'A'} → ${d.b.id ?? 'B'}: hit rate ${formatPercent(d.a.hitRate)} → ${formatPercent(d.b.hitRate)}, duration ${formatDuration(d.a.durationMs)} → ${formatDuration(d.b.durationMs)}`)
  lines.push('', 'Plan')
  if (!d.plan) lines.push(`  ${d.planNote ?? 'not recorded'}`)
  else if (d.plan.length === 0) lines.push('  no differences')
  else for (const c of d.plan) lines.push(`  ${c.target}.${c.attribute}: ${c.old ?? '(unset)'} → ${c.new ?? '(unset)'}`)
  lines.push('', 'Inputs')
  if (!d.inputs.length && !d.baseImages.length) lines.push('  no recorded input differs')
  for (const b of d.baseImages) lines.push(`  base image ${b.ref}${b.platform ? ` (${b.platform})` : ''}: ${shortDigest(b.old) || '(none)'} → ${shortDigest(b.new) || '(none)'}`)
  for (const i of d.inputs) {
    // an instruction change reads best as the word diff explain shows; other inputs as old → new
    lines.push(i.diff !== undefined ? `  ${i.place}  instruction: ${i.diff}` : `  ${i.place}  ${i.kind}${i.name ? ` ${i.name}` : ''}: ${i.old ?? '(none)'} → ${i.new ?? '(none)'}`)
  }
  lines.push('', 'Steps')
  if (!d.steps.length) lines.push('  no step changed between hit and miss')
  for (const s of d.steps) lines.push(`  ${s.from} → ${s.to}  ${s.label}${s.verdict ? `  — ${s.verdict}${s.summary ? `: ${s.summary}` : ''}` : ''}`)
  lines.push('', `Timing (total ${formatDuration(d.timing.totalOldMs)} → ${formatDuration(d.timing.totalNewMs)}), slowest steps of ${d.b.id ?? 'B'}`)
  lines.push(table(d.timing.slowest.map((t) => ['  ' + formatDuration(t.oldMs), '→', formatDuration(t.newMs), t.label])))
  if (d.explanation.rootCauses.length) {
    lines.push('', 'Root causes')
    for (const group of groupRootCauses(d.explanation)) {
      lines.push(`  ${group[0]!.verdict}  ${group.map((r) => r.label).join('; ')}`, `    ${group[0]!.summary}`)
    }
  }
  return lines.join('\n')
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
