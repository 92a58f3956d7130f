import {Box, Text} from 'ink'
import type {ReactNode} from 'react'
import {truncate} from '../lines/text.js'

export interface PaneProps {
  readonly title: string
  readonly width: number
  readonly height: number
  readonly focused: boolean
  readonly children: ReactNode
}

/** A bordered box with a title row; the focused pane's border is highlighted. Inner size: width-2 × height-3. */
export function Pane({title, width, height, focused, children}: PaneProps) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="single" borderColor={focused ? 'cyan' : 'gray'}>
      <Text bold={focused} color={focused ? 'cyan' : undefined} wrap="truncate-end">
        {truncate(title, Math.max(1, width - 2))}
      </Text>
      {children}
    </Box>
  )
}

/** Rows of content a pane of `height` holds (border top/bottom and the title row). */
export const paneInner = (height: number) => Math.max(1, height - 3)
