export interface InputLine {
  text: string
  /** 1-based */
  line: number
  /** the line was longer than the limit: its text is cut to a short head, the rest was dropped */
  oversize?: boolean
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024

/**
 * Splits a byte stream into lines with bounded memory: a line longer than `maxLineBytes` is not
 * accumulated; it is reported as `oversize` with its first bytes (so a 100 MB line costs nothing
 * more than the limit). The Engine stream can carry multi-MB lines (logs, LLB definitions), hence
 * the generous default.
 */
export async function* readLines(stream: AsyncIterable<Buffer | Uint8Array | string>, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<InputLine> {
  for await (const l of readLineBytes(stream, maxLineBytes)) {
    yield l.oversize ? {text: l.bytes.toString('utf8'), line: l.line, oversize: true} : {text: l.bytes.toString('utf8'), line: l.line}
  }
}

export interface InputLineBytes {
  /** the line without its newline (a view on the read chunk when it fits in one); oversize: its first 200 bytes */
  bytes: Buffer
  /** 1-based */
  line: number
  oversize?: boolean
}

/** `readLines` without decoding: the bytes of each line, for decoders that can skip the text. */
export async function* readLineBytes(stream: AsyncIterable<Buffer | Uint8Array | string>, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<InputLineBytes> {
  const splitter = new LineSplitter(maxLineBytes)
  for await (const chunk of stream) yield* splitter.push(chunk)
  yield* splitter.end()
}

/**
 * The synchronous core of `readLines`: feed it chunks, get the lines they complete. Lets a consumer
 * handle a whole chunk's lines in one go (one await per chunk instead of one per line).
 */
export class LineSplitter {
  private parts: Buffer[] = []
  private size = 0
  private line = 0
  private oversizeHead: Buffer | undefined

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  push(chunk: Buffer | Uint8Array | string): InputLineBytes[] {
    const out: InputLineBytes[] = []
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = 0
    for (;;) {
      const nl = buf.indexOf(10, start)
      if (nl < 0) {
        const rest = buf.subarray(start)
        if (this.oversizeHead) break
        if (this.size + rest.length > this.maxLineBytes) {
          this.oversizeHead = headOf([...this.parts, rest])
          this.parts = []
          this.size = 0
        } else if (rest.length) {
          // a copy: the chunk's buffer may be reused for the next read (a line's worth of bytes per chunk)
          this.parts.push(Buffer.from(rest))
          this.size += rest.length
        }
        break
      }
      const line = ++this.line
      const piece = buf.subarray(start, nl)
      if (this.oversizeHead) {
        out.push({bytes: this.oversizeHead, line, oversize: true})
        this.oversizeHead = undefined
      } else if (this.size + piece.length > this.maxLineBytes) {
        out.push({bytes: headOf([...this.parts, piece]), line, oversize: true})
      } else {
        out.push({bytes: this.parts.length ? Buffer.concat([...this.parts, piece]) : piece, line})
      }
      this.parts = []
      this.size = 0
      start = nl + 1
    }
    return out
  }

  /** the last line when the input did not end with a newline */
  end(): InputLineBytes[] {
    if (this.oversizeHead) return [{bytes: this.oversizeHead, line: this.line + 1, oversize: true}]
    if (this.size > 0) return [{bytes: Buffer.concat(this.parts), line: this.line + 1}]
    return []
  }
}

/** Reads the first `bytes` of a stream and returns them with a stream that replays everything. */
export async function peek(stream: AsyncIterable<Buffer | string>, bytes = 64 * 1024): Promise<{head: Buffer; stream: AsyncIterable<Buffer>}> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const taken: Buffer[] = []
  let size = 0
  let done = false
  while (size < bytes) {
    const next = await iterator.next()
    if (next.done) {
      done = true
      break
    }
    // a copy: the source may reuse its buffer for the next read
    const b = Buffer.from(next.value)
    taken.push(b)
    size += b.length
  }
  const head = taken.length === 1 ? taken[0]! : Buffer.concat(taken)
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length) yield head
    if (done) return
    for (;;) {
      const next = await iterator.next()
      if (next.done) return
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value
    }
  }
  return {head: head.subarray(0, bytes), stream: replay()}
}

/** The first `n` bytes of a chunk list, without concatenating the rest (an oversize line can be 64 MB+). */
function headOf(chunks: Buffer[], n = 200): Buffer {
  const taken: Buffer[] = []
  let size = 0
  for (const c of chunks) {
    if (size >= n) break
    const part = c.subarray(0, n - size)
    taken.push(part)
    size += part.length
  }
  return Buffer.concat(taken)
}
