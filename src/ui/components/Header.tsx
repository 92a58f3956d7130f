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

/** `run r2 vs r1`, targets, platforms, then hit rates, duration and root-cause count. Two rows. */
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
    totals.servedInRun ? `${totals.servedInRun} served in-run` : '',
    `duration ${formatDuration(run.durationMs)}`,
    rootCauseCost(explanation),
    filters ? `filter: ${filters}` : '',
  ].filter(Boolean).join(' · ')
  return [first, second]
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
      <Text wrap="truncate-end" color={explanation.rootCauses.length > 0 ? 'yellow' : 'green'}>{truncate(second, width)}</Text>
    </Box>
  )
}
