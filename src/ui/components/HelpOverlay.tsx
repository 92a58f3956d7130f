import {Box, Text} from 'ink'
import {KEYMAP, keyLabel, SEARCH_KEYMAP} from '../keymap.js'
import {MARKS, truncate, type Line} from '../lines/text.js'
import {LineList} from './LineList.js'

export interface HelpOverlayProps {
  readonly width: number
  readonly height: number
}

/** Every key of the keymap (and of search mode), then the legend of the marks. */
export function helpLines(): Line[] {
  const keyWidth = Math.max(...KEYMAP.map((b) => keyLabel(b).length), ...SEARCH_KEYMAP.map((b) => keyLabel(b).length))
  const lines: Line[] = [{text: 'Keys', bold: true}]
  for (const b of KEYMAP) lines.push({text: `  ${keyLabel(b).padEnd(keyWidth)}  ${b.help}`})
  lines.push({text: ''}, {text: 'While searching (/)', bold: true})
  lines.push({text: `  ${'text'.padEnd(keyWidth)}  type to filter steps by instruction, target, platform, stage or verdict`})
  for (const b of SEARCH_KEYMAP) lines.push({text: `  ${keyLabel(b).padEnd(keyWidth)}  ${b.help}`})
  lines.push({text: ''}, {text: 'Marks', bold: true})
  for (const m of Object.values(MARKS)) lines.push({text: `  ${m.glyph.padEnd(keyWidth)}  ${m.meaning}`, color: m.color})
  lines.push({text: `  ${'verdicts'.padEnd(keyWidth)}  upstream-invalidated: an earlier step in its chain missed (g jumps to its root cause)`})
  return lines
}

export function HelpOverlay({width, height}: HelpOverlayProps) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="double" borderColor="cyan">
      <Text bold color="cyan">{truncate('Help — ? or esc closes', width - 2)}</Text>
      <LineList lines={helpLines()} width={width - 2} height={Math.max(1, height - 3)} />
    </Box>
  )
}
