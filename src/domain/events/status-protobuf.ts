/**
 * `moby.buildkit.v1.StatusResponse` protobuf → normalized SolveStatus (events.md §1.2).
 * Used by the Engine `/build` stream (base64 `aux`) and `.dockerbuild` `status.v0` frames.
 *
 * Hand-written over `@bufbuild/protobuf/wire` (no generated code): only the fields of the §1.2
 * table are read; unknown fields and fields with an unexpected wire type are skipped, so newer
 * BuildKit versions still decode. int64 values are read as bigint and converted to number.
 */
import {BinaryReader, WireType} from '@bufbuild/protobuf/wire'
import type {ProgressGroup, SolveStatus, Vertex, VertexLog, VertexStatus, VertexWarning} from './solve-status.js'
import {BakedoctorError} from '../errors.js'
import {timestampToMs} from './time.js'

/** Thrown for bytes that are not a valid StatusResponse (truncated, bad varint, bad tag). */
export class ProtobufDecodeError extends BakedoctorError {
  readonly kind = 'input'
}

const MAX_DEPTH = 32

/** Decode one StatusResponse. Throws ProtobufDecodeError on malformed bytes. */
export function decodeStatusResponse(bytes: Uint8Array): SolveStatus {
  try {
    return readStatusResponse(new BinaryReader(bytes))
  } catch (error) {
    if (error instanceof ProtobufDecodeError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new ProtobufDecodeError(`not a valid BuildKit StatusResponse protobuf (${bytes.length} bytes): ${reason}`, {cause: error})
  }
}

function int64(reader: BinaryReader): number {
  return Number(reader.int64())
}

/** Sub-reader over a length-delimited field. */
function sub(reader: BinaryReader): BinaryReader {
  return new BinaryReader(reader.bytes())
}

/** Iterate the fields of a message; `handle` returns false when it did not consume the field. */
function eachField(reader: BinaryReader, handle: (field: number, wire: WireType) => boolean): void {
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag()
    if (field === 0) throw new ProtobufDecodeError(`illegal field number 0 at byte ${reader.pos}`)
    if (!handle(field, wire)) reader.skip(wire, field, MAX_DEPTH)
  }
}

const LEN = WireType.LengthDelimited
const VARINT = WireType.Varint

function readStatusResponse(reader: BinaryReader): SolveStatus {
  const out: SolveStatus = {}
  const vertexes: Vertex[] = []
  const statuses: VertexStatus[] = []
  const logs: VertexLog[] = []
  const warnings: VertexWarning[] = []
  eachField(reader, (field, wire) => {
    if (wire !== LEN) return false
    switch (field) {
      case 1: vertexes.push(readVertex(sub(reader))); return true
      case 2: statuses.push(readVertexStatus(sub(reader))); return true
      case 3: logs.push(readVertexLog(sub(reader))); return true
      case 4: warnings.push(readVertexWarning(sub(reader))); return true
      default: return false
    }
  })
  if (vertexes.length > 0) out.vertexes = vertexes
  if (statuses.length > 0) out.statuses = statuses
  if (logs.length > 0) out.logs = logs
  if (warnings.length > 0) out.warnings = warnings
  return out
}

function readTimestamp(reader: BinaryReader): number | undefined {
  let seconds: bigint | number = 0
  let nanos = 0
  eachField(reader, (field, wire) => {
    if (wire !== VARINT) return false
    if (field === 1) seconds = BigInt(reader.int64())
    else if (field === 2) nanos = reader.int32()
    else return false
    return true
  })
  return timestampToMs(seconds, nanos)
}

function readVertex(reader: BinaryReader): Vertex {
  const v: Vertex = {digest: ''}
  const inputs: string[] = []
  eachField(reader, (field, wire) => {
    if (field === 4) {
      if (wire !== VARINT) return false
      if (reader.bool()) v.cached = true
      return true
    }
    if (wire !== LEN) return false
    switch (field) {
      case 1: v.digest = reader.string(); return true
      case 2: inputs.push(reader.string()); return true
      case 3: v.name = reader.string(); return true
      case 5: setTime(v, 'started', readTimestamp(sub(reader))); return true
      case 6: setTime(v, 'completed', readTimestamp(sub(reader))); return true
      case 7: { const e = reader.string(); if (e) v.error = e; return true }
      case 8: v.progressGroup = readProgressGroup(sub(reader)); return true
      default: return false
    }
  })
  if (inputs.length > 0) v.inputs = inputs
  return v
}

function setTime<T extends object, K extends keyof T>(target: T, key: K, value: number | undefined): void {
  if (value !== undefined) target[key] = value as T[K]
}

function readProgressGroup(reader: BinaryReader): ProgressGroup {
  const g: ProgressGroup = {}
  eachField(reader, (field, wire) => {
    if (field === 3 && wire === VARINT) { if (reader.bool()) g.weak = true; return true }
    if (wire !== LEN) return false
    if (field === 1) g.id = reader.string()
    else if (field === 2) g.name = reader.string()
    else return false
    return true
  })
  return g
}

function readVertexStatus(reader: BinaryReader): VertexStatus {
  const s: VertexStatus = {id: '', current: 0}
  eachField(reader, (field, wire) => {
    if (field === 4 || field === 5) {
      if (wire !== VARINT) return false
      if (field === 4) s.current = int64(reader)
      else s.total = int64(reader)
      return true
    }
    if (wire !== LEN) return false
    switch (field) {
      case 1: s.id = reader.string(); return true
      case 2: s.vertex = reader.string(); return true
      case 3: s.name = reader.string(); return true
      case 6: setTime(s, 'timestamp', readTimestamp(sub(reader))); return true
      case 7: setTime(s, 'started', readTimestamp(sub(reader))); return true
      case 8: setTime(s, 'completed', readTimestamp(sub(reader))); return true
      default: return false
    }
  })
  return s
}

function readVertexLog(reader: BinaryReader): VertexLog {
  const l: VertexLog = {stream: 0, data: new Uint8Array(0)}
  eachField(reader, (field, wire) => {
    if (field === 3) {
      if (wire !== VARINT) return false
      l.stream = int64(reader)
      return true
    }
    if (wire !== LEN) return false
    switch (field) {
      case 1: l.vertex = reader.string(); return true
      case 2: setTime(l, 'timestamp', readTimestamp(sub(reader))); return true
      // copy: the reader hands out a view into the (possibly large) input buffer
      case 4: l.data = reader.bytes().slice(); return true
      default: return false
    }
  })
  return l
}

function readVertexWarning(reader: BinaryReader): VertexWarning {
  const w: VertexWarning = {}
  const detail: Uint8Array[] = []
  eachField(reader, (field, wire) => {
    if (field === 2) {
      if (wire !== VARINT) return false
      w.level = int64(reader)
      return true
    }
    if (wire !== LEN) return false
    switch (field) {
      case 1: w.vertex = reader.string(); return true
      case 3: w.short = reader.bytes().slice(); return true
      case 4: detail.push(reader.bytes().slice()); return true
      case 5: w.url = reader.string(); return true
      // 6 info (pb.SourceInfo) and 7 ranges are not part of the normalized model: skipped
      default: return false
    }
  })
  if (detail.length > 0) w.detail = detail
  return w
}
