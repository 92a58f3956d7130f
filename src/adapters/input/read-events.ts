import {createReadStream} from 'node:fs'
import {open, stat} from 'node:fs/promises'
import {InputError} from '../../domain/errors.js'
import {detectFormat} from '../../domain/events/detect-format.js'
import type {LineDecoder} from '../../domain/events/line-decoder.js'
import {formatSpec, type EventDecoder} from '../../domain/events/formats.js'
import {EVENT_FORMATS, type EventFormat, type StreamEvent} from '../../domain/events/stream-event.js'
import {DEFAULT_MAX_LINE_BYTES, LineSplitter, peek, readLines} from './read-lines.js'

const READ_CHUNK_BYTES = 1024 * 1024
const READ_BUFFERS = 4

/**
 * Read buffers a file source may reuse, for a consumer that keeps no reference into one once
 * `release()` has returned (the fold copies out the log bytes it keeps). A fresh 1 MiB buffer per
 * read costs page faults, unmapping and GC pressure on every read (~45 ms of a 165 MB ingest) and
 * leaves the heap fragmented.
 */
export interface BufferReuse {
  /** called before a buffer handed out earlier is overwritten: drop or copy what points into it */
  release: (buffer: ArrayBufferLike) => void
  /** bytes per read (default 1 MiB) */
  chunkBytes?: number
}

/**
 * The file in chunks read into READ_BUFFERS buffers in turn (one read ahead); `reuse.release(buffer)`
 * is called before a buffer that was handed out is read into again. Each chunk is a view on its
 * buffer. Several buffers: what a consumer still holds of a chunk when its buffer comes round again
 * (the output of a step still running) is usually little.
 */
async function* readReusingBuffers(file: string, reuse: BufferReuse, reusable: () => boolean): AsyncGenerator<Buffer> {
  const size = reuse.chunkBytes ?? READ_CHUNK_BYTES
  const buffers = Array.from({length: READ_BUFFERS}, () => Buffer.allocUnsafeSlow(size))
  const handedOut = buffers.map(() => false)
  const handle = await open(file, 'r')
  let pending: ReturnType<typeof handle.read> | undefined
  try {
    const readInto = (i: number) => {
      if (handedOut[i]) {
        if (reusable()) reuse.release(buffers[i]!.buffer)
        else buffers[i] = Buffer.allocUnsafeSlow(size)
        handedOut[i] = false
      }
      return handle.read(buffers[i]!, 0, size, null)
    }
    let i = 0
    pending = readInto(0)
    for (;;) {
      const {bytesRead} = await pending
      if (bytesRead === 0) return
      // the next buffer is read while this one is decoded (its earlier chunk released first)
      const next = (i + 1) % READ_BUFFERS
      pending = readInto(next)
      handedOut[i] = true
      yield buffers[i]!.subarray(0, bytesRead)
      i = next
    }
  } finally {
    // a consumer that stops early leaves the read ahead in flight: let it end before closing
    await pending?.catch(() => undefined)
    await handle.close()
  }
}

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
export async function openEventSource(file: string, options: {format?: EventFormat; stdin?: NodeJS.ReadableStream; reuse?: BufferReuse} = {}): Promise<EventSource> {
  if (options.format && !EVENT_FORMATS.includes(options.format)) {
    throw new InputError(`unknown format "${options.format}"`, {file, fix: `use one of: ${EVENT_FORMATS.join(', ')}`})
  }
  let raw: AsyncIterable<Buffer | string>
  // the decoders copy what they keep of a line; the .dockerbuild reader may not: it gets fresh buffers
  let reusable = true
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
    raw = options.reuse ? readReusingBuffers(file, options.reuse, () => reusable) : createReadStream(file, {highWaterMark: READ_CHUNK_BYTES})
  }
  const {head, stream} = await peek(raw)
  if (head.length === 0) {
    throw new InputError('the input is empty: no build events to read', {file, position: {line: 1}, fix: 'capture the build with --progress=rawjson (stderr) or pass a .dockerbuild / Engine stream file'})
  }
  const detected = detectFormat(head)
  const format = options.format ?? detected
  if (!format) {
    throw new InputError('not a recognised build event stream (rawjson, Docker Engine /build stream, .dockerbuild or --progress=plain log)', {
      file, position: {line: 1}, fix: `pass --format ${EVENT_FORMATS.join('|')} if you know the format, or check that the file is the build's stderr`,
    })
  }
  if (options.format && detected && detected !== options.format && !(options.format === 'plain')) {
    throw new InputError(`--format ${options.format} was given, but the input looks like ${detected}`, {file, position: {line: 1}, fix: `drop --format or pass --format ${detected}`})
  }
  if (format === 'dockerbuild') {
    reusable = false
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
