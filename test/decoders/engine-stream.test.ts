import {describe, expect, it} from 'vitest'
import {createEngineDecoder} from '../../src/domain/events/decode-engine.js'
import type {SolveStatus} from '../../src/domain/events/solve-status.js'
import type {StreamEvent} from '../../src/domain/events/stream-event.js'
import {parseTime} from '../../src/domain/events/time.js'
import {decodeText, foldVertices, readFixture} from './helpers.js'

const STREAMS = [
  'engine-build-stream',
  'engine-build-stream-rerun-cached',
  'engine-build-stream-error',
  'cli-session-run1.engine',
  'cli-session-run2.engine',
  'cli-session-run3.engine',
]

type Json = Record<string, unknown>

/** Times are compared to 1 µs: the reference file has ns strings, we keep fractional ms. */
function expectTime(actual: number | undefined, expected: unknown, what: string): void {
  const want = parseTime(expected)
  if (want === undefined) {
    expect(actual, what).toBeUndefined()
    return
  }
  expect(actual, what).toBeDefined()
  expect(Math.abs(actual! - want), `${what}: ${actual} vs ${String(expected)}`).toBeLessThan(0.001)
}

function compareWithReference(status: SolveStatus, ref: Json, where: string): void {
  const vertexes = (ref.vertexes ?? []) as Json[]
  expect(status.vertexes ?? [], `${where} vertexes`).toHaveLength(vertexes.length)
  vertexes.forEach((rv, i) => {
    const v = status.vertexes![i]!
    expect(v.digest).toBe(rv.digest)
    expect(v.name).toBe(rv.name)
    expect(v.inputs).toEqual(rv.inputs)
    expect(v.cached ?? false).toBe(rv.cached ?? false)
    expect(v.error).toBe(rv.error)
    expectTime(v.started, rv.started, `${where} vertex ${i} started`)
    expectTime(v.completed, rv.completed, `${where} vertex ${i} completed`)
  })
  const statuses = (ref.statuses ?? []) as Json[]
  expect(status.statuses ?? [], `${where} statuses`).toHaveLength(statuses.length)
  statuses.forEach((rs, i) => {
    const s = status.statuses![i]!
    expect(s.id).toBe(rs.id)
    expect(s.vertex).toBe(rs.vertex)
    expect(s.name).toBe(rs.name)
    expect(s.current).toBe(rs.current ?? 0)
    expect(s.total).toBe(rs.total)
    expectTime(s.timestamp, rs.timestamp, `${where} status ${i} timestamp`)
    expectTime(s.started, rs.started, `${where} status ${i} started`)
    expectTime(s.completed, rs.completed, `${where} status ${i} completed`)
  })
  const logs = (ref.logs ?? []) as Json[]
  expect(status.logs ?? [], `${where} logs`).toHaveLength(logs.length)
  logs.forEach((rl, i) => {
    const l = status.logs![i]!
    expect(l.vertex).toBe(rl.vertex)
    expect(l.stream).toBe(rl.stream ?? 0)
    expect(Buffer.from(l.data).toString('base64')).toBe(rl.data)
    expectTime(l.timestamp, rl.timestamp, `${where} log ${i} timestamp`)
  })
  expect(status.warnings ?? []).toHaveLength(((ref.warnings ?? []) as Json[]).length)
}

describe('Docker Engine /build stream decoder on real Engine 20.10 captures', () => {
  for (const name of STREAMS) {
    it(`${name}: every trace line decodes and equals the reference .decoded.jsonl`, () => {
      // Given the raw body (\r\n framed) and the reference decode of the same lines
      const raw = readFixture(`engine-20.10/${name}.jsonl`)
      expect(raw).toContain('\r\n')
      const reference = readFixture(`engine-20.10/${name}.decoded.jsonl`).trim().split('\n').map((l) => JSON.parse(l) as Json)
      // When decoding it
      const events = decodeText(createEngineDecoder(), raw)
      // Then each input line gives exactly one event, no trace line is skipped
      const rawLines = raw.split('\n').filter((l) => l.trim() !== '')
      expect(events).toHaveLength(rawLines.length)
      expect(reference).toHaveLength(rawLines.length)
      let statusCount = 0
      events.forEach((event, i) => {
        expect(event.position.line).toBe(i + 1)
        const isTrace = rawLines[i]!.includes('"moby.buildkit.trace"')
        if (isTrace) {
          expect(event.type, `line ${i + 1}`).toBe('status')
          compareWithReference((event as Extract<StreamEvent, {type: 'status'}>).status, reference[i]!, `line ${i + 1}`)
          statusCount++
        } else {
          expect(event.type, `line ${i + 1}`).not.toBe('status')
          expect(reference[i]!._nonTrace).toBeDefined()
        }
      })
      expect(statusCount).toBeGreaterThan(5)
    })
  }

  it('folds the cold tar build into the Dockerfile steps with completed, non-cached work and an image id', () => {
    const events = decodeText(createEngineDecoder(), readFixture('engine-20.10/engine-build-stream.jsonl'))
    const folded = foldVertices(events)
    const names = [...folded.values()].map((v) => v.name)
    expect(names).toContain('[internal] load remote build context')
    expect(names).toContain('[1/4] FROM docker.io/localbase/busybox:1')
    const run = [...folded.values()].find((v) => v.name?.startsWith('[3/4] RUN echo "hello from run"'))
    expect(run).toMatchObject({completed: true, cached: false})
    const result = events.find((e) => e.type === 'result')
    expect(result).toMatchObject({type: 'result', imageId: 'sha256:c86d18896808da0ce246e2713050d07bd704fa2180de7b464f42a23bd6a2e70a'})
    expect(events.some((e) => e.type === 'build-error')).toBe(false)
    // stdout and stderr logs keep their stream number in the protobuf form
    const logs = events.flatMap((e) => (e.type === 'status' ? (e.status.logs ?? []) : []))
    const warnStep = logs.find((l) => new TextDecoder().decode(l.data).includes('warn-step'))
    expect(warnStep?.stream).toBe(2)
  })

  it('rerun of the same tar build: every Dockerfile step after FROM is cached, FROM digest is stable', () => {
    const cold = foldVertices(decodeText(createEngineDecoder(), readFixture('engine-20.10/engine-build-stream.jsonl')))
    const warm = foldVertices(decodeText(createEngineDecoder(), readFixture('engine-20.10/engine-build-stream-rerun-cached.jsonl')))
    const steps = [...warm.values()].filter((v) => /^\[[234]\/4\]/.test(v.name ?? ''))
    expect(steps).toHaveLength(3)
    for (const s of steps) expect(s.cached, s.name).toBe(true)
    const from = (m: Map<string, {name?: string; digest: string}>) => [...m.values()].find((v) => v.name?.includes('FROM'))?.digest
    expect(from(warm)).toBe(from(cold))
  })

  it('error stream yields a build-error with the daemon message and the failed vertex error', () => {
    const events = decodeText(createEngineDecoder(), readFixture('engine-20.10/engine-build-stream-error.jsonl'))
    const errors = events.filter((e) => e.type === 'build-error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({message: 'executor failed running [/bin/sh -c echo about to fail && exit 3]: exit code: 3', position: {line: 12}})
    const failed = [...foldVertices(events).values()].filter((v) => v.error)
    expect(failed.map((v) => v.name)).toEqual(['[2/2] RUN echo about to fail && exit 3'])
    expect(events.some((e) => e.type === 'result')).toBe(false)
  })

  it('tagger output is kept as skipped text', () => {
    const events = decodeText(createEngineDecoder(), readFixture('engine-20.10/cli-session-run1.engine.jsonl'))
    const skipped = events.filter((e) => e.type === 'skipped')
    expect(skipped).toEqual([{type: 'skipped', text: 'Successfully tagged bakedoctor-research:cli1', position: {line: 28}}])
  })
})
