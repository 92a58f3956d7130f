import type {GateResult, RuleResult} from '../domain/gate/types.js'
import {groupBySameCause} from '../domain/explain/root-cause-groups.js'
import {describeSource, baselineText, invalidatedText, ruleActualText, ruleRequiredText, ruleTitle, runLine, whereWrittenOf} from './gate-text.js'

const ICON: Record<RuleResult['status'], string> = {pass: '✅ pass', fail: '❌ fail', skip: '➖ skipped'}

/**
 * The gate report as GitHub-flavoured markdown, fit for `$GITHUB_STEP_SUMMARY` (appended, so several
 * gates in one job each add a section): a heading with the outcome, the rules table, the root
 * causes of a failure with their advice, and the thresholds with their sources.
 *
 * @example
 * ## ❌ bakedoctor gate: failed
 *
 * Gate failed for run r3: 2 of 3 rules failed
 *
 * | Rule | Actual | Required | Result |
 * |---|---|---|---|
 * | linux/arm64 hit rate | 0/9 (0%) | >= 50% | ❌ fail |
 */
export function renderGateMarkdown(result: GateResult): string {
  const out: string[] = []
  const word = result.passed ? 'passed' : result.outcome === 'build-failed' ? 'build failed' : result.outcome === 'empty' ? 'no cacheable steps' : result.outcome === 'not-evaluable' ? 'not judged' : 'failed'
  out.push(`## ${result.passed ? '✅' : '❌'} bakedoctor gate: ${word}`, '')
  out.push(text(result.headline), '')
  out.push(text(runLine(result)), '')
  if (result.rules.length) {
    out.push('| Rule | Actual | Required | Result |', '|---|---|---|---|')
    for (const r of result.rules) {
      out.push(`| ${cell(`${r.label} ${ruleTitle(r)}`)} | ${cell(ruleActualText(r))} | ${cell(ruleRequiredText(r))} | ${ICON[r.status]} |`)
    }
    out.push('')
    const skipped = result.rules.filter((r) => r.status === 'skip')
    for (const r of skipped) out.push(`- ${text(r.message)}`)
    if (skipped.length) out.push('')
  }
  if (result.rootCauses.length) {
    out.push(`### Top root causes (${result.rootCauses.length} of ${result.rootCauseCount})`, '')
    groupBySameCause(result.rootCauses).forEach((group, i) => {
      const c = group[0]!
      const where = whereWrittenOf(group)
      out.push(`${i + 1}. **${c.verdict}** ${group.map((g) => code(g.label)).join(', ')} — ${invalidatedText(group)}  `)
      if (where) out.push(`   at ${text(where)}  `)
      out.push(`   ${text(c.summary)}${c.advice ? '  ' : ''}`)
      if (c.advice) out.push(`   **Advice:** ${text(c.advice)}`)
    })
    out.push('')
  }
  out.push('<details><summary>Thresholds applied</summary>', '')
  out.push('| Setting | Value | Applies to | Source |', '|---|---|---|---|')
  for (const t of result.thresholds) out.push(`| ${cell(t.name)} | ${cell(t.value)} | ${cell(t.appliesTo)} | ${cell(describeSource(t.source))} |`)
  if (result.baseline) out.push('', `Baseline: ${text(baselineText(result))}`)
  out.push('', '</details>', '')
  if (result.notes.length) {
    for (const n of result.notes) out.push(`> ${text(n)}`)
    out.push('')
  }
  return out.join('\n')
}

/** Plain text in markdown: no accidental HTML, emphasis or links. */
function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]#|])/g, '\\$1').replace(/\r?\n/g, ' ')
}

/** A table cell: text with pipes escaped, on one line. */
function cell(s: string): string {
  return text(s)
}

/** Inline code that survives backticks inside (CommonMark: a longer fence). */
function code(s: string): string {
  const one = s.replace(/\r?\n/g, ' ')
  const longest = Math.max(0, ...(one.match(/`+/g) ?? []).map((m) => m.length))
  const fence = '`'.repeat(longest + 1)
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${one}${pad}${fence}`
}
