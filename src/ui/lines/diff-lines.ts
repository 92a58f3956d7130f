/**
 * The diff view as lines: plan and input changes of a RunDiff, or, without one, what the explanation's
 * evidence says changed against its baseline.
 */
import type {RunDiff} from '../../domain/diff/types.js'
import type {Explanation} from '../../domain/explain/types.js'
import {shortDigest} from '../../domain/oci/digest.js'
import {formatDuration, formatPercent} from '../../lib/format.js'
import {evidenceItems, type EvidenceKind} from '../../output/evidence-lines.js'
import {TONE_COLOR, stepLabel, type Line} from './text.js'

const arrow = (old?: string, now?: string) => `${old ?? '(unset)'} → ${now ?? '(unset)'}`

/** The evidence lines that name a changed input, under a short name of what changed. */
const CHANGED_INPUT: Partial<Record<EvidenceKind, string>> = {arg: 'arg', file: 'file', 'base-image': 'base', instruction: 'instr'}

export function diffLines(explanation: Explanation, diff?: RunDiff): Line[] {
  return diff ? runDiffLines(diff) : baselineLines(explanation)
}

function section(lines: Line[], title: string, body: Line[], empty: string): void {
  lines.push({text: ''}, {text: title, bold: true})
  if (body.length === 0) lines.push({text: `  ${empty}`, dim: true})
  else lines.push(...body)
}

function runDiffLines(diff: RunDiff): Line[] {
  const lines: Line[] = []
  lines.push({text: `Diff ${diff.a.id ?? 'a'} → ${diff.b.id ?? 'b'}`, bold: true})
  lines.push({text: `duration ${formatDuration(diff.a.durationMs)} → ${formatDuration(diff.b.durationMs)} · hit rate ${formatPercent(diff.a.hitRate)} → ${formatPercent(diff.b.hitRate)}`})

  const plan: Line[] = (diff.plan ?? []).map((p) => ({text: `  ${p.target}  ${p.attribute}: ${arrow(p.old, p.new)}`, color: 'yellow'}))
  if (diff.plan === undefined) section(lines, 'Plan changes', [], diff.planNote ?? 'not known: a run has no recorded plan')
  else section(lines, 'Plan changes', plan, 'none')

  const inputs: Line[] = diff.inputs.map((c) => ({
    text: `  ${c.kind.padEnd(10)} ${c.name ? `${c.name}: ` : ''}${arrow(c.old, c.new)}`,
    color: c.old === undefined ? 'green' : c.new === undefined ? 'red' : 'yellow',
  }))
  section(lines, 'Input changes', inputs, 'none recorded')

  const bases: Line[] = diff.baseImages.map((b) => {
    const same = b.old === b.new
    return {
      text: `  ${b.ref}${b.platform ? ` (${b.platform})` : ''}: ${same ? `${shortDigest(b.old)} unchanged` : `${shortDigest(b.old) || '(none)'} → ${shortDigest(b.new) || '(none)'}`}`,
      color: same ? undefined : 'yellow',
    }
  })
  section(lines, 'Base images', bases, 'none seen')

  const changed = diff.steps.filter((t) => t.from !== t.to)
  const transitions: Line[] = changed.map((t) => ({
    text: `  ${t.from} → ${t.to}  ${t.label}${t.verdict ? `  ${t.verdict}` : ''}${t.summary ? `: ${t.summary}` : ''}`,
    color: t.to === 'miss' ? 'red' : t.to === 'hit' ? 'green' : undefined,
  }))
  section(lines, 'Steps that changed state', transitions, 'none')

  if (diff.added.length || diff.removed.length) {
    section(lines, 'Added / removed steps', [
      ...diff.added.map((a): Line => ({text: `  + ${a}`, color: 'green'})),
      ...diff.removed.map((r): Line => ({text: `  - ${r}`, color: 'red'})),
    ], 'none')
  }

  const timing: Line[] = diff.timing.slowest.map((t) => ({text: `  ${formatDuration(t.oldMs).padStart(7)} → ${formatDuration(t.newMs).padStart(7)}  ${t.label}`}))
  section(lines, `Timing (total ${formatDuration(diff.timing.totalOldMs)} → ${formatDuration(diff.timing.totalNewMs)})`, timing, 'no timings')
  return lines
}

/** Without a RunDiff: the changed inputs the explanation's evidence names, per root cause. */
function baselineLines(e: Explanation): Line[] {
  const lines: Line[] = []
  lines.push({text: e.baseline ? `Diff ${e.baseline.id ?? 'baseline'} → ${e.run.id ?? 'run'}` : `No baseline for ${e.run.id ?? 'this run'}`, bold: true})
  if (!e.baseline) {
    lines.push({text: 'Every step is compared against nothing: record an earlier run of the same target first.', dim: true})
    return lines
  }
  lines.push({text: `platforms ${e.baseline.platforms.join(', ') || '-'} → ${e.run.platforms.join(', ') || '-'} · targets ${e.baseline.targets.join(', ') || '-'} → ${e.run.targets.join(', ') || '-'}`})
  section(lines, 'Plan changes', [], 'not in the explanation: run `bakedoctor diff` for the plan diff')

  const inputs: Line[] = []
  const seen = new Set<string>()
  const add = (text: string, color: Line['color'] = 'yellow') => {
    if (seen.has(text)) return
    seen.add(text)
    inputs.push({text, color})
  }
  for (const s of e.steps) {
    const ev = s.evidence
    if (!ev || s.cached || s.verdict === 'upstream-invalidated') continue
    for (const item of evidenceItems(ev, {self: s.key, withSummarised: true})) {
      const kind = CHANGED_INPUT[item.kind]
      if (kind) add(`  ${kind.padEnd(5)} ${item.text}`, TONE_COLOR[item.tone])
    }
    if (s.verdict === 'new-step') add(`  new   ${stepLabel(s)}`, 'green')
    if (s.verdict === 'cache-unavailable' || s.verdict === 'platform-changed' || s.verdict === 'no-cache') add(`  ${s.verdict}: ${stepLabel(s)}`, undefined)
  }
  for (const r of e.removedSteps) add(`  gone  ${r.instruction}`, 'red')
  section(lines, 'Input changes (from the evidence of the misses)', inputs, 'none: every miss descends from the cache, not from an input')
  return lines
}
