import type {EventFormat} from './stream-event.js'

/**
 * Decides the format from the first bytes of an input (up to a few KiB). Explicit, never a silent
 * guess: returns undefined when nothing matches, and the caller reports that as an input error.
 */
export function detectFormat(head: Uint8Array): EventFormat | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'dockerbuild' // gzip
  if (head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar') return 'dockerbuild' // plain tar
  const text = new TextDecoder('utf-8', {fatal: false}).decode(head)
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '') continue
    if (line === '{') return 'rawjson' // indented rawjson
    if (line.startsWith('{')) {
      if (/"id"\s*:\s*"moby\.(buildkit\.trace|image\.id)"|"errorDetail"\s*:|^\{"stream"\s*:|^\{"aux"\s*:/.test(line)) return 'engine'
      if (/^\{\s*"(vertexes|statuses|logs|warnings|Vertexes|Statuses|Logs|Warnings)"\s*:/.test(line)) return 'rawjson'
      continue
    }
    if (/^#\d+ /.test(line)) return 'plain'
  }
  return undefined
}
