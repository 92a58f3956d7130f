import type {BuildResult, BuildTargetRun} from '../domain/results.js'
import {formatDuration, formatPercent, formatRatio} from '../lib/format.js'
import type {RunTotals} from '../domain/model/run.js'

function totalsText(t: RunTotals): string {
  const inRun = t.servedInRun ? `, ${t.servedInRun} served in-run` : ''
  return `${formatRatio(t.hits, t.cacheable)} cacheable steps from cache (${formatPercent(t.hitRate)})${inRun}`
}

function runHeader(r: BuildTargetRun): string {
  const what = r.targets.join(', ') || '(no target)'
  const platform = r.platform ? ` ${r.platform}` : ''
  return `${r.id} ${what}${platform}: ${r.status}, ${formatDuration(r.durationMs)}`
}

/**
 * @example
 * r4 api linux/amd64: completed, 3.2s
 *   hits: 5/6 cacheable steps from cache (83.3%)
 */
export function renderBuildSummary(result: BuildResult): string {
  if (result.runs.length === 0) return result.cancelled ? 'Build cancelled before any step ran.' : 'Nothing was built.'
  const lines: string[] = []
  for (const r of result.runs) {
    lines.push(runHeader(r))
    if (r.byTarget.length > 1) for (const t of r.byTarget) lines.push(`  ${t.target}: ${totalsText(t.totals)}`)
    if (r.byPlatform.length > 1 || (r.byPlatform.length === 1 && r.byPlatform[0]!.platform)) {
      for (const p of r.byPlatform) lines.push(`  ${p.platform || 'default platform'}: ${totalsText(p.totals)}`)
    }
    lines.push(`  total: ${totalsText(r.totals)}`)
    if (r.error) lines.push(`  error: ${r.error}`)
  }
  lines.push(`Recorded in ${result.db}`)
  return lines.join('\n')
}

/** The build summary, then each recorded run's explanation (the TUI on a terminal) and gate report. */
export async function presentBuild(result: BuildResult, options: {tui: boolean; out: (text: string) => void}): Promise<void> {
  options.out(renderBuildSummary(result))
  if (result.explanations?.length) {
    const [{showExplanation}, {shouldUseTui}] = await Promise.all([import('./show-explanation.js'), import('../ui/tty.js')])
    const tui = options.tui && shouldUseTui(process.stdout, {stdin: process.stdin})
    for (const explanation of result.explanations) await showExplanation({explanation}, {tui, out: (text) => options.out('\n' + text)})
  }
  if (result.gates?.length) {
    const {renderGateText} = await import('./gate-text.js')
    for (const gate of result.gates) options.out('\n' + renderGateText(gate))
  }
}

/** Why `build` exits 1: a build that failed or was cancelled, or a gate that did not pass. */
export function buildFailure(result: BuildResult): string | undefined {
  const bad = result.runs.find((r) => r.status !== 'completed')
  if (!result.ok) return bad ? `run ${bad.id} ${bad.status}${bad.error && bad.error !== bad.status ? `: ${bad.error}` : ''}` : 'nothing was built'
  return result.gates?.find((g) => !g.passed)?.headline
}
