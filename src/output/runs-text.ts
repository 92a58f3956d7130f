import type {RunSummary} from '../domain/model/run-summary.js'
import {definitionLines, formatStepLocation} from './definition-text.js'
import type {RunDetail} from '../domain/results.js'
import {columnRoom, fitList, fitLine, formatDuration, formatPercent, formatRatio, formatTime, table, truncate} from '../lib/format.js'
import type {Step} from '../domain/model/run.js'
import {stepLabel} from '../domain/model/step-identity.js'
import {sortSteps} from '../domain/model/step-order.js'
import {stepWrittenAt} from '../domain/explain/where-written.js'
import {renderTotalsLine} from './totals-line.js'

/**
 * @example
 * ID   CREATED               TARGETS  PLATFORMS                HITS   HIT RATE  TIME-WEIGHTED  DURATION  STATUS
 * r3   2026-11-23 14:06:16Z  api      linux/amd64,linux/arm64  5/18   27.8%     -              41.2s     completed
 */
export function renderRunList(runs: RunSummary[], options: {width?: number} = {}): string {
  if (runs.length === 0) return 'No runs in the index yet. Record one with `bakedoctor ingest FILE` or `bakedoctor build`.'
  const rows = [['ID', 'CREATED', 'TARGETS', 'PLATFORMS', 'HITS', 'HIT RATE', 'TIME-WEIGHTED', 'DURATION', 'STATUS']]
  for (const r of runs) {
    rows.push([
      r.id, formatTime(r.createdAt), r.targets.join(',') || '-', r.platforms.join(',') || '-',
      formatRatio(r.hits, r.cacheable) + (r.servedInRun ? ` (+${r.servedInRun} in-run)` : ''),
      formatPercent(r.hitRate), formatPercent(r.timeWeightedHitRate), formatDuration(r.durationMs), r.status,
    ])
  }
  let left: string[] = []
  if (options.width !== undefined) {
    left = dropForRoom(rows, options.width)
    const [t, p] = [rows[0]!.indexOf('TARGETS'), rows[0]!.indexOf('PLATFORMS')]
    // on a terminal the list fits its width: long target and platform lists are cut to `a,b,+14`
    const room = Math.max(16, columnRoom(rows, [t, p], options.width))
    // platforms are few and each matters: they keep their width while targets keep at least 12 columns
    const platformsWidth = Math.min(Math.max(...rows.map((row) => row[p]!.length)), Math.max(Math.floor(room / 2), room - 12))
    runs.forEach((r, i) => {
      rows[i + 1]![p] = fitList(r.platforms, platformsWidth) || '-'
      rows[i + 1]![t] = fitList(r.targets, room - Math.max(9, ...rows.map((row) => row[p]!.length))) || '-'
    })
  }
  return table(rows) + (left.length ? `\n(left out to fit the terminal: ${left.join(', ')})` : '')
}

/** The columns a narrow terminal gives up first, so targets and platforms stay readable: least telling first. */
const DROP_ORDER = ['DURATION', 'HITS', 'CREATED', 'TIME-WEIGHTED']

/**
 * Removes columns of `rows` (in place) in DROP_ORDER until targets get 12 columns (or their
 * width) and platforms their whole width (at most 23: two of them); returns the headers removed.
 */
function dropForRoom(rows: string[][], width: number): string[] {
  const at = (header: string) => rows[0]!.indexOf(header)
  const widest = (c: number) => Math.max(...rows.map((row) => row[c]!.length))
  const need = Math.min(widest(at('TARGETS')), 12) + Math.min(widest(at('PLATFORMS')), 23)
  const left: string[] = []
  for (const header of DROP_ORDER) {
    if (columnRoom(rows, [at('TARGETS'), at('PLATFORMS')], width) >= need) break
    const c = at(header)
    for (const row of rows) row.splice(c, 1)
    left.push(header)
  }
  return left
}

export {renderTotalsLine}

function mark(s: Step): string {
  if (s.error) return 'ERROR '
  if (s.servedInRun) return 'IN-RUN'
  if (s.cached) return 'CACHED'
  if (!s.completed) return s.started !== undefined ? 'CUT   ' : 'SKIP  '
  return 'RAN   '
}

/**
 * Steps grouped by target / platform / stage with their state and duration. With `width` (a
 * terminal) lines fit it: a step's instruction is cut, its state, time and Dockerfile line stay;
 * other long lines end cut. Piped output is never cut.
 */
export function renderRunDetail(detail: RunDetail, options: {internal?: boolean; definitions?: boolean; width?: number} = {}): string {
  const {run} = detail
  const lines: string[] = []
  lines.push(`Run ${run.id}  ${formatTime(run.createdAt)}  ${run.status}${run.error ? `: ${run.error}` : ''}`)
  lines.push(`Source: ${run.source}${run.sourceFile ? ` (${run.sourceFile})` : ''}${run.git?.branch ? `  branch ${run.git.branch}` : ''}${run.git?.commit ? `  commit ${run.git.commit.slice(0, 12)}` : ''}`)
  lines.push(`Duration: ${formatDuration(run.durationMs)}`)
  for (const cut of run.cutByLimits ?? []) lines.push(`Cut by a limit: ${cut}`)
  lines.push(renderTotalsLine('Overall', detail.totals))
  for (const [k, t] of Object.entries(detail.byTargetPlatform)) lines.push(renderTotalsLine(`  ${k}`, t))
  // groups and steps in the one step order (domain/model/step-order.ts): a group starts where its first step sorts
  const groups = new Map<string, Step[]>()
  for (const s of sortSteps(run)) {
    if (s.internal && !options.internal && !s.error) continue
    const key = s.internal ? `${s.target ?? 'default'} / internal` : `${s.target ?? 'default'} / ${s.platform ?? 'default'} / ${s.stage ?? 'main'}`
    let g = groups.get(key)
    if (!g) groups.set(key, (g = []))
    g.push(s)
  }
  for (const [key, steps] of groups) {
    lines.push('', key)
    for (const s of steps) {
      // provenance gives the whole range a step spans; otherwise the one line the run recorded
      const where = formatStepLocation(s.provenance?.location) ?? formatWrittenAt(stepWrittenAt(s, run))
      const head = `  ${mark(s)}  ${formatDuration(s.durationMs).padStart(7)}  ${s.index !== undefined ? `${s.index}/${s.total} ` : ''}`
      lines.push(fitLine([head, s.instruction, where ? `  (${where})` : ''], [1], options.width))
      if (options.definitions && s.provenance) for (const l of definitionLines(s.provenance.definition)) lines.push(`          ${l}`)
      if (s.error) {
        lines.push(`          error: ${s.error}`)
        for (const l of s.logTail.slice(-5)) lines.push(`          | ${l}`)
      }
    }
  }
  const {width} = options
  return (width === undefined ? lines : lines.map((l) => truncate(l, width))).join('\n')
}

export {stepLabel}

const formatWrittenAt = (at: {file: string; line: number} | undefined): string | undefined => at && `${at.file}:${at.line}`
