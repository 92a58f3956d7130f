import type {LineDecoder} from './line-decoder.js'
import type {SolveStatus, Vertex, VertexLog, VertexStatus, VertexWarning} from './solve-status.js'
import type {StreamEvent} from './stream-event.js'
import {parseTime} from './time.js'

/**
 * `--progress=rawjson` (events.md §2): one `SolveStatus` JSON object per line — or, from older
 * embedders, the same object pretty-printed over several lines, and with Go field names before
 * BuildKit v0.13 (`Vertexes`, `Digest`, … §2.3). Plain-text lines (buildx's `ERROR:` block after a
 * failed build, Dockerfile excerpts) are skipped and counted, never fatal.
 */
export function createRawjsonDecoder(): LineDecoder {
  // Indented form: collect lines from a line that is exactly "{" until braces balance.
  let pending: string[] | null = null
  let pendingStart = 0
  let depth = 0

  const decodeObject = (text: string, line: number): StreamEvent => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return {type: 'skipped', text, position: {line}}
    }
    const status = toSolveStatus(value)
    if (!status) return {type: 'skipped', text, position: {line}}
    return {type: 'status', status, position: {line}}
  }

  return {
    push(raw, line) {
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
      if (pending) {
        pending.push(text)
        depth += braceDelta(text)
        if (depth <= 0) {
          const joined = pending.join('\n')
          pending = null
          return [decodeObject(joined, pendingStart)]
        }
        return []
      }
      const trimmed = text.trim()
      if (trimmed === '') return []
      if (trimmed === '{') {
        pending = [text]
        pendingStart = line
        depth = 1
        return []
      }
      if (trimmed.startsWith('{')) return [decodeObject(trimmed, line)]
      return [{type: 'skipped', text, position: {line}}]
    },
    end() {
      if (!pending) return []
      // A truncated indented object at EOF: report it as skipped text, not fatal.
      const text = pending.join('\n')
      pending = null
      return [{type: 'skipped', text, position: {line: pendingStart}}]
    },
  }
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
  const go = name === 'id' ? 'ID' : name === 'url' ? 'URL' : name[0]!.toUpperCase() + name.slice(1)
  return o[go]
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

function bytes(v: unknown): Uint8Array {
  if (typeof v !== 'string' || v === '') return new Uint8Array(0)
  return new Uint8Array(Buffer.from(v, 'base64'))
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
