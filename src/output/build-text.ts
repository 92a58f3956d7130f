import type {BuildResult, BuildTargetRun} from '../services/build/index.js'
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
