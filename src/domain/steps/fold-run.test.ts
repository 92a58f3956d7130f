import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {MAX_LOG_LINE_LENGTH, MAX_LOG_LINES} from '../model/run.js'
import {afterCut, beforeCut} from '../redact/cut.js'
import {FOLD_LIMITS, RunFolder} from './fold-run.js'
import {LOG_WINDOW_BYTES} from './log-tail.js'

/**
 * The log tail as first specified: decode every chunk in full, keep the last lines (reference). A
 * line cut at its start (the pending line over its bound) or its end (over MAX_LOG_LINE_LENGTH)
 * loses the word the cut went through (`domain/redact/cut.ts`): it may be part of a token.
 */
function referenceTail(chunks: Uint8Array[]): string[] {
  const decoder = new TextDecoder('utf-8')
  let partial = ''
  let partialCut = false
  const lines: string[] = []
  const add = (line: string) => {
    let clean = line.replace(/\r$/, '')
    if (partialCut) clean = afterCut(clean)
    partialCut = false
    lines.push(beforeCut(clean, MAX_LOG_LINE_LENGTH))
    if (lines.length > MAX_LOG_LINES) lines.shift()
  }
  for (const bytes of chunks) {
    const parts = (partial + decoder.decode(bytes, {stream: true})).split('\n')
    partial = parts.pop() ?? ''
    if (parts.length > MAX_LOG_LINES) partialCut = false
    for (let i = Math.max(0, parts.length - MAX_LOG_LINES); i < parts.length; i++) add(parts[i]!)
    if (partial.length > MAX_LOG_LINE_LENGTH * 4) {
      partial = partial.slice(-MAX_LOG_LINE_LENGTH * 4)
      partialCut = true
    }
  }
  const rest = partial + decoder.decode()
  if (rest !== '') add(rest)
  return lines
}

function foldedTail(chunks: Uint8Array[]): string[] {
  const folder = new RunFolder({source: 'rawjson', keepLogs: 'all'})
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

  // issue #13: a token the tail's limits cut through must not leave the part the cut kept
  describe('a token cut by a limit leaves no part of itself', () => {
    const token = 'ghp_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAB7C'
    const pieces = [token.slice(0, 12), token.slice(-12)]
    const expectNoPiece = (tail: string[]) => {
      expect(tail.join('\n')).toContain('cut here')
      for (const piece of pieces) expect(tail.join('\n')).not.toContain(piece)
    }
    it('a chunk larger than the window, cut inside the token', () => {
      const after = ' cut here\n'.padStart(LOG_WINDOW_BYTES - 16, 'z')
      expectNoPiece(foldedTail([Buffer.from('y'.repeat(5000) + token + after)]))
    })
    it('older chunks dropped by the window, the first one kept starting inside the token', () => {
      const head = Buffer.from('y'.repeat(LOG_WINDOW_BYTES) + token.slice(0, 20))
      expectNoPiece(foldedTail([head, Buffer.from(token.slice(20) + ' cut here\n'), Buffer.from('x'.repeat(LOG_WINDOW_BYTES - 100) + '\n')]))
    })
    it('a pending line over its bound, kept from inside the token', () => {
      expectNoPiece(foldedTail([Buffer.from('x'.repeat(100) + token + ' cut here '.padEnd(MAX_LOG_LINE_LENGTH * 4 - 12, 'w '))]))
    })
    it('a line over MAX_LOG_LINE_LENGTH, cut inside the token', () => {
      expectNoPiece(foldedTail([Buffer.from(`cut here ${'v'.repeat(MAX_LOG_LINE_LENGTH - 20)}${token} more\n`)]))
    })
  })
})

/** `text` base64-encoded in the middle of a larger buffer, as the rawjson fast path points at it */
function base64In(text: string) {
  const source = Buffer.from(`{"data":"${Buffer.from(text).toString('base64')}"}`)
  return {source, start: 9, end: source.length - 2}
}

describe('which steps keep a log tail', () => {
  const vertex = (digest: string, name: string, extra: Record<string, unknown> = {}) =>
    ({type: 'status' as const, status: {vertexes: [{digest, name, started: 1, ...extra}]}, position: {line: 1}})
  const log = (digest: string, text: string) => ({type: 'status' as const, status: {logs: [{vertex: digest, stream: 1, data: new Uint8Array(Buffer.from(text))}]}, position: {line: 1}})
  /** a step that succeeded, one that failed, one still running when the stream ended; each printed */
  function fold(keepLogs?: 'failed' | 'all' | 'none') {
    const folder = new RunFolder({source: 'rawjson', keepLogs})
    for (const [d, n] of [['sha256:ok', '[1/3] RUN ok'], ['sha256:bad', '[2/3] RUN bad'], ['sha256:cut', '[3/3] RUN cut']]) {
      folder.push(vertex(d!, n!))
      folder.push(log(d!, `${n} output\n`))
    }
    folder.push(vertex('sha256:ok', '[1/3] RUN ok', {completed: 2}))
    folder.push(vertex('sha256:bad', '[2/3] RUN bad', {completed: 2, error: 'exit code: 1'}))
    return Object.fromEntries(folder.finish().steps.map((s) => [s.instruction, s.logTail]))
  }

  it('by default only failed and unfinished steps', () => {
    expect(fold()).toEqual({'RUN ok': [], 'RUN bad': ['[2/3] RUN bad output'], 'RUN cut': ['[3/3] RUN cut output']})
  })

  it('every step with keepLogs all, none with keepLogs none', () => {
    expect(fold('all')).toEqual({'RUN ok': ['[1/3] RUN ok output'], 'RUN bad': ['[2/3] RUN bad output'], 'RUN cut': ['[3/3] RUN cut output']})
    expect(fold('none')).toEqual({'RUN ok': [], 'RUN bad': [], 'RUN cut': []})
  })

  it('with keepLogs all, steps beyond the tail limit keep none and the run says so (it used to throw)', () => {
    const folder = new RunFolder({source: 'rawjson', keepLogs: 'all'})
    const steps = FOLD_LIMITS.logTails + 3
    for (let i = 0; i < steps; i++) {
      folder.push(vertex(`sha256:s${i}`, `[${i + 1}/${steps}] RUN step ${i}`))
      folder.push(log(`sha256:s${i}`, `output ${i}\n`))
      folder.push(vertex(`sha256:s${i}`, `[${i + 1}/${steps}] RUN step ${i}`, {completed: 2}))
    }
    const run = folder.finish()
    expect(run.steps.filter((s) => s.logTail.length)).toHaveLength(FOLD_LIMITS.logTails)
    expect(run.steps.at(-1)!.logTail).toEqual([])
    expect(run.steps[0]!.logTail).toEqual(['output 0'])
    expect(run.cutByLimits?.join(' ')).toMatch(/more than 2,000 steps with log tails: \d+ further step/)
  })

  it('keep the last lines of output far larger than the window, from base64 chunks as rawjson gives them', () => {
    const folder = new RunFolder({source: 'rawjson'})
    folder.push(vertex('sha256:big', '[1/1] RUN big'))
    const lines = Array.from({length: 4000}, (_, i) => `line ${i} ${'x'.repeat(100)}`)
    for (let i = 0; i < lines.length; i += 50) {
      const text = lines.slice(i, i + 50).join('\n') + '\n'
      // the bytes come only as base64 (as rawjson's fast path leaves them)
      folder.push({type: 'status', status: {logs: [{vertex: 'sha256:big', stream: 1, data: new Uint8Array(0), base64In: base64In(text)}]}, position: {line: 1}})
    }
    folder.push(vertex('sha256:big', '[1/1] RUN big', {completed: 2, error: 'exit code: 2'}))
    expect(folder.finish().steps[0]!.logTail).toEqual(lines.slice(-MAX_LOG_LINES))
  })
})
