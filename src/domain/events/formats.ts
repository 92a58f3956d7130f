import type {LineDecoder} from './line-decoder.js'
import type {StreamEvent} from './stream-event.js'

/** The event formats bakedoctor reads (in the order messages list them). */
export const EVENT_FORMATS = ['rawjson', 'engine', 'dockerbuild', 'plain'] as const
export type EventFormat = (typeof EVENT_FORMATS)[number]

/** A decoder that can also take a line's bytes, decoding to text only what it needs (rawjson). */
export type EventDecoder = LineDecoder & {pushBytes?: (bytes: Buffer, line: number) => StreamEvent[]}

/**
 * How one format is recognised and decoded. A new source is a decoder file plus one entry in
 * FORMATS (docs/architecture.md, "Where do I add…").
 */
export interface EventFormatSpec {
  name: EventFormat
  /** the input's first bytes say it is this format (binary formats) */
  detectBytes?: (head: Uint8Array) => boolean
  /** this trimmed, non-empty line of the input's head says it is this format */
  detectLine?: (line: string) => boolean
  /** its events carry no wall-clock times (synthetic ones): a run ingested from it is dated by the file */
  clockless?: boolean
  /** its line decoder; a format without one is read by its own adapter (.dockerbuild archives) */
  decoder?: () => Promise<EventDecoder>
}

/** Tried in this order: the first format whose detector matches wins. */
export const FORMATS: readonly EventFormatSpec[] = [
  {
    name: 'dockerbuild',
    detectBytes: (head) => (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) || // gzip
      (head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar'), // plain tar
  },
  {
    name: 'engine',
    detectLine: (line) => line.startsWith('{') && /"id"\s*:\s*"moby\.(buildkit\.trace|image\.id)"|"errorDetail"\s*:|^\{"stream"\s*:|^\{"aux"\s*:/.test(line),
    decoder: async () => (await import('./decode-engine.js')).createEngineDecoder(),
  },
  {
    name: 'rawjson',
    // `{` alone opens the older indented form
    detectLine: (line) => line === '{' || /^\{\s*"(vertexes|statuses|logs|warnings|Vertexes|Statuses|Logs|Warnings)"\s*:/.test(line),
    decoder: async () => (await import('./decode-rawjson.js')).createRawjsonDecoder(),
  },
  {
    name: 'plain',
    clockless: true,
    detectLine: (line) => /^#\d+ /.test(line),
    decoder: async () => (await import('./decode-plain.js')).createPlainDecoder(),
  },
]

export function formatSpec(name: EventFormat): EventFormatSpec {
  return FORMATS.find((f) => f.name === name)!
}
