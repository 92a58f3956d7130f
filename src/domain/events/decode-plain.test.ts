import {describe, expect, it} from 'vitest'
import {createPlainDecoder, PLAIN_TIME_ORIGIN} from './decode-plain.js'
import type {Vertex} from './solve-status.js'
import type {StreamEvent} from './stream-event.js'

function decode(text: string): StreamEvent[] {
  const d = createPlainDecoder()
  const lines = text.split('\n')
  return [...lines.flatMap((l, i) => d.push(l, i + 1)), ...d.end()]
}

/** last snapshot per digest */
function lastVertices(events: StreamEvent[]): Map<string, Vertex> {
  const out = new Map<string, Vertex>()
  for (const e of events) if (e.type === 'status') for (const v of e.status.vertexes ?? []) out.set(v.digest, {...out.get(v.digest), ...v})
  return out
}

// A buildx ≥ v0.11 / BuildKit ≥ v0.9 plain log (no digest lines), written after real output.
const MODERN = `#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 120B done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/alpine:3.19
#2 DONE 1.2s

#3 [1/3] FROM docker.io/library/alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b
#3 resolve docker.io/library/alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b 0.0s done
#3 sha256:4abcf20661432fb2d719aaf90656f55c287f8ca915dc1c92ec14ff61e67fbaf8 3.41MB / 3.41MB 0.2s done
#3 CACHED

#4 [2/3] RUN apk add curl
#4 0.512 fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz
#4 ...

#5 [stage-1 1/1] COPY . .
#5 DONE 0.1s

#4 [2/3] RUN apk add curl
#4 1.234 OK: 10 MiB in 20 packages
#4 DONE 2.5s

#6 [3/3] RUN make
#6 WARN: FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)
#6 0.100 compiling
#6 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2
------
 > [3/3] RUN make:
0.100 compiling
------
Dockerfile:4
--------------------
   2 |     RUN apk add curl
   3 | >>> RUN make
--------------------
ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2`

describe('createPlainDecoder', () => {
  it('synthesizes one vertex per #N block with plain:<N> digests, names and terminal states', () => {
    const events = decode(MODERN)
    const v = lastVertices(events)
    expect([...v.keys()]).toEqual(['plain:1', 'plain:2', 'plain:3', 'plain:4', 'plain:5', 'plain:6'])
    expect(v.get('plain:3')).toMatchObject({name: '[1/3] FROM docker.io/library/alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b', cached: true})
    expect(v.get('plain:4')).toMatchObject({name: '[2/3] RUN apk add curl'})
    expect(v.get('plain:4')?.cached).toBeUndefined()
    expect(v.get('plain:6')?.error).toBe('process "/bin/sh -c make" did not complete successfully: exit code: 2')
    for (const vertex of v.values()) expect(vertex.completed, vertex.name).toBeDefined()
  })

  it('durations equal the printed DONE seconds, even when a block is interrupted and resumed', () => {
    const v = lastVertices(decode(MODERN))
    const dur = (d: string) => v.get(d)!.completed! - v.get(d)!.started!
    expect(dur('plain:2')).toBeCloseTo(1200, 6)
    expect(dur('plain:4')).toBeCloseTo(2500, 6)
    expect(dur('plain:5')).toBeCloseTo(100, 6)
    expect(dur('plain:3')).toBe(0)
    // an ERROR has no printed duration: the last log offset is the best estimate
    expect(dur('plain:6')).toBeCloseTo(100, 6)
    for (const vertex of v.values()) expect(vertex.started).toBeGreaterThanOrEqual(PLAIN_TIME_ORIGIN)
  })

  it('log lines become stream-0 logs timestamped at start + offset, in order, across an interruption', () => {
    const events = decode(MODERN)
    const logs = events.flatMap((e) => (e.type === 'status' ? (e.status.logs ?? []) : [])).filter((l) => l.vertex === 'plain:4')
    expect(logs.map((l) => new TextDecoder().decode(l.data))).toEqual([
      'fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz\n',
      'OK: 10 MiB in 20 packages\n',
    ])
    expect(logs.every((l) => l.stream === 0)).toBe(true)
    const started = lastVertices(events).get('plain:4')!.started!
    expect(logs[1]!.timestamp! - started).toBeCloseTo(1234, 6)
  })

  it('status lines keep their label, progress and done time; WARN lines become warnings', () => {
    const events = decode(MODERN)
    const statuses = events.flatMap((e) => (e.type === 'status' ? (e.status.statuses ?? []) : []))
    expect(statuses.find((s) => s.vertex === 'plain:1')).toMatchObject({id: 'transferring dockerfile:', current: 120})
    expect(statuses.find((s) => s.id.startsWith('sha256:4abcf'))).toMatchObject({current: 3_410_000, total: 3_410_000, vertex: 'plain:3'})
    const resolve = statuses.find((s) => s.id.startsWith('resolve '))!
    expect(resolve.completed).toBe(resolve.started)
    const warnings = events.flatMap((e) => (e.type === 'status' ? (e.status.warnings ?? []) : []))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.vertex).toBe('plain:6')
    expect(new TextDecoder().decode(warnings[0]!.short)).toMatch(/^FromAsCasing:/)
  })

  it('buildx error tail: exactly one build-error, the ERROR: line, not the Dockerfile excerpt', () => {
    const events = decode(MODERN)
    const errors = events.filter((e) => e.type === 'build-error')
    expect(errors).toEqual([{type: 'build-error', message: 'failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2', position: {line: 39}}])
    expect(events.find((e) => e.type === 'skipped' && e.text.startsWith('#0 building with'))).toBeDefined()
  })

  it('≤ v0.8 digest lines replace the synthetic digest; CRLF line ends are accepted', () => {
    const digest = 'sha256:' + 'ab'.repeat(32)
    const events = decode(`#1 [1/1] RUN true\r\n#1 ${digest}\r\n#1 DONE 0.4s\r\n`.replace(/\n$/, ''))
    expect([...lastVertices(events).values()]).toEqual([{digest, name: '[1/1] RUN true', started: PLAIN_TIME_ORIGIN, completed: PLAIN_TIME_ORIGIN + 400}])
  })

  it('CANCELED → error "context canceled"', () => {
    const v = lastVertices(decode('#1 [2/2] RUN sleep 100\n#1 1.000 zzz\n#1 CANCELED'))
    expect(v.get('plain:1')).toMatchObject({error: 'context canceled', completed: PLAIN_TIME_ORIGIN + 1000})
  })

  it('empty input yields nothing', () => {
    expect(decode('')).toEqual([])
    expect(createPlainDecoder().end()).toEqual([])
  })

  it('a cut stream (truncated last line) leaves the vertex started but not completed; never throws', () => {
    const events = decode('#1 [1/2] FROM busybox\n#1 CACHED\n\n#2 [2/2] RUN make\n#2 DONE 1.')
    const v = lastVertices(events)
    expect(v.get('plain:1')?.cached).toBe(true)
    expect(v.get('plain:2')).toMatchObject({name: '[2/2] RUN make', started: PLAIN_TIME_ORIGIN})
    expect(v.get('plain:2')?.completed).toBeUndefined()
  })

  it('a vertex printed only by its header is announced at end()', () => {
    const events = decode('#1 [internal] load build context')
    expect(events).toEqual([{type: 'status', status: {vertexes: [{digest: 'plain:1', name: '[internal] load build context', started: PLAIN_TIME_ORIGIN}]}, position: {}}])
  })

  it('trailing garbage and CLI noise are skipped, not fatal', () => {
    const events = decode('#1 [1/1] RUN true\n#1 DONE 0.1s\n\u0000\u00ffgarbage\nView build details: docker-desktop://dashboard/build/x/y/z')
    expect(events.filter((e) => e.type === 'skipped').map((e) => e.position.line)).toEqual([3, 4])
    expect(events.some((e) => e.type === 'build-error')).toBe(false)
  })

  it('docker 20.10 CLI frontend failures without an error block are build-errors', () => {
    const events = decode('#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\nfailed to solve with frontend dockerfile.v0: failed to create LLB definition: unknown instruction: RUNN')
    expect(events.filter((e) => e.type === 'build-error')).toEqual([
      {type: 'build-error', message: 'failed to solve with frontend dockerfile.v0: failed to create LLB definition: unknown instruction: RUNN', position: {line: 3}},
    ])
  })
})

describe('plain decoder never throws (property)', () => {
  it('arbitrary #N-shaped and free lines', async () => {
    const fc = await import('fast-check')
    const runs = Number(process.env.BAKEDOCTOR_FUZZ_RUNS ?? 200)
    const vertexLine = fc.tuple(fc.integer({min: 0, max: 5}), fc.oneof(fc.string(), fc.constantFrom('CACHED', 'DONE 1.2s', 'DONE x', 'ERROR: e', 'CANCELED', '...', '0.5 log', 'WARN: w', 'sha256:' + 'a'.repeat(64))))
      .map(([n, rest]) => `#${n} ${rest}`)
    const line = fc.oneof(vertexLine, fc.string(), fc.constantFrom('', '------', 'ERROR: x', 'Dockerfile:3'))
    fc.assert(fc.property(fc.array(line, {maxLength: 30}), (lines) => {
      const events = decode(lines.map((l) => l.replace(/\n/g, ' ')).join('\n'))
      for (const e of events) if (e.type === 'status') for (const v of e.status.vertexes ?? []) expect(v.digest).toMatch(/^(plain:\d+|sha256:[0-9a-f]{64})$/)
    }), {numRuns: runs})
  })
})
