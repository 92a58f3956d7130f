import {Box, Text} from 'ink'
import {truncate, type Line} from '../lines/text.js'

export interface LineListProps {
  readonly lines: readonly Line[]
  readonly width: number
  /** rows available; lines beyond are cut (scroll with `scroll`) */
  readonly height: number
  /** first line shown; clamped so the last page stays full */
  readonly scroll?: number
}

/** Clamps a scroll offset to the lines available. */
export function clampScroll(scroll: number, total: number, height: number): number {
  return Math.max(0, Math.min(scroll, total - height))
}

/** Paints pre-cut lines, one Text per row, never wrapping. */
export function LineList({lines, width, height, scroll = 0}: LineListProps) {
  const top = clampScroll(scroll, lines.length, height)
  const shown = lines.slice(top, top + Math.max(0, height))
  return (
    <Box flexDirection="column" width={width} height={Math.max(0, height)}>
      {shown.map((l, i) => (
        <Text key={top + i} color={l.color} bold={l.bold} dimColor={l.dim} wrap="truncate-end">
          {truncate(l.text, width) || ' '}
        </Text>
      ))}
    </Box>
  )
}
