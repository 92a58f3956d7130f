import type {StreamEvent} from './stream-event.js'

/**
 * A stateful decoder fed one input line at a time (without its newline; a trailing `\r` may remain).
 * `line` is 1-based. `end()` is called once at EOF and flushes whatever is pending.
 */
export interface LineDecoder {
  push(text: string, line: number): StreamEvent[]
  end(): StreamEvent[]
}
