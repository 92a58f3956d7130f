// Realistic synthetic BuildKit data for benchmarks and load tests: a bake rawjson stream shaped like
// the real captures in fixtures/ (interleaved targets, name prefixes, announcements then
// started/completed snapshots, statuses, base64 logs, cached and executed steps, failures).
import {createHash} from 'node:crypto'

/** Deterministic PRNG so that every run measures the same data. */
export function rng(seed) {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
}

const digest = (text) => 'sha256:' + createHash('sha256').update(text).digest('hex')

/**
 * Yields rawjson lines of one bake run.
 * @param {{targets?: number, platforms?: string[], stepsPerTarget?: number, cachedRatio?: number,
 *          seed?: number, runId?: number, logBytesPerRun?: number, logChunkBytes?: number, failTarget?: number}} o
 * logBytesPerRun: output bytes of each executed RUN step; logChunkBytes: split it into `logs`
 * messages of at most that many bytes (default: one message). logLineBytes: instead, print it as
 * lines of about that many bytes, each line its own `logs` message, with a `statuses` progress
 * message every 16 lines — what BuildKit sends for `npm ci`, `apt-get` or a compiler; the lines
 * differ per run (times, hashes), as real output does.
 */
export function* bakeStreamLines(o = {}) {
  const targets = o.targets ?? 40
  const platforms = o.platforms ?? ['linux/amd64', 'linux/arm64']
  const steps = o.stepsPerTarget ?? 30
  const rand = rng((o.seed ?? 1) * 7919 + (o.runId ?? 0))
  const runId = o.runId ?? 0
  const logBytes = o.logBytesPerRun ?? 200
  let t = Date.UTC(2026, 10, 1) + runId * 600_000
  const iso = (ms) => new Date(ms).toISOString().replace('Z', '123Z')
  const stages = ['deps', 'build', 'final']
  const perStage = Math.ceil(steps / stages.length)
  for (let ti = 0; ti < targets; ti++) {
    const target = `svc${String(ti).padStart(2, '0')}`
    const vertices = []
    const ctx = digest(`${runId}/${target}/context`)
    yield JSON.stringify({vertexes: [{digest: ctx, name: `[${target} internal] load build context`}]})
    for (const platform of platforms) {
      let prev
      let n = 0
      for (const stage of stages) {
        const total = perStage + 1
        const from = digest(`${platform}/base`)
        vertices.push({digest: from, name: `[${target} ${platform} ${stage} 1/${total}] FROM registry.example/base:1@sha256:${'ab'.repeat(32)}`, inputs: [], kind: 'FROM'})
        prev = from
        for (let i = 2; i <= total && n < steps; i++, n++) {
          const kind = i % 3 === 0 ? 'COPY' : i % 3 === 1 ? 'RUN' : 'WORKDIR'
          const text = kind === 'RUN' ? `RUN make step-${i} TARGET=${target} && echo done > /out/${stage}-${i}` : kind === 'COPY' ? `COPY src/${stage}/part${i}/ ./part${i}/` : `WORKDIR /w/${stage}${i}`
          const d = digest(`${runId}/${target}/${platform}/${stage}/${i}`)
          vertices.push({digest: d, name: `[${target} ${platform} ${stage} ${i}/${total}] ${text}`, inputs: kind === 'COPY' ? [prev, ctx] : [prev], kind})
          prev = d
        }
      }
    }
    // announcement of the whole graph, like BuildKit's first message
    yield JSON.stringify({vertexes: vertices.map((v) => ({digest: v.digest, inputs: v.inputs.length ? v.inputs : undefined, name: v.name}))})
    let missed = false
    for (const v of vertices) {
      const started = t
      const cached = v.kind !== 'FROM' && !missed && rand() < (o.cachedRatio ?? 0.8)
      if (!cached && v.kind !== 'FROM') missed = true
      const dur = cached ? 1 + rand() * 5 : 20 + rand() * 2000
      t += dur
      const base = {digest: v.digest, inputs: v.inputs.length ? v.inputs : undefined, name: v.name}
      yield JSON.stringify({vertexes: [{...base, started: iso(started)}]})
      if (!cached && v.kind === 'RUN') {
        yield JSON.stringify({statuses: [{id: 'running', vertex: v.digest, current: 1, timestamp: iso(started + 1), started: iso(started)}]})
        if (o.logLineBytes) {
          yield* realisticOutput(v.digest, started, logBytes, o.logLineBytes, rand, runId)
          const failed = o.failTarget === ti && v.kind === 'RUN' && !cached
          yield JSON.stringify({vertexes: [{...base, started: iso(started), completed: iso(t), ...(failed ? {error: 'process "/bin/sh -c npm ci" did not complete successfully: exit code: 1'} : {})}]})
          if (failed) return
          continue
        }
        const raw = Buffer.from(`compiling ${v.name.slice(0, 40)}\n`.repeat(Math.max(1, Math.round(logBytes / 60))))
        // BuildKit sends a step's output as it comes, in pieces (logChunkBytes); default: one message
        const chunk = o.logChunkBytes ?? raw.length
        for (let off = 0, k = 0; off < raw.length; off += chunk, k++) {
          const data = raw.subarray(off, off + chunk).toString('base64')
          yield JSON.stringify({logs: [{vertex: v.digest, stream: 1, data, timestamp: iso(started + 2 + k)}]})
        }
      }
      const failed = o.failTarget === ti && v.kind === 'RUN' && !cached
      yield JSON.stringify({vertexes: [{...base, started: iso(started), completed: iso(t), ...(cached ? {cached: true} : {}), ...(failed ? {error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2'} : {})}]})
      if (failed) return
    }
    yield JSON.stringify({vertexes: [{digest: digest(`${runId}/${target}/export`), name: `[${target}] exporting to image`, started: iso(t), completed: iso(t + 50)}]})
  }
}

const PACKAGES = ['react', 'lodash', 'typescript', 'esbuild', 'undici', 'libssl3', 'ca-certificates', 'zlib1g', 'gcc-12', 'python3-pip']

/**
 * `bytes` of output as lines of about `lineBytes`, one `logs` message per line (base64, as BuildKit
 * sends it) and a `statuses` message every 16 lines.
 */
function* realisticOutput(vertex, started, bytes, lineBytes, rand, runId) {
  const iso = (ms) => new Date(ms).toISOString().replace('Z', '456789Z')
  const lines = Math.max(1, Math.round(bytes / lineBytes))
  for (let i = 0; i < lines; i++) {
    const at = started + 2 + i * 3
    const pkg = PACKAGES[Math.floor(rand() * PACKAGES.length)]
    const hash = Math.floor(rand() * 2 ** 52).toString(16).padStart(13, '0')
    const head = `#${runId} ${(i * 0.003).toFixed(3)} npm http fetch GET 200 https://registry.npmjs.org/${pkg}/-/${pkg}-${i % 97}.${runId % 13}.${Math.floor(rand() * 100)}.tgz ${Math.floor(rand() * 900)}ms (cache miss) sha512-${hash}`
    const line = `${head} ${'resolved '.repeat(Math.max(0, Math.floor((lineBytes - head.length) / 9)))}`.slice(0, lineBytes - 1) + '\n'
    yield JSON.stringify({logs: [{vertex, stream: 1, data: Buffer.from(line).toString('base64'), timestamp: iso(at)}]})
    if (i % 16 === 15) yield JSON.stringify({statuses: [{id: `extracting ${pkg}`, vertex, name: 'extracting', current: i + 1, total: lines, timestamp: iso(at + 1), started: iso(started + 1)}]})
  }
}
