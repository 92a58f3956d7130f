import {FORMATS, type EventFormat} from './formats.js'

/**
 * Decides the format from the first bytes of an input (up to a few KiB), by the detectors of
 * FORMATS. Explicit, never a silent guess: returns undefined when nothing matches, and the caller
 * reports that as an input error.
 */
export function detectFormat(head: Uint8Array): EventFormat | undefined {
  for (const f of FORMATS) if (f.detectBytes?.(head)) return f.name
  const text = new TextDecoder('utf-8', {fatal: false}).decode(head)
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '') continue
    for (const f of FORMATS) if (f.detectLine?.(line)) return f.name
  }
  return undefined
}
