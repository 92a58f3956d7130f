/** What the fold keeps of a vertex's output: a window of recent bytes while it runs, a tail of lines after. */
import type {VertexLog} from '../events/solve-status.js'
import {MAX_LOG_LINE_LENGTH, MAX_LOG_LINES} from '../model/run.js'
import {afterCut, beforeCut} from '../redact/cut.js'

/** Bounded tail of a vertex's output: whole lines only, the last MAX_LOG_LINES of them. */
export class LogTail {
  private readonly decoder = new TextDecoder('utf-8')
  private partial = ''
  /** the pending line's beginning was cut off (a window or a limit cut through it): its first word goes */
  private partialCut = false
  readonly lines: string[] = []

  /** `cutBefore`: these bytes do not start where a line starts (what came before them was dropped) */
  push(bytes: Uint8Array, cutBefore = false): void {
    if (cutBefore) {
      this.decoder.decode()
      this.partial = ''
      this.partialCut = true
    }
    // Only the last MAX_LOG_LINES lines of a chunk can survive. When the chunk holds more newlines
    // than that, skip (undecoded) everything up to the newline before them: a newline byte ends any
    // pending UTF-8 sequence, so decoding from there gives exactly the text a full decode would.
    let skip = 0
    let nl = bytes.length
    // Buffer's lastIndexOf is native (memrchr); a plain Uint8Array's walks element by element
    const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let n = 0; n <= MAX_LOG_LINES; n++) {
      nl = nl > 0 ? view.lastIndexOf(10, nl - 1) : -1
      if (nl < 0) break
      if (n === MAX_LOG_LINES) skip = nl + 1
    }
    if (skip > 0) {
      this.decoder.decode() // drop what is pending: it belongs to a skipped line
      this.partial = ''
      this.partialCut = false
      bytes = bytes.subarray(skip)
    }
    const text = this.partial + this.decoder.decode(bytes, {stream: true})
    const parts = text.split('\n')
    this.partial = parts.pop() ?? ''
    // a single chunk may hold megabytes: only its last lines can survive, so skip the rest
    const from = Math.max(0, parts.length - MAX_LOG_LINES)
    if (parts.length > 0) {
      if (from > 0) this.partialCut = false
      for (let i = from; i < parts.length; i++) this.addLine(parts[i]!)
    }
    if (this.partial.length > MAX_LOG_LINE_LENGTH * 4) {
      this.partial = this.partial.slice(-MAX_LOG_LINE_LENGTH * 4)
      this.partialCut = true
    }
  }

  private addLine(line: string): void {
    let clean = line.replace(/\r$/, '')
    if (this.partialCut) {
      clean = afterCut(clean)
      this.partialCut = false
    }
    this.lines.push(beforeCut(clean, MAX_LOG_LINE_LENGTH))
    if (this.lines.length > MAX_LOG_LINES) this.lines.shift()
  }

  finish(): string[] {
    const rest = this.partial + this.decoder.decode()
    if (rest !== '') this.addLine(rest)
    this.partial = ''
    this.partialCut = false
    return this.lines
  }
}

/**
 * The recent output of a vertex, kept as it came (base64 from rawjson, else bytes) and decoded only
 * if its tail is wanted: most steps succeed and their output is dropped unread. Chunks are kept as
 * references into the input (no copy, no string per chunk); the folder asks a window to `detach`
 * from an input buffer once the input moves past it, so at most the current read buffer is pinned.
 * Chunk boundaries are kept so that a wanted tail is decoded chunk by chunk, exactly as the chunks
 * came. Holds the last LOG_WINDOW_BYTES of output (whole chunks, a larger single chunk cut to its
 * end): enough for the last MAX_LOG_LINES lines unless those lines are very long.
 */
export class LogWindow {
  // one entry per chunk, in parallel arrays (no object per chunk); live from `head` on. A chunk is
  // kept as its whole buffer and absolute offsets, not as the view the decoder made per line: the
  // views die young (~150 bytes per log line fewer survive each scavenge)
  private sources: ArrayBufferLike[] = []
  private starts: number[] = []
  private ends: number[] = []
  private base64: boolean[] = []
  private sizes: number[] = []
  private head = 0
  private bytes = 0
  /** output before the oldest chunk held was dropped (a chunk cut to its end, older chunks let go) */
  private cutBefore = false

  /** returns the change of the bytes this window holds */
  push(log: VertexLog): number {
    const before = this.bytes
    const range = log.base64In
    const view = range ? range.source : log.data
    let start = view.byteOffset + (range ? range.start : 0)
    const end = view.byteOffset + (range ? range.end : view.length)
    // base64 decodes in groups of 4 characters: a suffix of whole groups is valid on its own
    const keep = range ? Math.ceil(LOG_WINDOW_BYTES / 3) * 4 : LOG_WINDOW_BYTES
    if (end - start > keep) {
      start = end - keep
      this.cutBefore = true
    }
    const size = range ? ((end - start) >> 2) * 3 : end - start
    // drop the oldest chunks the window no longer needs
    while (this.head < this.sizes.length && this.bytes + size - this.sizes[this.head]! >= LOG_WINDOW_BYTES) {
      this.bytes -= this.sizes[this.head]!
      this.sources[this.head++] = EMPTY
      this.cutBefore = true
    }
    if (this.head > 64 && this.head * 2 > this.sizes.length) this.compact()
    this.sources.push(view.buffer)
    this.starts.push(start)
    this.ends.push(end)
    this.base64.push(range !== undefined)
    this.sizes.push(size)
    this.bytes += size
    return this.bytes - before
  }

  get heldBytes(): number {
    return this.bytes
  }

  private compact(): void {
    for (const list of [this.sources, this.starts, this.ends, this.base64, this.sizes] as unknown[][]) list.splice(0, this.head)
    this.head = 0
  }

  /** Copies out the chunks that point into `buffer` (the input is done with it): one allocation for all of them. */
  detach(buffer: ArrayBufferLike): void {
    let total = 0
    for (let i = this.head; i < this.sources.length; i++) if (this.sources[i] === buffer) total += this.ends[i]! - this.starts[i]!
    if (total === 0) return
    const own = Buffer.allocUnsafe(total)
    const from = new Uint8Array(buffer)
    let at = own.byteOffset
    for (let i = this.head; i < this.sources.length; i++) {
      if (this.sources[i] !== buffer) continue
      const n = this.ends[i]! - this.starts[i]!
      own.set(from.subarray(this.starts[i]!, this.ends[i]!), at - own.byteOffset)
      this.sources[i] = own.buffer
      this.starts[i] = at
      this.ends[i] = at + n
      at += n
    }
  }

  /** Drops what it holds (a step whose tail is not wanted). */
  discard(): void {
    this.sources = []
    this.starts = []
    this.ends = []
    this.base64 = []
    this.sizes = []
    this.head = this.bytes = 0
    this.cutBefore = false
  }

  drainInto(tail: LogTail): void {
    for (let i = this.head; i < this.sources.length; i++) {
      const src = Buffer.from(this.sources[i]!)
      tail.push(this.base64[i] ? Buffer.from(src.toString('latin1', this.starts[i], this.ends[i]), 'base64') : src.subarray(this.starts[i], this.ends[i]), i === this.head && this.cutBefore)
    }
    this.discard()
  }
}

const EMPTY = new ArrayBuffer(0)

/** bytes of recent output kept per running vertex (see LogWindow) */
export const LOG_WINDOW_BYTES = 64 * 1024
