import {BinaryWriter, WireType} from '@bufbuild/protobuf/wire'
import {describe, expect, it} from 'vitest'
import {createEngineDecoder, decodeEngineLine, decodeStatusResponse, ProtobufDecodeError} from './decode-engine.js'
import type {StreamEvent} from './stream-event.js'

const GO_ZERO_SECONDS = -62135596800n

function timestamp(seconds: bigint, nanos: number): Uint8Array {
  return new BinaryWriter().tag(1, WireType.Varint).int64(seconds).tag(2, WireType.Varint).int32(nanos).finish()
}

/** A StatusResponse with one vertex (all §1.2 fields + an unknown field), one status, one log, one warning. */
function sampleResponse(): Uint8Array {
  const group = new BinaryWriter().tag(1, WireType.LengthDelimited).string('g1').tag(2, WireType.LengthDelimited).string('grp').tag(3, WireType.Varint).bool(true).finish()
  const vertex = new BinaryWriter()
    .tag(1, WireType.LengthDelimited).string('sha256:aaa')
    .tag(2, WireType.LengthDelimited).string('sha256:in1')
    .tag(2, WireType.LengthDelimited).string('sha256:in2')
    .tag(3, WireType.LengthDelimited).string('[2/3] RUN make')
    .tag(4, WireType.Varint).bool(true)
    .tag(5, WireType.LengthDelimited).bytes(timestamp(1_700_000_000n, 123_456_789))
    .tag(6, WireType.LengthDelimited).bytes(timestamp(1_700_000_001n, 500_000_000))
    .tag(7, WireType.LengthDelimited).string('boom')
    .tag(8, WireType.LengthDelimited).bytes(group)
    .tag(99, WireType.LengthDelimited).string('a field from the future')
    .tag(100, WireType.Varint).int64(-5n)
    .finish()
  const status = new BinaryWriter()
    .tag(1, WireType.LengthDelimited).string('transferring context:')
    .tag(2, WireType.LengthDelimited).string('sha256:aaa')
    .tag(3, WireType.LengthDelimited).string('transferring')
    .tag(4, WireType.Varint).int64(4096n)
    .tag(5, WireType.Varint).int64(8192n)
    .tag(6, WireType.LengthDelimited).bytes(timestamp(GO_ZERO_SECONDS, 0))
    .finish()
  const log = new BinaryWriter()
    .tag(1, WireType.LengthDelimited).string('sha256:aaa')
    .tag(2, WireType.LengthDelimited).bytes(timestamp(1_700_000_000n, 0))
    .tag(3, WireType.Varint).int64(2n)
    .tag(4, WireType.LengthDelimited).bytes(new Uint8Array([0xe2, 0x82])) // half a UTF-8 char: bytes kept as-is
    .finish()
  const warning = new BinaryWriter()
    .tag(1, WireType.LengthDelimited).string('sha256:aaa')
    .tag(2, WireType.Varint).int64(1n)
    .tag(3, WireType.LengthDelimited).bytes(new TextEncoder().encode('short'))
    .tag(4, WireType.LengthDelimited).bytes(new TextEncoder().encode('d1'))
    .tag(5, WireType.LengthDelimited).string('https://docs.docker.com/x')
    .tag(6, WireType.LengthDelimited).bytes(new Uint8Array([10, 2, 68, 70])) // SourceInfo: not modelled, skipped
    .finish()
  return new BinaryWriter()
    .tag(1, WireType.LengthDelimited).bytes(vertex)
    .tag(2, WireType.LengthDelimited).bytes(status)
    .tag(3, WireType.LengthDelimited).bytes(log)
    .tag(4, WireType.LengthDelimited).bytes(warning)
    .finish()
}

const traceLine = (bytes: Uint8Array) => JSON.stringify({id: 'moby.buildkit.trace', aux: Buffer.from(bytes).toString('base64')})

function decodeAll(lines: string[]): StreamEvent[] {
  const d = createEngineDecoder()
  return [...lines.flatMap((l, i) => d.push(l, i + 1)), ...d.end()]
}

describe('decodeStatusResponse', () => {
  it('decodes every field of the §1.2 table, skips unknown fields, maps the zero time to undefined', () => {
    const s = decodeStatusResponse(sampleResponse())
    expect(s.vertexes).toEqual([{
      digest: 'sha256:aaa', inputs: ['sha256:in1', 'sha256:in2'], name: '[2/3] RUN make', cached: true,
      // eslint-disable-next-line no-loss-of-precision -- as decoded: a double, microseconds rounded
      started: 1_700_000_000_123.456789, completed: 1_700_000_001_500, error: 'boom',
      progressGroup: {id: 'g1', name: 'grp', weak: true},
    }])
    expect(s.statuses).toEqual([{id: 'transferring context:', vertex: 'sha256:aaa', name: 'transferring', current: 4096, total: 8192}])
    expect(s.logs).toEqual([{vertex: 'sha256:aaa', timestamp: 1_700_000_000_000, stream: 2, data: new Uint8Array([0xe2, 0x82])}])
    expect(s.warnings).toEqual([{vertex: 'sha256:aaa', level: 1, short: new TextEncoder().encode('short'), detail: [new TextEncoder().encode('d1')], url: 'https://docs.docker.com/x'}])
  })

  it('an empty message is an empty status; defaults (cached=false, stream=0) are omitted/zero', () => {
    expect(decodeStatusResponse(new Uint8Array(0))).toEqual({})
    const log = new BinaryWriter().tag(1, WireType.LengthDelimited).string('sha256:x').finish()
    const s = decodeStatusResponse(new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(log).finish())
    expect(s.logs).toEqual([{vertex: 'sha256:x', stream: 0, data: new Uint8Array(0)}])
  })

  it('truncated bytes throw ProtobufDecodeError (never a bare RangeError)', () => {
    const full = sampleResponse()
    for (const cut of [1, 5, 40, full.length - 1]) {
      expect(() => decodeStatusResponse(full.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtobufDecodeError)
    }
  })

  it('a field with an unexpected wire type is skipped, not misread', () => {
    // digest (field 1) sent as a varint
    const vertex = new BinaryWriter().tag(1, WireType.Varint).int32(7).tag(3, WireType.LengthDelimited).string('n').finish()
    const s = decodeStatusResponse(new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(vertex).finish())
    expect(s.vertexes).toEqual([{digest: '', name: 'n'}])
  })
})

describe('createEngineDecoder', () => {
  it('decodes a trace line, stripping the \\r of dockerd\'s \\r\\n framing', () => {
    const [event] = decodeAll([traceLine(sampleResponse()) + '\r'])
    expect(event).toMatchObject({type: 'status', position: {line: 1}})
    expect(event?.type === 'status' && event.status.vertexes?.[0]?.name).toBe('[2/3] RUN make')
  })

  it('empty input yields nothing; blank lines are ignored', () => {
    expect(decodeAll([])).toEqual([])
    expect(decodeAll(['', '\r', '   '])).toEqual([])
  })

  it('maps moby.image.id to result, errorDetail and a bare HTTP error body to build-error', () => {
    const events = decodeAll([
      '{"id":"moby.image.id","aux":{"ID":"sha256:abc"}}',
      '{"errorDetail":{"message":"failed \\u0026 done"},"error":"other"}',
      '{"error":"only error"}',
      '{"message":"invalid version \\"3\\""}',
      '\uFEFF{"aux":{"ID":"sha256:classic"}}',
    ])
    expect(events).toEqual([
      {type: 'result', imageId: 'sha256:abc', position: {line: 1}},
      {type: 'build-error', message: 'failed & done', position: {line: 2}},
      {type: 'build-error', message: 'only error', position: {line: 3}},
      {type: 'build-error', message: 'invalid version "3"', position: {line: 4}},
      {type: 'result', imageId: 'sha256:classic', position: {line: 5}},
    ])
  })

  it('bad base64, truncated protobuf, non-JSON, trailing garbage and other JSON are skipped with their line', () => {
    const good = traceLine(sampleResponse())
    const truncatedProto = JSON.stringify({id: 'moby.buildkit.trace', aux: Buffer.from(sampleResponse().subarray(0, 30)).toString('base64')})
    const lines = [
      '{"id":"moby.buildkit.trace","aux":"not*base64!"}',
      '{"id":"moby.buildkit.trace","aux":"abc"}', // unpadded length
      truncatedProto,
      'Sending build context to Docker daemon',
      good.slice(0, good.length / 2), // truncated last line
      '{"id":"moby.buildkit.trace","aux":{"not":"a string"}}',
      '{"status":"Pulling from library/busybox","id":"latest"}',
      '[1,2]',
      good + ' trailing garbage',
      '\u0000\u0001binary',
    ]
    const events = decodeAll(lines)
    expect(events).toHaveLength(lines.length)
    events.forEach((e, i) => {
      expect(e).toEqual({type: 'skipped', text: lines[i], position: {line: i + 1}})
    })
  })

  it('stream lines keep their text without the newline', () => {
    expect(decodeAll(['{"stream":"Step 1/2 : FROM x\\n"}'])).toEqual([{type: 'skipped', text: 'Step 1/2 : FROM x', position: {line: 1}}])
  })

  it('a very long trace line (4 MiB of logs) decodes', () => {
    const big = new Uint8Array(4 * 1024 * 1024).fill(0x61)
    const log = new BinaryWriter().tag(1, WireType.LengthDelimited).string('sha256:big').tag(4, WireType.LengthDelimited).bytes(big).finish()
    const line = traceLine(new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(log).finish())
    const event = decodeEngineLine(line, 7)
    expect(event?.type).toBe('status')
    expect(event?.type === 'status' && event.status.logs?.[0]?.data.length).toBe(big.length)
  })
})

describe('never throws on arbitrary input (property)', () => {
  const runs = Number(process.env.BAKEDOCTOR_FUZZ_RUNS ?? 200)

  it('arbitrary bytes: decodeStatusResponse returns or throws ProtobufDecodeError only', async () => {
    const fc = await import('fast-check')
    fc.assert(fc.property(fc.uint8Array({maxLength: 200}), (bytes) => {
      try {
        decodeStatusResponse(bytes)
      } catch (error) {
        expect(error).toBeInstanceOf(ProtobufDecodeError)
      }
    }), {numRuns: runs})
  })

  it('arbitrary lines and trace lines with arbitrary payloads: one event per non-blank line, never a throw', async () => {
    const fc = await import('fast-check')
    const traceOf = (b: Uint8Array) => traceLine(b)
    const line = fc.oneof(fc.string(), fc.uint8Array({maxLength: 120}).map(traceOf), fc.constant(traceLine(sampleResponse()).slice(0, 50)))
    fc.assert(fc.property(fc.array(line, {maxLength: 20}), (lines) => {
      const clean = lines.map((l) => l.replace(/\n/g, ' '))
      const events = decodeAll(clean)
      expect(events).toHaveLength(clean.filter((l) => l.replace(/\r$/, '').trim() !== '').length)
    }), {numRuns: runs})
  })
})
