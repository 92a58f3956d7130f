import {BinaryWriter, WireType} from '@bufbuild/protobuf/wire'
import {describe, expect, it} from 'vitest'
import {InputError} from '../errors.js'
import {decodeDockerbuildAll, decodeStatusFrames, MEDIA_HISTORY_RECORD, MEDIA_SOLVESTATUS, MEDIA_STATUS, type OciLayout, recordTime, toRecordInfo} from './decode-dockerbuild.js'

const enc = new TextEncoder()
const digestOf = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`

/** StatusResponse with one vertex */
function vertexFrame(digest: string, name: string): Uint8Array {
  const v = new BinaryWriter().tag(1, WireType.LengthDelimited).string(digest).tag(3, WireType.LengthDelimited).string(name).finish()
  return new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(v).finish()
}

function frames(...messages: Uint8Array[]): Uint8Array {
  const parts: number[] = []
  for (const m of messages) {
    const len = new Uint8Array(4)
    new DataView(len.buffer).setUint32(0, m.length, true)
    parts.push(...len, ...m)
  }
  return new Uint8Array(parts)
}

/** A one-record layout: index → manifest → record config (+ layers) */
function layout(record: object, layers: {mediaType: string; digest: string; bytes?: Uint8Array}[] = []): OciLayout {
  const blobs = new Map<string, Uint8Array>()
  blobs.set(digestOf(1), enc.encode(JSON.stringify(record)))
  const manifest = {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {mediaType: MEDIA_HISTORY_RECORD, digest: digestOf(1), size: 1},
    layers: layers.map(({mediaType, digest}) => ({mediaType, digest, size: 1})),
  }
  blobs.set(digestOf(2), enc.encode(JSON.stringify(manifest)))
  for (const l of layers) if (l.bytes) blobs.set(l.digest, l.bytes)
  return {index: {schemaVersion: 2, manifests: [{mediaType: manifest.mediaType, digest: digestOf(2), size: 1}]}, blobs}
}

describe('decodeDockerbuild', () => {
  it('yields the record then its status frames, with entry and byte offset positions', () => {
    const blob = frames(vertexFrame('sha256:a', 'A'), vertexFrame('sha256:b', 'B'))
    const events = decodeDockerbuildAll(layout({Ref: 'r1', CreatedAt: {seconds: 1_700_000_000, nanos: 5_000_000}}, [{mediaType: MEDIA_STATUS, digest: digestOf(3), bytes: blob}]))
    expect(events.map((e) => e.type)).toEqual(['record', 'status', 'status'])
    expect(events[0]).toMatchObject({record: {ref: 'r1', createdAt: 1_700_000_000_005}, position: {entry: `blobs/sha256/${'0'.repeat(63)}1`}})
    expect(events[1]?.position).toEqual({entry: `blobs/sha256/${'0'.repeat(63)}3`, offset: 0})
    expect(events[2]?.position.offset).toBe(4 + vertexFrame('sha256:a', 'A').length)
  })

  it('a corrupt frame is skipped and decoding continues; a truncated last frame is skipped and ends the blob', () => {
    const bad = new Uint8Array([0x0a, 0x50, 0x01]) // field 1, length 80, 1 byte present
    const good = vertexFrame('sha256:c', 'C')
    const blob = frames(bad, good)
    const truncated = new Uint8Array([...blob, 0xff, 0x00, 0x00, 0x00, 0x01])
    const events = [...decodeStatusFrames(truncated, 'blobs/sha256/x')]
    expect(events.map((e) => e.type)).toEqual(['skipped', 'status', 'skipped'])
    expect(events[0]).toMatchObject({position: {offset: 0}})
    expect(events[2]).toMatchObject({text: expect.stringContaining('truncated status frame'), position: {offset: blob.length}})
    // 1..3 trailing bytes: no room for a length prefix
    expect([...decodeStatusFrames(new Uint8Array([1, 2]), 'e')]).toEqual([{type: 'skipped', text: expect.stringContaining('2 trailing bytes'), position: {entry: 'e', offset: 0}}])
  })

  it('falls back to the solvestatus.v0 JSON layer when there is no status.v0', () => {
    const json = {vertexes: [{digest: 'sha256:j', name: 'J', started: '2024-05-15T08:46:10.5Z', cached: true}]}
    const events = decodeDockerbuildAll(layout({Ref: 'r'}, [{mediaType: MEDIA_SOLVESTATUS, digest: digestOf(4), bytes: enc.encode(JSON.stringify(json, null, 2))}]))
    expect(events[1]).toEqual({type: 'status', status: {vertexes: [{digest: 'sha256:j', name: 'J', started: Date.parse('2024-05-15T08:46:10.500Z'), cached: true}]}, position: {entry: `blobs/sha256/${'0'.repeat(63)}4`}})
  })

  it('a referenced status blob that is absent is an InputError naming the entry', () => {
    const l = layout({Ref: 'r'}, [{mediaType: MEDIA_STATUS, digest: digestOf(9)}])
    expect(() => decodeDockerbuildAll(l)).toThrow(InputError)
    try {
      decodeDockerbuildAll(l)
    } catch (error) {
      expect((error as InputError).position).toEqual({entry: `blobs/sha256/${'0'.repeat(63)}9`})
      expect((error as InputError).message).toMatch(/status blob blobs\/sha256\/0+9 .* is missing/)
    }
  })

  it('a missing record config is an InputError too; a record with no status at all is just the record', () => {
    const l = layout({Ref: 'r'})
    expect(decodeDockerbuildAll(l).map((e) => e.type)).toEqual(['record'])
    const blobs = new Map(l.blobs)
    blobs.delete(digestOf(1))
    expect(() => decodeDockerbuildAll({index: l.index, blobs})).toThrow(/build record blobs\/sha256\/0+1 .* missing/)
  })

  it('an index without build records (a plain image layout) or without manifests is an InputError', () => {
    const image = {schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(5)}, layers: []}
    const blobs = new Map([[digestOf(6), enc.encode(JSON.stringify(image))]])
    expect(() => decodeDockerbuildAll({index: {manifests: [{digest: digestOf(6)}]}, blobs})).toThrow(/no build history record/)
    expect(() => decodeDockerbuildAll({index: {}, blobs})).toThrow(InputError)
    expect(() => decodeDockerbuildAll({index: {manifests: [{digest: 'nope'}]}, blobs})).toThrow(InputError)
  })
})

describe('toRecordInfo / recordTime', () => {
  it('accepts both time encodings and maps the zero time to undefined', () => {
    expect(recordTime('2024-05-15T08:46:10.204105616Z')).toBeCloseTo(Date.parse('2024-05-15T08:46:10.204Z') + 0.105616, 6)
    // eslint-disable-next-line no-loss-of-precision -- the nanoseconds a double cannot hold are what the assertion tolerates
    expect(recordTime({seconds: 1715762770, nanos: 204105616})).toBeCloseTo(1715762770204.105616, 3)
    expect(recordTime({seconds: '1715762770', nanos: 0})).toBe(1715762770000)
    expect(recordTime('0001-01-01T00:00:00Z')).toBeUndefined()
    expect(recordTime({seconds: -62135596800, nanos: 0})).toBeUndefined()
    expect(recordTime(undefined)).toBeUndefined()
  })

  it('target from localState, else the target attr; platforms from the platform attr, else Results, else DefaultPlatform', () => {
    expect(toRecordInfo({localState: {Target: 'app'}, FrontendAttrs: {target: 'x', platform: 'linux/amd64, linux/arm64'}})).toMatchObject({target: 'app', platforms: ['linux/amd64', 'linux/arm64']})
    expect(toRecordInfo({FrontendAttrs: {target: 'x'}, Results: {'linux/arm/v7': {}}})).toMatchObject({target: 'x', platforms: ['linux/arm/v7']})
    expect(toRecordInfo({DefaultPlatform: 'linux/amd64'}, 'annotated')).toEqual({ref: 'annotated', platforms: ['linux/amd64']})
  })

  it('status: completed / failed / cancelled (grpc code 1 or "context canceled")', () => {
    expect(toRecordInfo({CompletedAt: '2024-01-01T00:00:00Z'}).status).toBe('completed')
    expect(toRecordInfo({error: {code: 2, message: 'boom'}})).toMatchObject({status: 'failed', error: 'boom'})
    expect(toRecordInfo({error: {code: 1, message: 'x'}}).status).toBe('cancelled')
    expect(toRecordInfo({error: {code: 2, message: 'rpc error: context canceled'}}).status).toBe('cancelled')
    expect(toRecordInfo({}).status).toBeUndefined()
  })

  it('keeps only string frontend attrs', () => {
    expect(toRecordInfo({FrontendAttrs: {'build-arg:A': '1', weird: 3}}).frontendAttrs).toEqual({'build-arg:A': '1'})
  })
})

describe('status frames never throw (property)', () => {
  it('arbitrary bytes yield status/skipped events only', async () => {
    const fc = await import('fast-check')
    fc.assert(fc.property(fc.uint8Array({maxLength: 300}), (bytes) => {
      for (const e of decodeStatusFrames(bytes, 'e')) expect(['status', 'skipped']).toContain(e.type)
    }), {numRuns: Number(process.env.BAKEDOCTOR_FUZZ_RUNS ?? 200)})
  })
})
