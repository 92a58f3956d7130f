import type {Explanation, StepExplanation} from '../domain/explain/types.js'
import {stepLabel} from '../domain/model/step-identity.js'
import {groupRootCauses} from '../domain/explain/root-cause-groups.js'
import {formatDuration, formatPercent, formatRatio} from '../lib/format.js'
import {whereWritten, whereWrittenAll} from './definition-text.js'
import {evidenceLines} from './evidence-lines.js'
import {firstRunLine} from './first-run.js'

function header(ex: Explanation): string[] {
  const t = ex.totals
  const n = ex.rootCauses.length
  // a first recorded run says so in one line below: no baseline line, no "0 root causes"
  const causes = ex.firstRun && n === 0 ? '' : `; ${n} root cause${n === 1 ? '' : 's'}`
  return [
    `Run ${ex.run.id ?? '?'} (${ex.run.targets.join(', ') || 'default'}; ${ex.run.platforms.join(', ') || 'default platform'}) ${ex.run.status}, ${formatDuration(ex.run.durationMs)}`,
    ...(ex.firstRun ? [] : [`Baseline: ${ex.baseline?.id ?? 'none'}`]),
    `Cache: ${formatRatio(t.hits, t.cacheable)} cacheable steps hit (${formatPercent(t.hitRate)}), time-weighted ${formatPercent(t.timeWeightedHitRate)}${t.servedInRun ? `, ${t.servedInRun} served in-run` : ''}${causes}`,
  ]
}

/**
 * Root causes first (with what they invalidated), then every miss grouped by target / platform.
 * @example
 * Root causes
 *   1. context-changed  [api linux/amd64 build 4/6] COPY api/ ./api/
 *      invalidated 4 steps, 1.20s
 */
export function renderExplanationText(ex: Explanation, options: {all?: boolean} = {}): string {
  const lines = header(ex)
  lines.push('')
  const first = firstRunLine(ex)
  if (first) lines.push(first)
  if (ex.rootCauses.length === 0) {
    if (!first) lines.push(ex.totals.cacheable === 0 ? 'No cacheable steps in this run.' : 'No misses to explain: every cacheable step came from cache.')
  } else {
    lines.push('Root causes')
    const byKey = new Map(ex.steps.map((s) => [s.key, s]))
    let n = 0
    for (const group of groupRootCauses(ex)) {
      const r = group[0]!
      const step = byKey.get(r.key)
      lines.push(`  ${++n}. ${r.verdict.padEnd(18)} ${r.label}`)
      for (const other of group.slice(1)) lines.push(`     ${''.padEnd(18)} ${other.label}`)
      const where = whereWrittenAll(group.map((g) => byKey.get(g.key)))
      if (where) lines.push(`     at ${where}`)
      lines.push(`     ${r.summary}`)
      for (const l of evidenceLines(step?.evidence, {self: r.key})) lines.push(`       ${l}`)
      const steps = group.reduce((a, g) => a + g.invalidatedSteps, 0)
      const ms = group.reduce((a, g) => a + g.invalidatedMs, 0)
      lines.push(`     invalidated ${steps} step(s), ${formatDuration(ms)}`)
      if (r.advice) lines.push(`     advice: ${r.advice}`)
    }
  }
  const groups = new Map<string, StepExplanation[]>()
  for (const s of ex.steps) {
    // a miss without a verdict is one of a first run's: summed up by its line above
    if (!options.all && (s.cached || s.servedInRun || !s.verdict) && !s.suspiciousHit) continue
    const k = `${s.target ?? 'default'} ${s.platform ?? ''}`.trim()
    let g = groups.get(k)
    if (!g) groups.set(k, (g = []))
    g.push(s)
  }
  if (groups.size) {
    lines.push('', options.all ? 'Steps' : 'Misses')
    for (const [k, steps] of groups) {
      lines.push(`  ${k}`)
      for (const s of steps) {
        const state = s.suspiciousHit ? 'HIT?' : s.servedInRun ? 'IN-RUN' : s.cached ? 'HIT' : s.notRun ? 'NOTRUN' : s.root ? 'ROOT' : 'MISS'
        lines.push(`    ${state.padEnd(6)} ${formatDuration(s.durationMs).padStart(7)}  ${stepLabel(s)}${s.verdict ? `  — ${s.verdict}` : s.notRun ? '  — not run (never started: the build stopped first)' : ''}`)
        if (s.suspiciousHit) lines.push(`           ${s.suspiciousHit}`)
      }
    }
  }
  if (ex.removedSteps.length) {
    lines.push('', 'Steps the baseline had and this run does not')
    for (const r of ex.removedSteps) lines.push(`  ${r.label}`)
  }
  if (ex.notes.length) lines.push('', ...ex.notes.map((n) => `note: ${n}`))
  return lines.join('\n')
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** For `$GITHUB_STEP_SUMMARY` and PR comments. */
export function renderExplanationMarkdown(ex: Explanation): string {
  const t = ex.totals
  const lines = [
    `## bakedoctor: why the cache missed (${ex.run.id ?? 'run'})`,
    '',
    `**${formatRatio(t.hits, t.cacheable)}** cacheable steps from cache (**${formatPercent(t.hitRate)}**), time-weighted ${formatPercent(t.timeWeightedHitRate)}${t.servedInRun ? `, ${t.servedInRun} served in-run` : ''} · baseline ${ex.baseline?.id ?? 'none'} · ${ex.rootCauses.length} root cause(s)`,
    '',
  ]
  if (ex.rootCauses.length) {
    lines.push('### Root causes', '', '| # | verdict | step | evidence | invalidated | advice |', '|---|---|---|---|---|---|')
    const byKey = new Map(ex.steps.map((s) => [s.key, s]))
    ex.rootCauses.forEach((r, i) => {
      const evidence = [r.summary, ...evidenceLines(byKey.get(r.key)?.evidence, {self: r.key})].map(md).join('<br>')
      const where = whereWritten(byKey.get(r.key))
      lines.push(`| ${i + 1} | \`${r.verdict}\` | \`${md(r.label)}\`${where ? ` at ${md(where)}` : ''} | ${evidence} | ${r.invalidatedSteps} steps, ${formatDuration(r.invalidatedMs)} | ${md(r.advice ?? '')} |`)
    })
    lines.push('')
    const misses = ex.steps.filter((s) => s.verdict)
    lines.push('<details><summary>All misses</summary>', '', '| step | verdict | evidence |', '|---|---|---|')
    for (const s of misses) lines.push(`| \`${md(stepLabel(s))}\` | \`${s.verdict}\` | ${md(s.evidence?.summary ?? '')} |`)
    lines.push('', '</details>')
  } else lines.push(firstRunLine(ex) ?? (t.cacheable ? 'Every cacheable step came from cache.' : 'No cacheable steps in this run.'))
  if (ex.notes.length) lines.push('', ...ex.notes.map((n) => `> ${n}`))
  return lines.join('\n') + '\n'
}
