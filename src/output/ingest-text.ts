import type {IngestResult} from '../domain/results.js'
import {renderTotalsLine} from './totals-line.js'

/** What `ingest` prints: the recorded run on stdout; notes and warnings about the input for stderr. */
export function presentIngest(result: IngestResult, file: string): {report: string; notes: string[]} {
  const r = result.run
  if (result.alreadyRecorded) {
    return {report: `${file} is already recorded as ${r.id} (same content, ${result.sourceSha256.slice(0, 19)}…): nothing recorded; pass --again to record it once more`, notes: []}
  }
  const lines = [
    `Recorded ${r.id} from ${file} (${result.format}): ${r.stepCount} vertices, ${r.status}${r.targets.length ? `, targets ${r.targets.join(', ')}` : ''}`,
    renderTotalsLine('  Hit rate', {cacheable: r.cacheable, hits: r.hits, servedInRun: r.servedInRun, misses: r.cacheable - r.hits - r.servedInRun, hitRate: r.hitRate, timeWeightedHitRate: r.timeWeightedHitRate, savedMs: 0, spentMs: 0}),
  ]
  if (result.definitions) lines.push(`  Definitions: ${result.definitions} step(s) from provenance`)
  const notes = [
    ...result.notes.map((n) => `note: ${n}`),
    ...result.brokenLines.map((b) => `warning: ${file}:${b.line}: skipped: ${b.reason}`),
  ]
  if (result.skippedLines) notes.push(`note: ${result.skippedLines} non-event line(s) skipped${result.brokenLines.length ? ' (see the warnings above)' : ''}`)
  return {report: lines.join('\n'), notes}
}
