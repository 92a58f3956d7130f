import {Box, Text} from 'ink'
import type {Explanation} from '../../domain/explain/types.js'
import {formatDuration, formatPercent, formatRatio} from '../../lib/format.js'
import {truncate} from '../lines/text.js'

export interface HeaderProps {
  readonly explanation: Explanation
  readonly width: number
  /** active filters in words (`misses only · platform linux/arm64`), '' for none */
  readonly filters?: string
  /** the command shown in the title (`explain`, `diff`) */
  readonly command?: string
}

/** `run r2 vs r1`, targets, platforms, then hit rates, what the root causes cost, and duration. Two rows. */
export function headerLines(explanation: Explanation, filters = '', command = 'explain'): [string, string] {
  const {run, baseline, totals} = explanation
  const against = baseline ? `vs ${baseline.id ?? 'baseline'}` : 'no baseline'
  const first = [
    `bakedoctor ${command} · run ${run.id ?? '?'} ${against}`,
    `targets ${run.targets.join(', ') || '-'}`,
    `platforms ${run.platforms.join(', ') || '-'}`,
    run.status === 'completed' ? '' : run.status.toUpperCase(),
  ].filter(Boolean).join(' · ')
  const second = [
    `hit rate ${formatRatio(totals.hits, totals.cacheable)} (${formatPercent(totals.hitRate)})`,
    `time-weighted ${formatPercent(totals.timeWeightedHitRate)}`,
    // what the root causes cost comes before the duration: on a narrow terminal the last items give way
    rootCauseCost(explanation),
    filters ? `filter: ${filters}` : '',
    totals.servedInRun ? `${totals.servedInRun} served in-run` : '',
    `duration ${formatDuration(run.durationMs)}`,
  ].filter(Boolean)
  return [first, second.join(' · ')]
}

/** The items that fit `width` whole, joined with ` · `; later items give way first (the first is cut if it alone is too long). */
function wholeItems(line: string, width: number): string {
  const items = line.split(' · ')
  let out = items[0]!
  for (const item of items.slice(1)) {
    if (`${out} · ${item}`.length > width) break
    out = `${out} · ${item}`
  }
  return truncate(out, width)
}

/** `2 root causes cost 7 steps, 1.30s` (the steps they invalidated): what the root causes cost, not only how many there are. */
function rootCauseCost(explanation: Explanation): string {
  const roots = explanation.rootCauses.length
  if (roots === 0) return explanation.firstRun ? 'first recorded run: nothing to compare' : '0 root causes'
  const steps = explanation.rootCauses.reduce((n, r) => n + r.invalidatedSteps, 0)
  const ms = explanation.rootCauses.reduce((n, r) => n + r.invalidatedMs, 0)
  return `${roots} root cause${roots === 1 ? '' : 's'} cost ${steps} step${steps === 1 ? '' : 's'}, ${formatDuration(ms)}`
}

export function Header({explanation, width, filters, command}: HeaderProps) {
  const [first, second] = headerLines(explanation, filters, command)
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">{truncate(first, width)}</Text>
      <Text wrap="truncate-end" color={explanation.rootCauses.length > 0 ? 'yellow' : 'green'}>{wholeItems(second, width)}</Text>
    </Box>
  )
}
