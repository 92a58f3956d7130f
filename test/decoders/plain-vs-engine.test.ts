import {describe, expect, it} from 'vitest'
import {createEngineDecoder} from '../../src/domain/events/decode-engine.js'
import {createPlainDecoder} from '../../src/domain/events/decode-plain.js'
import type {StreamEvent} from '../../src/domain/events/stream-event.js'
import {decodeText, type FoldedVertex, foldVertices, readFixture} from './helpers.js'

/** name → terminal state, the way `--progress=plain` reports it */
function states(folded: Map<string, FoldedVertex>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of folded.values()) {
    if (!v.started) continue // never-started vertices are not printed in plain output
    out[v.name!] = v.error ? 'ERROR' : v.cached ? 'CACHED' : v.completed ? 'DONE' : 'RUNNING'
  }
  return out
}

/** union of [started, completed] intervals per digest, ms */
function durations(events: StreamEvent[]): Map<string, number> {
  const intervals = new Map<string, Map<number, number>>()
  for (const e of events) {
    if (e.type !== 'status') continue
    for (const v of e.status.vertexes ?? []) {
      if (v.started === undefined || v.completed === undefined) continue
      const m = intervals.get(v.digest) ?? new Map<number, number>()
      m.set(v.started, v.completed)
      intervals.set(v.digest, m)
    }
  }
  const out = new Map<string, number>()
  for (const [digest, m] of intervals) {
    const sorted = [...m].sort((a, b) => a[0] - b[0])
    let total = 0
    let end = -Infinity
    for (const [s, c] of sorted) {
      const from = Math.max(s, end)
      if (c > from) total += c - from
      end = Math.max(end, c)
    }
    out.set(digest, total)
  }
  return out
}

describe('plain logs vs the Engine stream of the same build (docker 20.10 CLI, BuildKit v0.8)', () => {
  for (const run of ['run1', 'run2', 'run3']) {
    it(`${run}: same step names, digests and CACHED/DONE/ERROR states`, () => {
      // Given the plain text and the Engine /build body captured from the same CLI build
      const plainEvents = decodeText(createPlainDecoder(), readFixture(`engine-20.10/cli-session-${run}.plain.txt`))
      const engineEvents = decodeText(createEngineDecoder(), readFixture(`engine-20.10/cli-session-${run}.engine.jsonl`))
      const plain = foldVertices(plainEvents)
      const engine = foldVertices(engineEvents)
      // Then the plain decoder recovers the same vertices (v0.8 prints the digest line)
      expect(states(plain)).toEqual(states(engine))
      expect(Object.keys(states(plain))).toHaveLength(9)
      for (const [digest, v] of plain) {
        expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(engine.get(digest)?.name).toBe(v.name)
      }
      // and the synthesized durations are the printed DONE seconds, close to the real ones
      const plainDur = durations(plainEvents)
      const engineDur = durations(engineEvents)
      for (const [digest, ms] of plainDur) {
        expect(Math.abs(ms - (engineDur.get(digest) ?? 0)), plain.get(digest)?.name).toBeLessThanOrEqual(50)
      }
    })
  }

  it('run3: the changed RUN took the printed 0.3 s; build-arg expansion is visible in the name', () => {
    const events = decodeText(createPlainDecoder(), readFixture('engine-20.10/cli-session-run3.plain.txt'))
    const run = [...foldVertices(events).values()].find((v) => v.name === '[base 2/2] RUN echo "base bonjour"')
    expect(run).toMatchObject({cached: false, completed: true})
    expect(durations(events).get(run!.digest)).toBeCloseTo(300, 6)
    // its log line is kept, as stream 0 (plain output merges stdout and stderr)
    const logs = events.flatMap((e) => (e.type === 'status' ? (e.status.logs ?? []) : [])).filter((l) => l.vertex === run!.digest)
    expect(logs.map((l) => [l.stream, new TextDecoder().decode(l.data)])).toEqual([[0, 'base bonjour\n']])
  })

  it('failing build: the RUN vertex gets the ERROR text and the trailing block becomes one build-error', () => {
    const events = decodeText(createPlainDecoder(), readFixture('engine-20.10/cli-session-error.plain.txt'))
    const message = 'executor failed running [/bin/sh -c echo line1 && echo line2 >&2 && exit 7]: exit code: 7'
    const failed = [...foldVertices(events).values()].filter((v) => v.error)
    expect(failed).toEqual([expect.objectContaining({name: '[2/2] RUN echo line1 && echo line2 >&2 && exit 7', error: message, completed: true})])
    const errors = events.filter((e) => e.type === 'build-error')
    expect(errors).toEqual([{type: 'build-error', message, position: {line: 27}}])
    // both log lines, in order
    const text = events.flatMap((e) => (e.type === 'status' ? (e.status.logs ?? []) : [])).map((l) => new TextDecoder().decode(l.data)).join('')
    expect(text).toBe('line1\nline2\n')
  })
})
