import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {MAX_LOG_LINE_LENGTH, MAX_LOG_LINES} from '../model/run.js'
import {RunFolder} from './fold-run.js'

/** The log tail as first specified: decode every chunk in full, keep the last lines (reference). */
function referenceTail(chunks: Uint8Array[]): string[] {
  const decoder = new TextDecoder('utf-8')
  let partial = ''
  const lines: string[] = []
  const add = (line: string) => {
    const clean = line.replace(/\r$/, '')
    lines.push(clean.length > MAX_LOG_LINE_LENGTH ? clean.slice(0, MAX_LOG_LINE_LENGTH) + '…' : clean)
    if (lines.length > MAX_LOG_LINES) lines.shift()
  }
  for (const bytes of chunks) {
    const parts = (partial + decoder.decode(bytes, {stream: true})).split('\n')
    partial = parts.pop() ?? ''
    for (let i = Math.max(0, parts.length - MAX_LOG_LINES); i < parts.length; i++) add(parts[i]!)
    if (partial.length > MAX_LOG_LINE_LENGTH * 4) partial = partial.slice(-MAX_LOG_LINE_LENGTH * 4)
  }
  const rest = partial + decoder.decode()
  if (rest !== '') add(rest)
  return lines
}

function foldedTail(chunks: Uint8Array[]): string[] {
  const folder = new RunFolder({source: 'rawjson'})
  folder.push({type: 'status', status: {vertexes: [{digest: 'sha256:v', name: '[1/2] RUN make', started: 1, completed: 2}]}, position: {line: 1}})
  chunks.forEach((data, i) => folder.push({type: 'status', status: {logs: [{vertex: 'sha256:v', stream: 1, data}]}, position: {line: i + 2}}))
  return folder.finish().steps[0]!.logTail
}

describe('log tails', () => {
  it('keep the last lines of a chunk holding many, the same as decoding everything', () => {
    const many = Buffer.from(Array.from({length: 500}, (_, i) => `line ${i} ✓`).join('\n') + '\npartial')
    const tail = foldedTail([Buffer.from('first\n'), many, Buffer.from(' end\n')])
    expect(tail).toHaveLength(MAX_LOG_LINES)
    expect(tail.at(-1)).toBe('partial end')
    expect(tail.at(-2)).toBe('line 499 ✓')
  })

  it('match the full decode for any chunking, multi-byte and invalid UTF-8 included', () => {
    const byte = fc.oneof(fc.constantFrom(10, 13, 0xe2, 0x9c, 0x93, 0xf0, 0x80, 0xff), fc.integer({min: 32, max: 126}))
    const chunk = fc.oneof(
      fc.array(byte, {maxLength: 400}).map((a) => Uint8Array.from(a)),
      fc.tuple(fc.nat(60), fc.string({maxLength: 30})).map(([n, s]) => new Uint8Array(Buffer.from(`${s}\n`.repeat(n)))),
      fc.nat(3000).map((n) => new Uint8Array(Buffer.from('z'.repeat(n)))),
    )
    fc.assert(fc.property(fc.array(chunk, {maxLength: 8}), (chunks) => {
      expect(foldedTail(chunks)).toEqual(referenceTail(chunks))
    }), {numRuns: 400})
  })
})
