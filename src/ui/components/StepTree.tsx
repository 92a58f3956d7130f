import {Box, Text} from 'ink'
import type {StepExplanation} from '../../domain/explain/types.js'
import {rowLine} from '../lines/row-text.js'
import {truncate} from '../lines/text.js'
import type {Row} from '../state/step-tree.js'

export interface StepTreeProps {
  /** the rows in view, with their index among all rows */
  readonly rows: readonly {row: Row; index: number}[]
  readonly cursor: number
  readonly steps: readonly StepExplanation[]
  readonly width: number
  readonly height: number
  /** draw the cursor highlighted (the tree has focus) */
  readonly focused: boolean
}

/** The step tree: groups with ▾/▸, steps with their hit/miss/root mark, duration and verdict. */
export function StepTree({rows, cursor, steps, width, height, focused}: StepTreeProps) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      {rows.length === 0 ? <Text dimColor>{truncate('no step matches the filters', width)}</Text> : null}
      {rows.map(({row, index}) => {
        const line = rowLine(row, steps, width - 1)
        const selected = index === cursor
        return (
          <Text key={row.id} wrap="truncate-end" inverse={selected && focused} underline={selected && !focused} color={line.color} bold={line.bold}>
            {(selected ? '›' : ' ') + line.text}
          </Text>
        )
      })}
    </Box>
  )
}
