import type {LineDecoder} from './line-decoder.js'
import type {Base64Range, SolveStatus, Vertex, VertexLog, VertexStatus, VertexWarning} from './solve-status.js'
import type {StreamEvent} from './stream-event.js'
import {parseTime as parseTimeFull} from './time.js'

/**
 * `--progress=rawjson` (events.md §2): one `SolveStatus` JSON object per line — or, from older
 * embedders, the same object pretty-printed over several lines, and with Go field names before
 * BuildKit v0.13 (`Vertexes`, `Digest`, … §2.3). Plain-text lines (buildx's `ERROR:` block after a
 * failed build, Dockerfile excerpts) are skipped and counted, never fatal.
 */
export function createRawjsonDecoder(): LineDecoder & {pushBytes(bytes: Uint8Array, line: number): StreamEvent[]} {
  // Indented form (json.MarshalIndent, JSON.stringify(v, null, n)): an object opens with a line that
  // is exactly "{" and closes when braces balance; every line in between is indented. A line at
  // column 0 that is not a closing bracket therefore means the object never closed (a stray "{"):
  // it is skipped, and decoding resumes at that line — one bad line never swallows the rest.
  let pending: string[] | null = null
  let pendingStart = 0
  let pendingBytes = 0
  let depth = 0

  const decodeObject = (text: string, line: number): StreamEvent => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return {type: 'skipped', text, position: {line}, reason: 'not valid JSON'}
    }
    const status = toSolveStatus(value)
    if (!status) return {type: 'skipped', text, position: {line}}
    return {type: 'status', status, position: {line}}
  }

  const abandonPending = (why: string): StreamEvent => {
    const event: StreamEvent = {type: 'skipped', text: pending![0]!, position: {line: pendingStart}, reason: why}
    pending = null
    pendingBytes = 0
    return event
  }

  const decoder: LineDecoder & {pushBytes(bytes: Uint8Array, line: number): StreamEvent[]} = {
    /**
     * The same as `push(bytes as UTF-8 text, line)`, faster for the bulk of a stream: a log line in
     * BuildKit's exact shape is read without JSON.parse and its base64 data is left undecoded (see
     * `Base64Log`). Anything that does not fit that shape exactly goes through `push`.
     */
    pushBytes(bytes: Uint8Array, line: number): StreamEvent[] {
      if (!pending) {
        const fast = decodeLogLine(bytes, line)
        if (fast) return [fast]
      }
      return decoder.push(toBuffer(bytes).toString('utf8'), line)
    },
    push(raw: string, line: number): StreamEvent[] {
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
      if (pending) {
        const first = text.charCodeAt(0)
        if (text !== '' && first !== 32 && first !== 9 && first !== 125 /* } */ && first !== 93 /* ] */) {
          const skipped = abandonPending(`a "{" line that never closed (line ${line} starts a new object at column 0)`)
          return [skipped, ...decoder.push(text, line)]
        }
        pending.push(text)
        pendingBytes += text.length + 1
        depth += braceDelta(text)
        if (depth <= 0) {
          const joined = pending.join('\n')
          pending = null
          pendingBytes = 0
          return [decodeObject(joined, pendingStart)]
        }
        if (pendingBytes > MAX_INDENTED_OBJECT_BYTES) return [abandonPending(`an indented object larger than ${MAX_INDENTED_OBJECT_BYTES / 1024 / 1024} MiB`)]
        return []
      }
      const trimmed = text.trim()
      if (trimmed === '') return []
      if (text.trimEnd() === '{') {
        pending = [text]
        pendingStart = line
        pendingBytes = text.length + 1
        depth = 1
        return []
      }
      if (trimmed.startsWith('{')) return [decodeObject(trimmed, line)]
      return [{type: 'skipped', text, position: {line}}]
    },
    end() {
      if (!pending) return []
      // A truncated indented object at EOF: report it as skipped text, not fatal.
      return [abandonPending('an indented object cut off at the end of the input')]
    },
  }
  return decoder
}

/**
 * An indented object is collected as text until it closes; beyond this it is skipped (its inner
 * lines are then skipped one by one), so memory stays bounded whatever follows a "{" line.
 */
export const MAX_INDENTED_OBJECT_BYTES = 32 * 1024 * 1024

const toBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))
const LOG_HEAD = ascii('{"logs":[{"vertex":"')
const STREAM_KEY = ascii('","stream":')
const DATA_KEY = ascii(',"data":"')
const TIMESTAMP_KEY = ascii('","timestamp":"')
const LOG_END = ascii('"}]}')

/**
 * A log entry whose data is still the base64 text of the stream: most log bytes are never looked
 * at (only the tails of failed steps are kept), so decoding waits until `data` is read.
 */
class Base64Log implements VertexLog, Base64Range {
  private decoded?: Uint8Array
  private time?: number | null
  /** the line: data at [start, end), timestamp at [stampStart, stampEnd) */
  constructor(readonly vertex: string, readonly stream: number, readonly source: Buffer, readonly start: number, readonly end: number, private readonly stampStart: number, private readonly stampEnd: number) {}

  get base64In(): Base64Range {
    return this
  }

  get data(): Uint8Array {
    if (!this.decoded) {
      const b = Buffer.from(this.source.toString('latin1', this.start, this.end), 'base64')
      this.decoded = new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
    }
    return this.decoded
  }

  get timestamp(): number | undefined {
    if (this.time === undefined) this.time = parseTime(this.source.toString('latin1', this.stampStart, this.stampEnd)) ?? null
    return this.time ?? undefined
  }
}

/** `buf[at…]` starts with `expected` */
function startsWith(buf: Buffer, at: number, expected: number[]): boolean {
  if (at + expected.length > buf.length) return false
  for (let i = 0; i < expected.length; i++) if (buf[at + i] !== expected[i]) return false
  return true
}

/** end of a short JSON string body at `from` that JSON reads verbatim (printable ASCII, no escapes), or -1 */
function plainStringEnd(buf: Buffer, from: number, max: number): number {
  for (let i = from; i < buf.length && i < from + max; i++) {
    const c = buf[i]!
    if (c === 34 /* " */) return i
    if (c < 32 || c > 126 || c === 92 /* \ */) return -1
  }
  return -1
}

/**
 * Fast path for a log line (see `pushBytes`): exactly BuildKit's
 * `{"logs":[{"vertex":"…","stream":N,"data":"<base64>","timestamp":"…"}]}`, read without JSON.parse
 * and without decoding the data. Returns undefined for anything else (other field order, escapes,
 * extra fields); the caller then decodes it the ordinary way, so both paths give the same events.
 */
function decodeLogLine(bytes: Uint8Array, line: number): StreamEvent | undefined {
  const buf = toBuffer(bytes)
  if (!startsWith(buf, 0, LOG_HEAD)) return undefined
  const vertexEnd = plainStringEnd(buf, LOG_HEAD.length, 512)
  if (vertexEnd <= LOG_HEAD.length || !startsWith(buf, vertexEnd, STREAM_KEY)) return undefined
  let at = vertexEnd + STREAM_KEY.length
  let stream = 0
  const digitsStart = at
  while (at < buf.length && buf[at]! >= 48 && buf[at]! <= 57 && at - digitsStart < 9) stream = stream * 10 + buf[at++]! - 48
  if (at === digitsStart || (buf[digitsStart] === 48 && at - digitsStart > 1) || !startsWith(buf, at, DATA_KEY)) return undefined
  const dataStart = at + DATA_KEY.length
  const dataEnd = buf.indexOf(34 /* " */, dataStart)
  if (dataEnd < 0 || !startsWith(buf, dataEnd, TIMESTAMP_KEY)) return undefined
  // An escape would make JSON read other characters than the bytes say. Otherwise the body is not
  // checked (checking costs more than decoding): base64 decoding skips whatever is not base64, as
  // it does for the string JSON.parse gives — the same bytes either way. The one difference: a raw
  // control character, which makes the line invalid JSON, is skipped here rather than the line.
  const escape = buf.indexOf(92 /* \ */, dataStart)
  if (escape >= 0 && escape < dataEnd) return undefined
  const stampStart = dataEnd + TIMESTAMP_KEY.length
  const stampEnd = plainStringEnd(buf, stampStart, 64)
  if (stampEnd < 0 || !startsWith(buf, stampEnd, LOG_END)) return undefined
  const end = stampEnd + LOG_END.length
  if (end !== buf.length && !(end + 1 === buf.length && buf[end] === 13 /* \r */)) return undefined
  const log = new Base64Log(buf.toString('latin1', LOG_HEAD.length, vertexEnd), stream, buf, dataStart, dataEnd, stampStart, stampEnd)
  return {type: 'status', status: {logs: [log]}, position: {line}}
}

/** Brace depth change of a line, ignoring braces inside JSON strings. */
function braceDelta(text: string): number {
  let delta = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 /* { */) delta++
    else if (c === 125 /* } */) delta--
  }
  return delta
}

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Field access accepting both rawjson (`digest`) and pre-v0.13 Go names (`Digest`). */
function field(o: Obj, name: string): unknown {
  if (name in o) return o[name]
  let go = GO_NAMES.get(name)
  if (go === undefined) GO_NAMES.set(name, (go = name === 'id' ? 'ID' : name === 'url' ? 'URL' : name[0]!.toUpperCase() + name.slice(1)))
  return o[go]
}

const GO_NAMES = new Map<string, string>()

/**
 * `parseTime` with a fast path for what BuildKit writes, `2026-11-01T10:00:00.123456789Z`: the same
 * arithmetic on the same parts, without the general RFC3339 regular expression.
 */
function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length < 21 || value.length > 40 || value.charCodeAt(value.length - 1) !== 90 /* Z */ || value.charCodeAt(19) !== 46 /* . */) {
    return parseTimeFull(value)
  }
  const year = digits(value, 0, 4)
  const month = digits(value, 5, 2)
  const day = digits(value, 8, 2)
  const hour = digits(value, 11, 2)
  const minute = digits(value, 14, 2)
  const second = digits(value, 17, 2)
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84 || value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) {
    return parseTimeFull(value)
  }
  const frac = value.slice(20, -1)
  if (digits(frac, 0, frac.length) < 0 || year <= 1) return parseTimeFull(value)
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) + Number(`0.${frac}`) * 1000
  return Number.isFinite(ms) ? ms : undefined
}

/** the decimal number in `text[from, from + n)`, or -1 unless all n (≥ 1) characters are digits */
function digits(text: string, from: number, n: number): number {
  if (n < 1) return -1
  let v = 0
  for (let i = from; i < from + n; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return v
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

function bytes(v: unknown): Uint8Array {
  if (typeof v !== 'string' || v === '') return new Uint8Array(0)
  // a view on the decoded bytes, not a copy (logs are most of a stream's bytes)
  const b = Buffer.from(v, 'base64')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** A JSON value → SolveStatus, or undefined when it has none of the SolveStatus keys. */
export function toSolveStatus(value: unknown): SolveStatus | undefined {
  if (!isObj(value)) return undefined
  const vertexesRaw = field(value, 'vertexes')
  const statusesRaw = field(value, 'statuses')
  const logsRaw = field(value, 'logs')
  const warningsRaw = field(value, 'warnings')
  if (vertexesRaw === undefined && statusesRaw === undefined && logsRaw === undefined && warningsRaw === undefined) {
    return undefined
  }
  const status: SolveStatus = {}
  const vertexes: Vertex[] = []
  for (const v of arr(vertexesRaw)) {
    if (!isObj(v)) continue
    const digest = str(field(v, 'digest'))
    if (!digest) continue
    const vertex: Vertex = {digest}
    const inputs = arr(field(v, 'inputs')).filter((x): x is string => typeof x === 'string')
    if (inputs.length) vertex.inputs = inputs
    const name = str(field(v, 'name'))
    if (name !== undefined) vertex.name = name
    const started = parseTime(field(v, 'started'))
    if (started !== undefined) vertex.started = started
    const completed = parseTime(field(v, 'completed'))
    if (completed !== undefined) vertex.completed = completed
    if (field(v, 'cached') === true) vertex.cached = true
    const error = str(field(v, 'error'))
    if (error !== undefined) vertex.error = error
    const pg = field(v, 'progressGroup')
    if (isObj(pg)) vertex.progressGroup = {id: str(field(pg, 'id')), name: str(field(pg, 'name')), weak: field(pg, 'weak') === true}
    vertexes.push(vertex)
  }
  if (vertexes.length) status.vertexes = vertexes

  const statuses: VertexStatus[] = []
  for (const s of arr(statusesRaw)) {
    if (!isObj(s)) continue
    statuses.push({
      id: str(field(s, 'id')) ?? '',
      vertex: str(field(s, 'vertex')),
      name: str(field(s, 'name')),
      current: num(field(s, 'current')) ?? 0,
      total: num(field(s, 'total')),
      timestamp: parseTime(field(s, 'timestamp')),
      started: parseTime(field(s, 'started')),
      completed: parseTime(field(s, 'completed')),
    })
  }
  if (statuses.length) status.statuses = statuses

  const logs: VertexLog[] = []
  for (const l of arr(logsRaw)) {
    if (!isObj(l)) continue
    logs.push({
      vertex: str(field(l, 'vertex')),
      stream: num(field(l, 'stream')) ?? 0,
      data: bytes(field(l, 'data')),
      timestamp: parseTime(field(l, 'timestamp')),
    })
  }
  if (logs.length) status.logs = logs

  const warnings: VertexWarning[] = []
  for (const w of arr(warningsRaw)) {
    if (!isObj(w)) continue
    warnings.push({
      vertex: str(field(w, 'vertex')),
      level: num(field(w, 'level')),
      short: bytes(field(w, 'short')),
      detail: arr(field(w, 'detail')).map(bytes),
      url: str(field(w, 'url')),
    })
  }
  if (warnings.length) status.warnings = warnings
  return status
}
