/**
 * `.dockerbuild` IO (events.md §4.4): gunzip (node:zlib) + untar (tar-stream) into an OciLayout,
 * with size limits, then the pure decoder `decodeDockerbuild`.
 *
 * Limits (all InputError, exit 2): an entry larger than `maxEntryBytes`, an archive expanding
 * beyond `maxTotalBytes`, or a gzip stream that expands more than `maxRatio` times its compressed
 * size once past `ratioFloorBytes` (a decompression bomb). A plain (un-gzipped) tar is accepted too.
 */
import {createReadStream} from 'node:fs'
import {Readable, Transform, type TransformCallback} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'
import tar from 'tar-stream'
import {InputError} from '../../domain/errors.js'
import {decodeDockerbuild, type OciLayout} from '../../domain/events/decode-dockerbuild.js'
import type {StreamEvent} from '../../domain/events/stream-event.js'

export interface DockerbuildLimits {
  /** total expanded bytes of the tar (default 512 MiB) */
  maxTotalBytes?: number
  /** one archive entry (default 256 MiB) */
  maxEntryBytes?: number
  /** expanded / compressed, checked once past ratioFloorBytes (default 200) */
  maxRatio?: number
  /** below this many expanded bytes the ratio is not checked (default 16 MiB) */
  ratioFloorBytes?: number
}

type Chunk = Uint8Array | Buffer | string
/** a file/stdin stream, or already-read chunks */
export type ByteSource = AsyncIterable<Chunk> | Iterable<Chunk>

const MiB = 1024 * 1024
export const DEFAULT_DOCKERBUILD_LIMITS: Required<DockerbuildLimits> = {
  maxTotalBytes: 512 * MiB,
  maxEntryBytes: 256 * MiB,
  maxRatio: 200,
  ratioFloorBytes: 16 * MiB,
}

const FIX_ARCHIVE = 'pass the file written by `docker buildx history export` unchanged (a gzip\'d tar), or raise the limit if the bundle is genuinely this large'

/** Events of a `.dockerbuild` file. InputErrors carry the file name. */
export async function* readDockerbuild(file: string, limits: DockerbuildLimits = {}): AsyncGenerator<StreamEvent> {
  yield* readDockerbuildStream(file, createReadStream(file), limits)
}

/** Same, from an already-open byte stream (the format sniffer hands over the stream it peeked). */
export async function* readDockerbuildStream(file: string, stream: ByteSource, limits: DockerbuildLimits = {}): AsyncGenerator<StreamEvent> {
  try {
    const layout = await readOciLayout(stream, limits)
    yield* decodeDockerbuild(layout)
  } catch (error) {
    if (error instanceof InputError) throw error.withFile(file)
    throw error
  }
}

/** gunzip + untar into index.json + blobs. */
export async function readOciLayout(stream: ByteSource, limits: DockerbuildLimits = {}): Promise<OciLayout> {
  const lim = {...DEFAULT_DOCKERBUILD_LIMITS, ...limits}
  let peeked: Awaited<ReturnType<typeof peekFirst>>
  try {
    peeked = await peekFirst(stream)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new InputError(`cannot read the .dockerbuild file: ${reason}`, {position: {offset: 0}, fix: 'check the path and permissions', cause: error})
  }
  const {first, rest} = peeked
  if (!first) throw new InputError('the .dockerbuild file is empty', {position: {offset: 0}, fix: FIX_ARCHIVE})
  const gzipped = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b

  let compressed = 0
  let expanded = 0
  async function* countIn(): AsyncGenerator<Buffer> {
    compressed += first!.length
    yield first!
    for await (const chunk of rest) {
      const buf = toBuffer(chunk)
      compressed += buf.length
      yield buf
    }
  }
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, callback: TransformCallback) {
      expanded += chunk.length
      if (expanded > lim.maxTotalBytes) {
        callback(new InputError(`the .dockerbuild archive expands beyond ${formatBytes(lim.maxTotalBytes)}: refusing to read it`, {position: {offset: compressed}, fix: FIX_ARCHIVE}))
        return
      }
      if (gzipped && expanded > lim.ratioFloorBytes && expanded > compressed * lim.maxRatio) {
        callback(new InputError(`the .dockerbuild archive looks like a decompression bomb: ${formatBytes(compressed)} expand to more than ${formatBytes(expanded)} (ratio > ${lim.maxRatio})`, {
          position: {offset: compressed},
          fix: FIX_ARCHIVE,
        }))
        return
      }
      callback(null, chunk)
    },
  })

  const extract = tar.extract()
  const files = new Map<string, Uint8Array>()
  const consume = (async () => {
    try {
      for await (const entry of extract) {
        const {name, size, type} = entry.header
        if (size > lim.maxEntryBytes) {
          throw new InputError(`archive entry ${name} is ${formatBytes(size)}, more than the ${formatBytes(lim.maxEntryBytes)} limit`, {position: {entry: name}, fix: FIX_ARCHIVE})
        }
        const parts: Buffer[] = []
        let got = 0
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          got += chunk.length
          if (got > lim.maxEntryBytes) throw new InputError(`archive entry ${name} is larger than the ${formatBytes(lim.maxEntryBytes)} limit`, {position: {entry: name}, fix: FIX_ARCHIVE})
          if (type === 'file' || type === 'contiguous-file') parts.push(chunk)
        }
        if (type === 'file' || type === 'contiguous-file') files.set(normalizeName(name), Buffer.concat(parts, got))
      }
    } catch (error) {
      extract.destroy(error as Error)
      throw error
    }
  })()

  const source = Readable.from(countIn())
  const steps = gzipped
    ? pipeline(source, createGunzip(), limiter, extract as unknown as NodeJS.WritableStream)
    : pipeline(source, limiter, extract as unknown as NodeJS.WritableStream)
  try {
    await Promise.all([steps, consume])
  } catch (error) {
    source.destroy()
    // make sure neither side is left pending with an unhandled rejection
    steps.catch(() => {})
    consume.catch(() => {})
    if (error instanceof InputError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new InputError(`cannot read the .dockerbuild archive (${gzipped ? 'gzip' : 'tar'}): ${reason}`, {position: {offset: compressed}, fix: FIX_ARCHIVE, cause: error})
  }
  return toLayout(files)
}

function toLayout(files: Map<string, Uint8Array>): OciLayout {
  const indexBytes = files.get('index.json')
  if (!indexBytes) {
    throw new InputError('not a .dockerbuild bundle: the archive has no index.json (an OCI image layout is expected)', {position: {entry: 'index.json'}, fix: FIX_ARCHIVE})
  }
  let index: unknown
  try {
    index = JSON.parse(new TextDecoder().decode(indexBytes))
  } catch (error) {
    throw new InputError('index.json is not valid JSON', {position: {entry: 'index.json'}, fix: FIX_ARCHIVE, cause: error})
  }
  const blobs = new Map<string, Uint8Array>()
  for (const [name, bytes] of files) {
    const m = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(name)
    if (m) blobs.set(`${m[1]}:${m[2]}`, bytes)
  }
  return {index, blobs}
}

function normalizeName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/^\/+/, '')
}

function toBuffer(chunk: Chunk): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'latin1')
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}

async function peekFirst(source: ByteSource): Promise<{first?: Buffer; rest: AsyncIterator<Chunk> & AsyncIterable<Chunk>}> {
  const stream: AsyncIterable<Chunk> = Symbol.asyncIterator in source ? source : (async function* () { yield* source })()
  const it = stream[Symbol.asyncIterator]()
  const rest = {
    next: () => it.next(),
    return: (value?: unknown) => (it.return ? it.return(value) : Promise.resolve({done: true as const, value: undefined})),
    [Symbol.asyncIterator]() { return this },
  } as AsyncIterator<Chunk> & AsyncIterable<Chunk>
  for (;;) {
    const r = await it.next()
    if (r.done) return {rest}
    const buf = toBuffer(r.value)
    if (buf.length > 0) return {first: buf, rest}
  }
}

function formatBytes(n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}
