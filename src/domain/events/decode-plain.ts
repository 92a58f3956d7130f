/**
 * `--progress=plain` text (events.md §7): a LOSSY fallback source. What it yields:
 * - one synthesized vertex per `#N` block: digest `plain:<N>`, or the real digest when BuildKit
 *   ≤ v0.8 prints `#N sha256:…` right after the name; name from the block header;
 * - terminal state: `CACHED` → cached, `DONE x.ys` → completed, `ERROR: …` → error, `CANCELED` →
 *   error "context canceled" (what BuildKit's printer tests for);
 * - times: plain logs carry no clock, so `started`/`completed` are synthesized from a fixed origin
 *   (PLAIN_TIME_ORIGIN) such that completed − started is the printed DONE duration; a vertex starts
 *   at the synthetic clock when it is first printed and the clock advances as vertices finish.
 *   Absolute times are meaningless; durations are right to the printed 0.1 s;
 * - `#N 0.123 text` log lines → logs with stream 0 (stdout/stderr are merged in plain output);
 * - `#N <status> [cur[ / total]] [secs s] [done]` → statuses; `#N WARN: …` → warnings;
 * - the trailing error block (`------` … `------`) and `ERROR: …` lines → build-error (the
 *   `ERROR:` line when buildx printed one, else the last message line after the block, which is
 *   how the docker 20.10 CLI prints it).
 * Everything else (`#0 building with …`, warnings summary, `View build details`, noise) is skipped.
 */
import type {LineDecoder} from './line-decoder.js'
import type {SolveStatus, Vertex, VertexStatus} from './solve-status.js'
import type {StreamEvent} from './stream-event.js'

export type {LineDecoder} from './line-decoder.js'

/** 2000-01-01T00:00:00Z: the synthetic clock's zero for plain logs (a recognisable, non-zero time). */
export const PLAIN_TIME_ORIGIN = Date.UTC(2000, 0, 1)

interface PlainVertex {
  n: number
  digest: string
  name: string
  started: number
  /** a snapshot was emitted (the digest is fixed from then on) */
  emitted: boolean
  /** seconds offset of the last log line: the best duration guess for ERROR/CANCELED */
  lastLogSecs: number
}

type Mode = 'steps' | 'error-block' | 'tail'

const VERTEX_LINE = /^#(\d+)(?: (.*))?$/
const DIGEST = /^sha256:[0-9a-f]{64}$/
const DONE = /^DONE (\d+(?:\.\d+)?)s$/
const LOG = /^(\d+\.\d+)(?: (.*))?$/
const STATUS = /^(.*?)(?: (\d+(?:\.\d+)?(?:[kKMGTP]?i?B)?)(?: \/ (\d+(?:\.\d+)?(?:[kKMGTP]?i?B)?))?)?(?: (\d+(?:\.\d+)?)s)?( done)?$/
const BLOCK_RULE = '------'
/** lines of the error tail that are not the message: Dockerfile excerpt, summaries, links */
const TAIL_NOISE = [
  /^\S+:\d+$/, // "Dockerfile:2"
  /^-{7,}$/, // excerpt rule
  /^\s*\d+ \|/, // "   2 | >>> RUN …"
  /^\s*>>>/,
  /^View build details:/,
  /^\d+ warnings? found/,
  /^ - /,
]
const FAILED_TO = /^failed to (solve|compute cache key|build|read dockerfile)\b/

export function createPlainDecoder(): LineDecoder {
  const vertices = new Map<number, PlainVertex>()
  let clock = PLAIN_TIME_ORIGIN
  let prevBlank = true
  let mode: Mode = 'steps'
  let buildErrorSeen = false
  let tailCandidate: {text: string; line: number} | undefined

  const encoder = new TextEncoder()

  /** The announcement part of a snapshot (also fixes the digest). */
  const snapshot = (v: PlainVertex): Vertex => {
    v.emitted = true
    return {digest: v.digest, name: v.name, started: v.started}
  }

  const status = (s: SolveStatus, line: number): StreamEvent => ({type: 'status', status: s, position: {line}})

  const terminal = (v: PlainVertex, line: number, how: {durationS?: number; cached?: boolean; error?: string}): StreamEvent => {
    const durationMs = how.cached ? 0 : (how.durationS ?? v.lastLogSecs) * 1000
    const completed = v.started + durationMs
    if (completed > clock) clock = completed
    const vertex: Vertex = {...snapshot(v), completed}
    if (how.cached) vertex.cached = true
    if (how.error !== undefined) vertex.error = how.error
    return status({vertexes: [vertex]}, line)
  }

  const vertexLine = (n: number, rest: string, line: number, afterBlank: boolean): StreamEvent[] => {
    if (n === 0 && rest.startsWith('building with ')) return [{type: 'skipped', text: `#0 ${rest}`, position: {line}}]
    let v = vertices.get(n)
    if (!v) {
      v = {n, digest: `plain:${n}`, name: rest, started: clock, emitted: false, lastLogSecs: 0}
      vertices.set(n, v)
      return []
    }
    if (afterBlank) return [] // the printer re-prints the header when it switches back to a vertex
    if (DIGEST.test(rest)) {
      if (!v.emitted) v.digest = rest
      return []
    }
    if (rest === '...' || rest === '') return []
    if (rest === 'CACHED') return [terminal(v, line, {cached: true})]
    const done = DONE.exec(rest)
    if (done) return [terminal(v, line, {durationS: Number(done[1])})]
    if (rest === 'ERROR' || rest.startsWith('ERROR: ')) return [terminal(v, line, {error: rest.slice(7) || 'error'})]
    if (rest === 'CANCELED') return [terminal(v, line, {error: 'context canceled'})]

    const announce = v.emitted ? undefined : snapshot(v)
    const withAnnounce = (s: SolveStatus): StreamEvent[] => [status(announce ? {vertexes: [announce], ...s} : s, line)]

    if (rest.startsWith('WARN: ')) {
      return withAnnounce({warnings: [{vertex: v.digest, short: encoder.encode(rest.slice(6))}]})
    }
    const log = LOG.exec(rest)
    if (log) {
      const secs = Number(log[1])
      v.lastLogSecs = Math.max(v.lastLogSecs, secs)
      const data = encoder.encode(`${log[2] ?? ''}\n`)
      return withAnnounce({logs: [{vertex: v.digest, stream: 0, data, timestamp: v.started + secs * 1000}]})
    }
    return withAnnounce({statuses: [parseStatus(rest, v)]})
  }

  const textLine = (text: string, line: number): StreamEvent[] => {
    const skipped: StreamEvent = {type: 'skipped', text, position: {line}}
    if (text === BLOCK_RULE) {
      mode = mode === 'error-block' ? 'tail' : 'error-block'
      return [skipped]
    }
    if (text.startsWith('ERROR: ')) {
      buildErrorSeen = true
      return [{type: 'build-error', message: text.slice(7), position: {line}}]
    }
    if (mode === 'tail') {
      if (!TAIL_NOISE.some((re) => re.test(text))) tailCandidate = {text, line}
      return [skipped]
    }
    if (mode === 'steps' && FAILED_TO.test(text)) {
      buildErrorSeen = true
      return [{type: 'build-error', message: text, position: {line}}]
    }
    return [skipped]
  }

  return {
    push(raw: string, line: number): StreamEvent[] {
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
      const afterBlank = prevBlank
      prevBlank = text.trim() === ''
      if (prevBlank) return []
      const m = mode === 'error-block' ? null : VERTEX_LINE.exec(text)
      if (m) {
        mode = 'steps'
        return vertexLine(Number(m[1]), m[2] ?? '', line, afterBlank)
      }
      return textLine(text, line)
    },
    end(): StreamEvent[] {
      const out: StreamEvent[] = []
      // printed but never finished (cut stream): announce them, started and not completed
      const pending = [...vertices.values()].filter((v) => !v.emitted)
      if (pending.length > 0) out.push({type: 'status', status: {vertexes: pending.map(snapshot)}, position: {}})
      if (!buildErrorSeen && tailCandidate) {
        buildErrorSeen = true
        out.push({type: 'build-error', message: tailCandidate.text, position: {line: tailCandidate.line}})
      }
      return out
    },
  }
}

const UNITS: Record<string, number> = {'': 1, B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4}

/** "193B", "1.5MB", "12" → number; humanized values are approximate by nature. */
function parseAmount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)(.*)$/.exec(text)
  if (!m) return undefined
  const unit = UNITS[m[2] ?? '']
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit)
}

function parseStatus(rest: string, v: PlainVertex): VertexStatus {
  const m = STATUS.exec(rest)
  const s: VertexStatus = {id: rest, vertex: v.digest, current: 0}
  if (!m) return s
  s.id = m[1] || rest
  s.current = parseAmount(m[2]) ?? 0
  const total = parseAmount(m[3])
  if (total !== undefined) s.total = total
  if (m[5]) {
    s.started = v.started
    s.completed = v.started + Number(m[4] ?? 0) * 1000
  }
  return s
}
