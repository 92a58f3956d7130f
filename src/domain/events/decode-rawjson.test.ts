import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {createRawjsonDecoder} from './decode-rawjson.js'
import type {StreamEvent} from './stream-event.js'

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64')
const logLine = (data: string, extra = '') =>
  `{"logs":[{"vertex":"sha256:${'a'.repeat(64)}","stream":1,"data":"${data}","timestamp":"2026-11-01T00:00:02.123Z"${extra}}]}`

/** events with every log entry as a plain object (the byte path decodes log data only when it is read) */
const plain = (events: StreamEvent[]): StreamEvent[] =>
  events.map((e) => (e.type === 'status' && e.status.logs ? {...e, status: {...e.status, logs: e.status.logs.map((l) => ({vertex: l.vertex, stream: l.stream, data: l.data, timestamp: l.timestamp}))}} : e))

/** what the text path decodes, and what the byte path decodes, for the same line */
function both(line: string) {
  const text = createRawjsonDecoder().push(line, 7)
  const bytes = plain(createRawjsonDecoder().pushBytes(Buffer.from(line), 7))
  return {text, bytes}
}

describe('rawjson pushBytes (fast path for log lines)', () => {
  it('decodes a log line exactly as the text path does', () => {
    const payload = 'compiling step\n'.repeat(200)
    const {text, bytes} = both(logLine(b64(payload)))
    expect(bytes).toEqual(text)
    const event = bytes[0]!
    expect(event.type).toBe('status')
    if (event.type !== 'status') return
    expect(Buffer.from(event.status.logs![0]!.data).toString()).toBe(payload)
    expect(event.status.logs![0]!.timestamp).toBe(Date.UTC(2026, 10, 1, 0, 0, 2) + 123)
    expect(event.position).toEqual({line: 7})
  })

  it('leaves the data of a BuildKit log line undecoded until it is read', () => {
    const payload = 'npm warn deprecated\n'.repeat(60)
    const [event] = createRawjsonDecoder().pushBytes(Buffer.from(logLine(b64(payload))), 3)
    const log = event?.type === 'status' ? event.status.logs?.[0] : undefined
    const range = log?.base64In
    expect(range && Buffer.from(range.source.subarray(range.start, range.end)).toString('latin1')).toBe(b64(payload))
    expect(Buffer.from(log!.data).toString()).toBe(payload)
  })

  it('decodes data JSON would not read verbatim (escapes, non-ASCII, padding in the middle) as the text path does', () => {
    const long = b64('x'.repeat(600))
    for (const data of [`${long}\\u0041`, `${long}\\n`, `${long}\\/AA`, `${long}é`, `AA==${long}`, `${long} AAA`]) {
      const {text, bytes} = both(logLine(data))
      expect(bytes).toEqual(text)
    }
    // a raw control character makes the line invalid JSON: the text path skips the line, the byte
    // path (which does not look at every byte) keeps it and decodes the data without it
    const tab = createRawjsonDecoder().pushBytes(Buffer.from(logLine(`${long}\tAAAA`)), 7)
    expect(tab[0]?.type === 'status' && Buffer.from(tab[0].status.logs![0]!.data).toString()).toBe('x'.repeat(600) + '\0\0\0')
  })

  it('falls back when "data" is not (only) the log entry\'s own string', () => {
    const long = b64('y'.repeat(600))
    for (const line of [
      logLine(long, `,"more":{"data":"QQ=="}`),
      `{"logs":[{"vertex":"v","stream":1,"x":{"data":"${long}"}}]}`,
      `{"logs":[{"vertex":"v","data":"${long}"},{"vertex":"w","data":"QQ=="}]}`,
      `{"logs":[{"vertex":"v","data":"${long}"}],"vertexes":[{"digest":"sha256:1","name":"[a 1/2] RUN x"}]}`,
      `{"logs":[{"vertex":"v","data":"${long}"}]`,
      `{"logs":[{"vertex":"v","data":"${long}","data":5}]}`,
    ]) {
      const {text, bytes} = both(line)
      expect(bytes).toEqual(text)
    }
  })

  it('agrees with the text path on arbitrary log payloads and mutated lines', () => {
    fc.assert(
      fc.property(fc.uint8Array({minLength: 0, maxLength: 2000}), fc.nat(40), fc.string({maxLength: 3}), (payload, cut, noise) => {
        const line = logLine(b64(Buffer.from(payload)))
        for (const variant of [line, line.slice(0, line.length - cut), line.slice(0, 60) + noise + line.slice(60)]) {
          const {text, bytes} = both(variant)
          expect(bytes).toEqual(text)
        }
      }),
      {numRuns: 300},
    )
  })

  it('keeps collecting an indented object across pushBytes calls', () => {
    const d = createRawjsonDecoder()
    expect(d.pushBytes(Buffer.from('{'), 1)).toEqual([])
    expect(d.pushBytes(Buffer.from(`  "logs": [{"vertex": "v", "data": "${b64('hi\n'.repeat(200))}"}]`), 2)).toEqual([])
    const out = d.pushBytes(Buffer.from('}'), 3)
    expect(out).toHaveLength(1)
    expect(out[0]!.type === 'status' && Buffer.from(out[0]!.status.logs![0]!.data).toString()).toBe('hi\n'.repeat(200))
  })
})

describe('rawjson timestamps', () => {
  it('read BuildKit\'s RFC3339Nano times exactly as the general parser does', async () => {
    const {parseTime} = await import('./time.js')
    const {toSolveStatus} = await import('./decode-rawjson.js')
    const pad = (n: number, w: number) => String(n).padStart(w, '0')
    const stamp = fc
      .tuple(fc.integer({min: 0, max: 9999}), fc.integer({min: 0, max: 13}), fc.integer({min: 0, max: 32}), fc.integer({min: 0, max: 25}), fc.integer({min: 0, max: 61}), fc.integer({min: 0, max: 61}), fc.stringMatching(/^[0-9]{0,12}$/), fc.constantFrom('Z', 'z', '+02:00', ''))
      .map(([y, mo, d, h, mi, s, frac, zone]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac ? `.${frac}` : ''}${zone}`)
    fc.assert(
      fc.property(fc.oneof(stamp, fc.string({maxLength: 40})), (ts) => {
        const status = toSolveStatus({vertexes: [{digest: 'sha256:x', started: ts}]})
        expect(status?.vertexes?.[0]?.started).toBe(parseTime(ts))
      }),
      {numRuns: 2000},
    )
    expect(toSolveStatus({vertexes: [{digest: 'sha256:x', started: '2026-11-01T10:00:00.123456789Z'}]})?.vertexes?.[0]?.started).toBe(Date.UTC(2026, 10, 1, 10) + 123.456789)
  })
})

describe('rawjson: a broken line never swallows what follows', () => {
  const vertexLine = (n: number) => JSON.stringify({vertexes: [{digest: `sha256:${n}`, name: `[${n}/3] RUN echo ${n}`, started: '2026-11-01T00:00:00Z', completed: '2026-11-01T00:00:01Z'}]})

  it('a stray "{" line is skipped with a reason naming it, and every later line still decodes', () => {
    const d = createRawjsonDecoder()
    const events = [...d.push(vertexLine(1), 1), ...d.push('{', 2), ...d.push(vertexLine(2), 3), ...d.push(vertexLine(3), 4), ...d.end()]
    expect(events.map((e) => e.type)).toEqual(['status', 'skipped', 'status', 'status'])
    const skipped = events[1]!
    expect(skipped.position).toEqual({line: 2})
    expect(skipped.type === 'skipped' && skipped.reason).toMatch(/"\{" line that never closed/)
  })

  it('an indented object still decodes; one cut off at EOF is skipped with a reason', () => {
    const d = createRawjsonDecoder()
    const indented = JSON.stringify(JSON.parse(vertexLine(1)), null, 2).split('\n')
    const events = indented.flatMap((l, i) => d.push(l, i + 1))
    expect(events.map((e) => e.type)).toEqual(['status'])
    const cut = createRawjsonDecoder()
    indented.slice(0, 3).forEach((l, i) => cut.push(l, i + 10))
    const end = cut.end()
    expect(end).toHaveLength(1)
    expect(end[0]!.type === 'skipped' && end[0]!.reason).toMatch(/cut off/)
    expect(end[0]!.position).toEqual({line: 10})
  })

  it('an indented object that never closes is dropped once it exceeds the limit (bounded buffering)', async () => {
    const {MAX_INDENTED_OBJECT_BYTES} = await import('./decode-rawjson.js')
    const d = createRawjsonDecoder()
    d.push('{', 1)
    const inner = `  "x": "${'A'.repeat(1 << 20)}",`
    let dropped: ReturnType<typeof d.push> = []
    let line = 2
    for (; dropped.length === 0 && line < 1000; line++) dropped = d.push(inner, line)
    expect((line - 2) * inner.length).toBeLessThanOrEqual(MAX_INDENTED_OBJECT_BYTES + 2 * inner.length)
    expect(dropped[0]!.type === 'skipped' && dropped[0]!.reason).toMatch(/larger than/)
    expect(d.push(vertexLine(1), line).map((e) => e.type)).toEqual(['status'])
  })
})
