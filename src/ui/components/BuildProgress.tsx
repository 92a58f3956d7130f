import {Box, Static, Text} from 'ink'
import {formatDuration} from '../../lib/format.js'
import type {BuildProgressCounts, LiveStep} from '../state/build-progress-state.js'

export interface BuildProgressProps {
  readonly finished: readonly LiveStep[]
  readonly counts: BuildProgressCounts
  readonly now: number
  readonly width: number
}

const mark: Record<string, {text: string; color: string}> = {
  cached: {text: 'CACHED', color: 'green'},
  done: {text: 'DONE  ', color: 'yellow'},
  error: {text: 'ERROR ', color: 'red'},
}

const cut = (text: string, width: number) => (text.length > width ? text.slice(0, Math.max(1, width - 1)) + '…' : text)

/** Finished steps scroll by above (Static); running steps with their last log line stay below. */
export function BuildProgress({finished, counts, now, width}: BuildProgressProps) {
  return (
    <Box flexDirection="column">
      <Static items={[...finished]}>
        {(s) => (
          <Text key={s.id}>
            <Text color={mark[s.state]?.color}>{mark[s.state]?.text ?? s.state}</Text> {cut(s.name, width - 18)}
            {s.state === 'done' && s.started !== undefined && s.completed !== undefined ? <Text dimColor> {formatDuration(s.completed - s.started)}</Text> : null}
          </Text>
        )}
      </Static>
      {counts.running.slice(0, 8).map((s) => (
        <Box key={s.id} flexDirection="column">
          <Text>
            <Text color="cyan">RUN   </Text> {cut(s.name, width - 18)} <Text dimColor>{s.started !== undefined ? formatDuration(now - s.started) : ''}</Text>
          </Text>
          {s.lastLog ? <Text dimColor>{'       ' + cut(s.lastLog, width - 8)}</Text> : null}
        </Box>
      ))}
      <Text dimColor>
        {counts.cached + counts.done + counts.errors}/{counts.total} steps · {counts.cached} cached · {counts.done} ran · {counts.errors} failed · {counts.running.length} running
      </Text>
    </Box>
  )
}
