import {THRESHOLDS, ruleOf, thresholdValueText} from '../domain/gate/rule-registry.js'
import type {AppliedThreshold, GateResult, GateRootCause, RuleResult, SettingSource} from '../domain/gate/types.js'
import {groupBySameCause} from '../domain/explain/root-cause-groups.js'
import {formatDuration, formatPercent} from '../lib/format.js'
import {whereWrittenAll} from './definition-text.js'

const STATUS: Record<RuleResult['status'], string> = {pass: 'PASS', fail: 'FAIL', skip: 'SKIP'}

/**
 * The gate report for a terminal or a CI log: one line per rule with actual vs required, the
 * thresholds applied and where each came from, and for a failure the top root causes.
 *
 * @example
 * FAIL  Gate failed for run r3: 2 of 3 rules failed
 * Run r3: target api, platforms linux/amd64, linux/arm64, completed
 *
 * Rules
 *   overall hit rate 5/18 (27.8%) < 50%  FAIL
 *   linux/amd64 hit rate 5/9 (55.6%) >= 50%  PASS
 *   linux/arm64 hit rate 0/9 (0%) < 50%  FAIL
 *
 * Thresholds
 *   min-hit-rate 50% for all (flag --min-hit-rate)
 *
 * Top root causes (3 of 3)
 *   1. cache-unavailable  [api linux/arm64 deps 2/4] WORKDIR /app  (invalidated 3 steps, 310ms)
 *      nothing it depends on changed (base sha256:269c345739b2), yet it missed: the cache could not serve it
 *      Advice: The cache for this platform was not served: export per-platform cache refs …
 */
export function renderGateText(result: GateResult): string {
  const lines: string[] = []
  lines.push(`${result.passed ? 'PASS' : result.outcome === 'not-evaluable' ? 'STOP' : 'FAIL'}  ${result.headline}`)
  lines.push(runLine(result))
  if (result.rules.length) {
    lines.push('', 'Rules')
    for (const r of result.rules) lines.push(`  ${r.message}  ${STATUS[r.status]}`)
  }
  lines.push('', 'Thresholds')
  for (const t of result.thresholds) lines.push(`  ${thresholdLine(t)}`)
  if (result.baseline) lines.push(`Baseline: ${baselineText(result)}`)
  if (result.rootCauses.length) {
    lines.push('', `Top root causes (${result.rootCauses.length} of ${result.rootCauseCount})`)
    lines.push(...rootCauseLines(result.rootCauses).map((l) => `  ${l}`))
  }
  if (result.notes.length) {
    lines.push('', 'Notes')
    for (const n of result.notes) lines.push(`  ${n}`)
  }
  return lines.join('\n')
}

/** `Run r3: target api, platforms linux/amd64, linux/arm64, completed, branch main` */
export function runLine(result: GateResult): string {
  const r = result.run
  const parts = [
    r.targets.length ? `${r.targets.length === 1 ? 'target' : 'targets'} ${r.targets.join(', ')}` : undefined,
    r.platforms.length ? `${r.platforms.length === 1 ? 'platform' : 'platforms'} ${r.platforms.join(', ')}` : undefined,
    r.status,
    r.branch ? `branch ${r.branch}` : undefined,
    r.commit ? `commit ${r.commit.slice(0, 12)}` : undefined,
    result.filter.target ? `gated on target ${result.filter.target} only` : undefined,
    result.filter.platform ? `gated on platform ${result.filter.platform} only` : undefined,
  ].filter(Boolean)
  const hits = `${result.totals.hits}/${result.totals.cacheable} cacheable steps from cache (${formatPercent(result.totals.hitRate)})` +
    (result.totals.servedInRun ? `, ${result.totals.servedInRun} served in-run by a sibling target (not hits)` : '')
  return `Run ${r.id}: ${parts.join(', ')}; ${hits}`
}

export function thresholdLine(t: AppliedThreshold): string {
  const scoped = THRESHOLDS.some((threshold) => threshold.flag === t.name)
  return `${t.name} ${t.value}${scoped ? ` for ${t.appliesTo}` : ''} (${describeSource(t.source)})`
}

export function baselineText(result: GateResult): string {
  const b = result.baseline
  if (!b) return ''
  const asked = `${b.ref} (${describeSource(b.source)})`
  return b.id ? `${b.id}, ${asked}` : `none: ${b.missing ?? 'not found'}; asked for ${asked}`
}

/** The figure a rule measured, for tables: `0/9 (0%)`, `39%`, `12.5 points (100% → 87.5%)`. */
export function ruleActualText(r: RuleResult): string {
  if (r.actual === null) return 'unknown'
  switch (r.kind) {
    case 'hit-rate':
      return `${r.hits}/${r.cacheable} (${formatPercent(r.actual / 100)})${r.servedInRun ? ` +${r.servedInRun} in-run` : ''}`
    case 'time-saved-rate':
      return `${formatPercent(r.actual / 100)} (${formatDuration(r.savedMs)} saved, ${formatDuration(r.spentMs)} spent)`
    case 'max-drop':
      return `${Math.round(r.actual * 10) / 10} points (${formatPercent((r.baselineRate ?? 0) / 100)} → ${formatPercent((r.rate ?? 0) / 100)})`
    default:
      // a rule without a figure of its own here: its value in its threshold's unit
      return ruleOf(r.kind).threshold.unit === 'points' ? `${Math.round(r.actual * 10) / 10} points` : formatPercent(r.actual / 100)
  }
}

/** What a rule measures, as reports name it: `hit rate`. */
export function ruleTitle(r: RuleResult): string {
  return ruleOf(r.kind).title
}

/** `>= 80%`, `<= 5 points` */
export function ruleRequiredText(r: RuleResult): string {
  return `${r.comparison} ${thresholdValueText(ruleOf(r.kind).threshold.name, r.required.value)}`
}

/**
 * Numbered root causes; those with the same verdict and evidence (a moved base image under every
 * stage and platform) as one item listing each step, with what they invalidated together.
 */
export function rootCauseLines(causes: readonly GateRootCause[]): string[] {
  const out: string[] = []
  groupBySameCause(causes).forEach((group, i) => {
    const c = group[0]!
    const head = `${i + 1}. ${c.verdict}  `
    out.push(`${head}${c.label}  (${invalidatedText(group)})`)
    for (const other of group.slice(1)) out.push(`${' '.repeat(head.length)}${other.label}`)
    const where = whereWrittenOf(group)
    if (where) out.push(`   at ${where}`)
    out.push(`   ${c.summary}`)
    if (c.advice) out.push(`   Advice: ${c.advice}`)
  })
  return out
}

/** `invalidated 18 steps, 1.28s`: of every cause in the group */
export function invalidatedText(group: readonly GateRootCause[]): string {
  const steps = group.reduce((n, c) => n + c.invalidatedSteps, 0)
  return `invalidated ${steps} step${steps === 1 ? '' : 's'}, ${formatDuration(group.reduce((ms, c) => ms + c.invalidatedMs, 0))}`
}

/** `Dockerfile:3, 8` for the causes that have a line */
export function whereWrittenOf(group: readonly GateRootCause[]): string | undefined {
  return whereWrittenAll(group.map((c) => c.dockerfile && {dockerfile: c.dockerfile.file, dockerfileLine: c.dockerfile.line}))
}

/** `flag --min-hit-rate`, `bakedoctor.config.json gate.minHitRate` (path as given), `default`. */
export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case 'flag':
      return `flag ${source.flag}`
    case 'config':
      return `${source.file} ${source.path}`
    case 'default':
      return 'default'
  }
}
