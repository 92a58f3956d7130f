import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import {InputError} from '../../domain/errors.js'
import {detectFormat} from '../../domain/events/detect-format.js'
import type {LineDecoder} from '../../domain/events/line-decoder.js'
import {formatSpec, type EventDecoder} from '../../domain/events/formats.js'
import {EVENT_FORMATS, type EventFormat, type StreamEvent} from '../../domain/events/stream-event.js'
import {DEFAULT_MAX_LINE_BYTES, LineSplitter, peek, readLines} from './read-lines.js'

const OVERSIZE_REASON = `longer than the ${DEFAULT_MAX_LINE_BYTES / 1024 / 1024} MiB line limit`

export interface EventSource {
  format: EventFormat
  /** `-` for stdin */
  file: string
  events: AsyncIterable<StreamEvent>
  /**
   * The same events in batches (all those of one read chunk), where the format allows: one await
   * per chunk rather than per event, for consumers that go through millions of them (ingest).
   * Iterate either `events` or `batches`, not both.
   */
  batches?: AsyncIterable<StreamEvent[]>
}

/**
 * Opens a file (or `-` for stdin), detects its format (or checks the one given), and returns its
 * events. Unreadable input is an InputError naming the file and, where it applies, the line.
 */
export async function openEventSource(file: string, options: {format?: EventFormat; stdin?: NodeJS.ReadableStream} = {}): Promise<EventSource> {
  if (options.format && !EVENT_FORMATS.includes(options.format)) {
    throw new InputError(`unknown format "${options.format}"`, {file, fix: `use one of: ${EVENT_FORMATS.join(', ')}`})
  }
  let raw: NodeJS.ReadableStream
  if (file === '-') {
    raw = options.stdin ?? process.stdin
  } else {
    try {
      const st = await stat(file)
      if (st.isDirectory()) throw new InputError('is a directory, not an event stream', {file, fix: 'pass the rawjson, Engine stream, .dockerbuild or plain log file itself'})
    } catch (error) {
      if (error instanceof InputError) throw error
      throw new InputError('cannot read the file: it does not exist or is not readable', {file, fix: 'check the path', cause: error})
    }
    raw = createReadStream(file, {highWaterMark: 1024 * 1024})
  }
  const {head, stream} = await peek(raw as unknown as import('node:stream').Readable)
  if (head.length === 0) {
    throw new InputError('the input is empty: no build events to read', {file, position: {line: 1}, fix: 'capture the build with --progress=rawjson (stderr) or pass a .dockerbuild / Engine stream file'})
  }
  const detected = detectFormat(head)
  const format = options.format ?? detected
  if (!format) {
    throw new InputError('not a recognised build event stream (rawjson, Docker Engine /build stream, .dockerbuild or --progress=plain log)', {
      file, position: {line: 1}, fix: 'pass --format rawjson|engine|dockerbuild|plain if you know the format, or check that the file is the build\'s stderr',
    })
  }
  if (options.format && detected && detected !== options.format && !(options.format === 'plain')) {
    throw new InputError(`--format ${options.format} was given, but the input looks like ${detected}`, {file, position: {line: 1}, fix: `drop --format or pass --format ${detected}`})
  }
  if (format === 'dockerbuild') {
    const {readDockerbuildStream} = await import('./read-dockerbuild.js')
    return {format, file, events: readDockerbuildStream(file, stream)}
  }
  const decoder = await createDecoder(format)
  if (decoder.pushBytes) {
    const batches = decodeBatches(stream, decoder as BytesDecoder, file)
    return {format, file, events: flatten(batches), batches}
  }
  return {format, file, events: decodeLines(stream, decoder, file)}
}

/** The line decoder of a format (the buildx driver decodes `--progress=rawjson` lines as they arrive). */
export async function createDecoder(format: Exclude<EventFormat, 'dockerbuild'>): Promise<EventDecoder> {
  return formatSpec(format).decoder!()
}

async function* decodeLines(stream: AsyncIterable<Buffer>, decoder: LineDecoder, file: string): AsyncGenerator<StreamEvent> {
  try {
    for await (const {text, line, oversize} of readLines(stream)) {
      if (oversize) {
        yield {type: 'skipped', text: text.slice(0, 80), position: {line}, reason: OVERSIZE_REASON}
        continue
      }
      yield* decoder.push(text, line)
    }
    yield* decoder.end()
  } catch (error) {
    if (error instanceof InputError) throw error.withFile(file)
    throw error
  }
}

type BytesDecoder = LineDecoder & {pushBytes: (bytes: Buffer, line: number) => StreamEvent[]}

/** A decoder that takes bytes (rawjson) decodes to text only what it needs; events come per read chunk. */
async function* decodeBatches(stream: AsyncIterable<Buffer>, decoder: BytesDecoder, file: string): AsyncGenerator<StreamEvent[]> {
  const splitter = new LineSplitter()
  const decode = (lines: ReturnType<LineSplitter['push']>): StreamEvent[] => {
    const out: StreamEvent[] = []
    for (const {bytes, line, oversize} of lines) {
      if (oversize) {
        out.push({type: 'skipped', text: bytes.toString('utf8').slice(0, 80), position: {line}, reason: OVERSIZE_REASON})
        continue
      }
      const events = decoder.pushBytes(bytes, line)
      for (let i = 0; i < events.length; i++) out.push(events[i]!)
    }
    return out
  }
  try {
    for await (const chunk of stream) {
      const events = decode(splitter.push(chunk))
      if (events.length) yield events
    }
    const last = [...decode(splitter.end()), ...decoder.end()]
    if (last.length) yield last
  } catch (error) {
    if (error instanceof InputError) throw error.withFile(file)
    throw error
  }
}

async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch
}
