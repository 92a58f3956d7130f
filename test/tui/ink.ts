import {stripVTControlCharacters} from 'node:util'

/** The last frame of an ink-testing-library render, ANSI stripped. */
export const plain = (frame: string | undefined) => stripVTControlCharacters(frame ?? '')

/** Polls `read()` until `predicate` holds (no fixed sleeps); throws with the last value on timeout. */
export async function waitFor(read: () => string, predicate: (text: string) => boolean, timeoutMs = 3000): Promise<string> {
  const end = Date.now() + timeoutMs
  let last = read()
  while (!predicate(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting; last frame:\n${last}`)
    await new Promise((r) => setTimeout(r, 10))
    last = read()
  }
  return last
}

export const KEYS = {
  down: '\u001B[B',
  up: '\u001B[A',
  right: '\u001B[C',
  left: '\u001B[D',
  enter: '\r',
  tab: '\t',
  escape: '\u001B',
  backspace: '\u007F',
  ctrlC: '\u0003',
}

/** Waits until ink listens for keys (its input effect runs after the first frame is written). */
export async function waitForKeys(stdin: {listenerCount: (event: string) => number}): Promise<void> {
  await waitFor(() => String(stdin.listenerCount('readable')), (n) => n !== '0')
}

/** The last complete frame ink wrote to a raw stream (frames are wrapped in synchronized-output marks). */
export function lastWrittenFrame(output: readonly string[]): string {
  const chunks = output.join('').split('\u001B[?2026h').map((c) => plain(c.replace('\u001B[?2026l', '')))
  for (let i = chunks.length - 1; i >= 0; i--) if (chunks[i]!.trim() !== '') return chunks[i]!
  return ''
}
