/**
 * BuildKit's `client.SolveStatus`, normalized (events.md §1.1 / §1.2).
 *
 * Every event source (rawjson, Engine `/build` stream, `.dockerbuild`, plain logs) is reduced to
 * this shape. Field names follow `--progress=rawjson`. Normalizations applied by the decoders:
 * - times are epoch milliseconds (fractional; BuildKit's zero time `0001-01-01T00:00:00Z` becomes undefined);
 * - log and warning bytes are `Uint8Array` (base64 in rawjson, raw bytes in protobuf).
 */
export interface ProgressGroup {
  id?: string
  name?: string
  weak?: boolean
}

export interface Vertex {
  digest: string
  inputs?: string[]
  name?: string
  started?: number
  completed?: number
  cached?: boolean
  error?: string
  progressGroup?: ProgressGroup
}

export interface VertexStatus {
  id: string
  vertex?: string
  name?: string
  current: number
  total?: number
  timestamp?: number
  started?: number
  completed?: number
}

export interface Base64Range {
  readonly source: Uint8Array
  readonly start: number
  readonly end: number
}

export interface VertexLog {
  vertex?: string
  /** 1 = stdout, 2 = stderr, 0 = unknown */
  stream: number
  data: Uint8Array
  timestamp?: number
  /**
   * where the same bytes sit, still base64 as the stream carried them (rawjson's fast path): bytes
   * [start, end) of `source`. A consumer that may never look at the data copies these and leaves
   * `data` (decoded on first read) alone.
   */
  readonly base64In?: Base64Range
}

export interface VertexWarning {
  vertex?: string
  level?: number
  short?: Uint8Array
  detail?: Uint8Array[]
  url?: string
}

export interface SolveStatus {
  vertexes?: Vertex[]
  statuses?: VertexStatus[]
  logs?: VertexLog[]
  warnings?: VertexWarning[]
}
