import {readFileSync} from 'node:fs'
import {gunzipSync, gzipSync} from 'node:zlib'
import {pack} from 'tar-stream'
import {describe, expect, it} from 'vitest'
import {readDockerbuild, readDockerbuildStream, readOciLayout} from '../../src/adapters/input/read-dockerbuild.js'
import {InputError} from '../../src/domain/errors.js'
import {decodeDockerbuildAll, MEDIA_STATUS, type OciLayout} from '../../src/domain/events/decode-dockerbuild.js'
import type {BuildRecordInfo, StreamEvent} from '../../src/domain/events/stream-event.js'
import {fixturePath} from './helpers.js'

const BUNDLES = {
  COIO50: 'dockerbuild/docker~test-docker-action~COIO50.dockerbuild',
  SNHBPN: 'dockerbuild/docker~test-docker-action~SNHBPN+3.dockerbuild',
  TYO4JJ: 'dockerbuild/docker~test-docker-action~TYO4JJ+15.dockerbuild',
  LWDOW6: 'dockerbuild/moby~buildkit~LWDOW6.dockerbuild',
}

async function collect(it: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = []
  for await (const e of it) out.push(e)
  return out
}

async function layoutOf(rel: string): Promise<OciLayout> {
  return readOciLayout([readFileSync(fixturePath(rel))])
}

interface RecordRun {
  record: BuildRecordInfo
  vertices: Map<string, {name?: string; cached: boolean; completed: boolean}>
  skipped: number
}

/** split events per record; fold vertices the way BuildKit's ImportStatus counts steps */
function perRecord(events: StreamEvent[]): RecordRun[] {
  const out: RecordRun[] = []
  for (const e of events) {
    if (e.type === 'record') out.push({record: e.record, vertices: new Map(), skipped: 0})
    const cur = out.at(-1)
    if (!cur) throw new Error('status before record')
    if (e.type === 'skipped') cur.skipped++
    if (e.type !== 'status') continue
    for (const v of e.status.vertexes ?? []) {
      const prev = cur.vertices.get(v.digest)
      cur.vertices.set(v.digest, {name: v.name ?? prev?.name, cached: Boolean(prev?.cached || v.cached), completed: Boolean(prev?.completed || v.completed !== undefined)})
    }
  }
  return out
}

/** the raw record JSON of each record in a layout, by ref */
function rawRecords(layout: OciLayout): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>()
  for (const bytes of layout.blobs.values()) {
    const text = new TextDecoder().decode(bytes)
    if (!text.startsWith('{') || !text.includes('"Ref"')) continue
    const json = JSON.parse(text) as Record<string, unknown>
    if (typeof json.Ref === 'string') out.set(json.Ref, json)
  }
  return out
}

describe('.dockerbuild bundles (docker/actions-toolkit fixtures)', () => {
  it.each([
    ['COIO50', 1],
    ['SNHBPN', 4],
    ['TYO4JJ', 16],
    ['LWDOW6', 1],
  ] as const)('%s: %i record(s), step counts equal the record\'s numTotal/numCompleted/numCachedSteps', async (key, count) => {
    // Given a real bundle
    const rel = BUNDLES[key]
    const events = await collect(readDockerbuild(fixturePath(rel)))
    const runs = perRecord(events)
    // Then one record event per history record, each followed by its status events
    expect(runs).toHaveLength(count)
    expect(events[0]?.type).toBe('record')
    const raw = rawRecords(await layoutOf(rel))
    for (const run of runs) {
      expect(run.skipped).toBe(0)
      const rec = raw.get(run.record.ref!)
      expect(rec, run.record.ref).toBeDefined()
      const vs = [...run.vertices.values()]
      expect(vs.length, `${run.record.ref} total`).toBe(rec!.numTotalSteps ?? 0)
      expect(vs.filter((v) => v.completed).length, `${run.record.ref} completed`).toBe(rec!.numCompletedSteps ?? 0)
      expect(vs.filter((v) => v.cached).length, `${run.record.ref} cached`).toBe(rec!.numCachedSteps ?? 0)
      expect(run.record.createdAt).toBeLessThan(run.record.completedAt!)
      expect(run.record.platforms).toEqual(['linux/amd64'])
    }
  })

  it('COIO50: record facts and a known step', async () => {
    const [run] = perRecord(await collect(readDockerbuild(fixturePath(BUNDLES.COIO50))))
    expect(run!.record).toMatchObject({
      ref: 'coio50kfpeoc2th3hx7huh3h0', target: 'default', status: 'completed',
      createdAt: Date.parse('2024-05-15T08:46:10.204Z') + 0.105616, // RFC3339Nano kept to the ns
    })
    expect(run!.record.frontendAttrs?.filename).toBe('summary.Dockerfile')
    expect([...run!.vertices.values()].map((v) => v.name)).toContain('[2/2] RUN echo "hello foo"')
  })

  it('SNHBPN: failed and cancelled records carry status and error', async () => {
    const runs = perRecord(await collect(readDockerbuild(fixturePath(BUNDLES.SNHBPN))))
    const byTarget = Object.fromEntries(runs.map((r) => [r.record.target, r.record]))
    expect(byTarget['summary-error']).toMatchObject({status: 'failed', error: 'dockerfile parse error on line 2: unknown instruction: ARGGG (did you mean ARG?)'})
    for (const t of ['go', 'summary', 'go-error']) expect(byTarget[t]).toMatchObject({status: 'cancelled', error: 'context canceled'})
  })

  it('TYO4JJ: 16 bake matrix targets, each with its own RUN, sharing one FROM digest', async () => {
    const runs = perRecord(await collect(readDockerbuild(fixturePath(BUNDLES.TYO4JJ))))
    const fromDigests = new Set<string>()
    for (const run of runs) {
      const name = run.record.target!.replace(/^matrix-/, '')
      expect(run.record.frontendAttrs?.['build-arg:NAME']).toBe(name)
      expect([...run.vertices.values()].map((v) => v.name)).toContain(`[2/2] RUN echo "hello ${name}"`)
      for (const [digest, v] of run.vertices) if (v.name?.startsWith('[1/2] FROM')) fromDigests.add(digest)
    }
    expect(fromDigests.size).toBe(1)
  })

  it('LWDOW6: status.v0 protobuf frames and the solvestatus.v0 JSON fallback describe the same build', async () => {
    const layout = await layoutOf(BUNDLES.LWDOW6)
    const viaFrames = perRecord(decodeDockerbuildAll(layout))[0]!
    expect([...viaFrames.vertices.values()].map((v) => v.name)).toContain('[integration-tests-base  3/18] RUN apk add --no-cache nodejs npm   && npm install -g azurite@3.18.0')
    // When the status.v0 blob is absent from the manifest, the JSON layer is used instead
    const withoutStatus = stripLayer(layout, MEDIA_STATUS)
    const viaJson = perRecord(decodeDockerbuildAll(withoutStatus))[0]!
    expect(viaJson.record).toEqual(viaFrames.record)
    expect(new Map([...viaJson.vertices].map(([d, v]) => [d, v.name]))).toEqual(new Map([...viaFrames.vertices].map(([d, v]) => [d, v.name])))
    expect([...viaJson.vertices.values()].filter((v) => v.cached)).toHaveLength(1)
    // logs survive in both forms
    const logBytes = (events: StreamEvent[]) => events.flatMap((e) => (e.type === 'status' ? (e.status.logs ?? []) : [])).reduce((n, l) => n + l.data.length, 0)
    expect(logBytes(decodeDockerbuildAll(layout))).toBeGreaterThan(10_000)
  })

  it('a bundle missing its status blob is an InputError naming the entry and the file', async () => {
    // Given an archive whose manifest references a status.v0 blob that is not in the tar
    const layout = await layoutOf(BUNDLES.COIO50)
    const statusDigest = [...layout.blobs.keys()].find((d) => d.startsWith('sha256:ad9494e4'))!
    const tarball = await repack(layout, (digest) => digest !== statusDigest)
    // When reading it
    const error = await collect(readDockerbuildStream('broken.dockerbuild', [gzipSync(tarball)])).catch((e: unknown) => e)
    // Then
    expect(error).toBeInstanceOf(InputError)
    const e = error as InputError
    expect(e.message).toContain('blobs/sha256/ad9494e4a18a2fa1b151467d4b1594a9bbb32f6611010da7962cadb07f56ba2e')
    expect(e.message).toContain('missing')
    expect(e.position).toEqual({entry: 'blobs/sha256/ad9494e4a18a2fa1b151467d4b1594a9bbb32f6611010da7962cadb07f56ba2e'})
    expect(e.file).toBe('broken.dockerbuild')
    expect(e.fix).toMatch(/history export/)
  })

  it('an un-gzipped tar of the same layout decodes the same', async () => {
    const gz = readFileSync(fixturePath(BUNDLES.TYO4JJ))
    const a = await collect(readDockerbuildStream('a', [gz]))
    const b = await collect(readDockerbuildStream('b', [gunzipSync(gz)]))
    expect(b).toEqual(a)
  })

  it('a stream split into tiny chunks decodes the same', async () => {
    const gz = readFileSync(fixturePath(BUNDLES.SNHBPN))
    const chunks = Array.from({length: Math.ceil(gz.length / 7)}, (_, i) => gz.subarray(i * 7, i * 7 + 7))
    expect(await collect(readDockerbuildStream('x', chunks))).toEqual(await collect(readDockerbuildStream('x', [gz])))
  })
})

describe('.dockerbuild archive limits and damage', () => {
  it('a gzip bomb is refused as an InputError before it is expanded', async () => {
    // Given 64 MiB of zeros in one entry: ~64 KiB compressed, ratio ~1000
    const tarball = await tarOf([['index.json', Buffer.from('{"manifests":[]}')], ['blobs/sha256/' + '0'.repeat(64), Buffer.alloc(64 * 1024 * 1024)]])
    const bomb = gzipSync(tarball, {level: 9})
    expect(bomb.length).toBeLessThan(1024 * 1024)
    const error = await collect(readDockerbuildStream('bomb.dockerbuild', [bomb])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).message).toMatch(/decompression bomb/)
    expect((error as InputError).file).toBe('bomb.dockerbuild')
  })

  it('an archive expanding beyond the total limit is refused', async () => {
    const error = await collect(readDockerbuild(fixturePath(BUNDLES.LWDOW6), {maxTotalBytes: 100_000})).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).message).toMatch(/expands beyond 97\.7 KiB/)
  })

  it('an entry over the per-entry limit is refused, naming the entry', async () => {
    const error = await collect(readDockerbuild(fixturePath(BUNDLES.LWDOW6), {maxEntryBytes: 300_000})).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).position?.entry).toMatch(/^blobs\/sha256\/[0-9a-f]{64}$/)
  })

  it('a truncated archive is an InputError, not a crash', async () => {
    const gz = readFileSync(fixturePath(BUNDLES.TYO4JJ))
    const error = await collect(readDockerbuildStream('cut.dockerbuild', [gz.subarray(0, gz.length / 2)])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).file).toBe('cut.dockerbuild')
  })

  it('gzip of something that is not a tar / has no index.json is an InputError', async () => {
    for (const body of [gzipSync(Buffer.from('hello world, not a tar archive at all')), gzipSync(await tarOf([['oci-layout', Buffer.from('{}')]]))]) {
      const error = await collect(readDockerbuildStream('x.dockerbuild', [body])).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InputError)
    }
  })

  it('an empty stream is an InputError', async () => {
    await expect(collect(readDockerbuildStream('empty', []))).rejects.toBeInstanceOf(InputError)
  })
})

function stripLayer(layout: OciLayout, mediaType: string): OciLayout {
  const blobs = new Map(layout.blobs)
  for (const [digest, bytes] of layout.blobs) {
    const text = new TextDecoder().decode(bytes)
    if (!text.includes('"application/vnd.oci.image.manifest.v1+json"')) continue
    const manifest = JSON.parse(text) as {mediaType?: string; layers?: {mediaType: string}[]}
    if (manifest.mediaType !== 'application/vnd.oci.image.manifest.v1+json' || !manifest.layers) continue
    manifest.layers = manifest.layers.filter((l) => l.mediaType !== mediaType)
    blobs.set(digest, new TextEncoder().encode(JSON.stringify(manifest)))
  }
  // the record's own `logs` pointer names the status blob too: drop the blob so only JSON remains
  for (const [digest, bytes] of layout.blobs) if (bytes[0] !== 0x7b) blobs.delete(digest)
  return {index: layout.index, blobs}
}

async function tarOf(entries: [string, Buffer][]): Promise<Buffer> {
  const p = pack()
  for (const [name, body] of entries) p.entry({name}, body)
  p.finalize()
  const chunks: Buffer[] = []
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks)
}

async function repack(layout: OciLayout, keep: (digest: string) => boolean): Promise<Buffer> {
  const entries: [string, Buffer][] = [['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')], ['index.json', Buffer.from(JSON.stringify(layout.index))]]
  for (const [digest, bytes] of layout.blobs) if (keep(digest)) entries.push([`blobs/${digest.replace(':', '/')}`, Buffer.from(bytes)])
  return tarOf(entries)
}

describe('readDockerbuild on a missing file', () => {
  it('is an InputError naming the file', async () => {
    const error = await collect(readDockerbuild('/nonexistent/x.dockerbuild')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).file).toBe('/nonexistent/x.dockerbuild')
    expect((error as InputError).message).toMatch(/ENOENT/)
  })
})
