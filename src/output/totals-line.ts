import type {RunTotals} from '../domain/model/run.js'
import {formatPercent, formatRatio} from '../lib/format.js'

/**
 * `Label: 12/40 cacheable steps from cache (30.0%), time-weighted …`. On its own so that `ingest`,
 * which prints only this line, does not load the run-detail presenter (it pulls in the Dockerfile
 * parser, ~20 ms of every ingest).
 */
export function renderTotalsLine(label: string, t: RunTotals): string {
  const inRun = t.servedInRun ? `, ${t.servedInRun} served in-run by a sibling target` : ''
  return `${label}: ${formatRatio(t.hits, t.cacheable)} cacheable steps from cache (${formatPercent(t.hitRate)}), time-weighted ${formatPercent(t.timeWeightedHitRate)}${inRun}`
}
