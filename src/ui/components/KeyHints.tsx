import {Text} from 'ink'
import {KEYMAP, keyLabel} from '../keymap.js'
import {truncate} from '../lines/text.js'

export interface KeyHintsProps {
  readonly width: number
  readonly searching: boolean
  readonly query: string
  /** a one-off note (e.g. "no root cause in this run") shown instead of the hints */
  readonly message?: string
  /** active filters in words, shown before the hints */
  readonly filters?: string
}

/** The bottom row: the search prompt while typing, a note, or the main keys. */
export function KeyHints({width, searching, query, message, filters}: KeyHintsProps) {
  if (searching) return <Text color="cyan" wrap="truncate-end">{truncate(`/${query}▏  enter keep · esc cancel`, width)}</Text>
  if (message) return <Text color="yellow" wrap="truncate-end">{truncate(message, width)}</Text>
  // quit and help first: when the row is cut on a narrow terminal, those are the two that must survive
  const order = (b: (typeof KEYMAP)[number]) => (b.action.type === 'quit' ? 0 : b.action.type === 'toggleHelp' ? 1 : 2)
  const hints = KEYMAP.filter((b) => b.hint)
    .sort((a, b) => order(a) - order(b))
    .map((b) => `${keyLabel({...b, keys: b.keys.slice(0, 1)})} ${b.hint}`)
  if (filters) {
    return (
      <Text wrap="truncate-end">
        <Text color="yellow">{truncate(`filter: ${filters}`, width)}</Text>
        <Text dimColor>{truncate(` │ ${hints.join(' · ')}`, Math.max(0, width - filters.length - 8))}</Text>
      </Text>
    )
  }
  return <Text dimColor wrap="truncate-end">{truncate(hints.join(' · '), width)}</Text>
}
