import type {Readable} from 'node:stream'

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
  let parts: Buffer[] = []
  let size = 0
  let line = 0
  let oversizeHead: Buffer | undefined
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = 0
    for (;;) {
      const nl = buf.indexOf(10, start)
      if (nl < 0) {
        const rest = buf.subarray(start)
        if (oversizeHead) break
        if (size + rest.length > maxLineBytes) {
          oversizeHead = Buffer.concat([...parts, rest]).subarray(0, 200)
          parts = []
          size = 0
        } else if (rest.length) {
          parts.push(rest)
          size += rest.length
        }
        break
      }
      line++
      const piece = buf.subarray(start, nl)
      if (oversizeHead) {
        yield {text: oversizeHead.toString('utf8'), line, oversize: true}
        oversizeHead = undefined
      } else if (size + piece.length > maxLineBytes) {
        yield {text: Buffer.concat([...parts, piece.subarray(0, 200)]).subarray(0, 200).toString('utf8'), line, oversize: true}
      } else {
        const text = parts.length ? Buffer.concat([...parts, piece]).toString('utf8') : piece.toString('utf8')
        yield {text, line}
      }
      parts = []
      size = 0
      start = nl + 1
    }
  }
  if (oversizeHead) yield {text: oversizeHead.toString('utf8'), line: line + 1, oversize: true}
  else if (size > 0) yield {text: Buffer.concat(parts).toString('utf8'), line: line + 1}
}

/** Reads the first `bytes` of a stream and returns them with a stream that replays everything. */
export async function peek(stream: Readable, bytes = 64 * 1024): Promise<{head: Buffer; stream: AsyncIterable<Buffer>}> {
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
    const b = typeof next.value === 'string' ? Buffer.from(next.value) : next.value
    taken.push(b)
    size += b.length
  }
  const head = Buffer.concat(taken)
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
