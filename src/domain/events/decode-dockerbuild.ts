/**
 * `.dockerbuild` bundles (`docker buildx history export`, events.md §4.4), the pure part: given the
 * OCI layout already read from the archive (index.json + blobs), yield per build record a `record`
 * event followed by that record's status events.
 *
 * Layout walked: index.json → (OCI index with `vnd.buildkit.history.reference` annotations →)
 * one image manifest per record: config = `application/vnd.buildkit.historyrecord.v0` (record
 * JSON), layers include `application/vnd.buildkit.status.v0` (frames of uint32-LE length +
 * StatusResponse protobuf) or, in older export-build bundles, `application/vnd.buildkit.solvestatus.v0`
 * (one JSON SolveStatus). A blob that is referenced but absent is an InputError naming the entry.
 */
import {InputError} from '../errors.js'
import {toSolveStatus} from './decode-rawjson.js'
import {decodeStatusResponse} from './status-protobuf.js'
import type {BuildRecordInfo, InputPosition, StreamEvent} from './stream-event.js'
import {parseTime, timestampToMs} from './time.js'

export const MEDIA_HISTORY_RECORD = 'application/vnd.buildkit.historyrecord.v0'
export const MEDIA_STATUS = 'application/vnd.buildkit.status.v0'
export const MEDIA_SOLVESTATUS = 'application/vnd.buildkit.solvestatus.v0'
export const ANNOTATION_REF = 'vnd.buildkit.history.reference'
export const MEDIA_IN_TOTO = 'application/vnd.in-toto+json'
const ANNOTATION_PREDICATE_TYPE = 'in-toto.io/predicate-type'

const MEDIA_OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const MEDIA_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
const MAX_INDEX_DEPTH = 4

/** The archive's content: parsed index.json and every blob keyed by digest (`sha256:<hex>`). */
export interface OciLayout {
  index: unknown
  blobs: ReadonlyMap<string, Uint8Array>
}

interface Descriptor {
  mediaType?: string
  digest: string
  size?: number
  annotations?: Record<string, string>
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

const FIX_REEXPORT = 'export the record again with `docker buildx history export <ref> -o file.dockerbuild` and pass that file'

/** Archive path of a blob, as used in positions and messages. */
export function blobEntry(digest: string): string {
  const [alg, hex] = digest.split(':', 2)
  return hex ? `blobs/${alg}/${hex}` : `blobs/${digest}`
}

/** Decode a whole layout; see decodeDockerbuild for the lazy form. */
export function decodeDockerbuildAll(layout: OciLayout): StreamEvent[] {
  return [...decodeDockerbuild(layout)]
}

/**
 * Yields `record`, then the record's `status` events (and `skipped` for undecodable frames), per
 * record in index order. Throws InputError for a layout that is not a build-record bundle or misses
 * a referenced blob (events already yielded stay valid).
 */
export function* decodeDockerbuild(layout: OciLayout): Generator<StreamEvent> {
  const records = findRecordManifests(layout)
  if (records.length === 0) {
    throw new InputError(`not a .dockerbuild bundle: index.json lists no build history record (config media type ${MEDIA_HISTORY_RECORD})`, {
      position: {entry: 'index.json'},
      fix: FIX_REEXPORT,
    })
  }
  for (const {manifest, manifestEntry, ref} of records) {
    yield* decodeRecord(layout, manifest, manifestEntry, ref)
  }
}

interface RecordManifest {
  manifest: Obj
  manifestEntry: string
  /** from the index annotation */
  ref?: string
}

function findRecordManifests(layout: OciLayout): RecordManifest[] {
  if (!isObj(layout.index) || !Array.isArray(layout.index.manifests)) {
    throw new InputError('not a .dockerbuild bundle: index.json has no "manifests" list', {position: {entry: 'index.json'}, fix: FIX_REEXPORT})
  }
  const out: RecordManifest[] = []
  const walk = (descriptors: unknown[], depth: number, from: string): void => {
    for (const raw of descriptors) {
      const d = toDescriptor(raw, from)
      const entry = blobEntry(d.digest)
      const blob = parseJsonBlob(layout, d.digest, from)
      const mediaType = d.mediaType ?? (typeof blob.mediaType === 'string' ? blob.mediaType : undefined)
      const isIndex = mediaType === MEDIA_OCI_INDEX || mediaType === MEDIA_DOCKER_LIST || (!isObj(blob.config) && Array.isArray(blob.manifests))
      if (isIndex) {
        if (depth >= MAX_INDEX_DEPTH) throw new InputError('index nesting is too deep for a .dockerbuild bundle', {position: {entry}, fix: FIX_REEXPORT})
        walk(Array.isArray(blob.manifests) ? blob.manifests : [], depth + 1, entry)
        continue
      }
      const config = isObj(blob.config) ? blob.config : undefined
      if (config?.mediaType !== MEDIA_HISTORY_RECORD) continue // not a build record (e.g. an image manifest)
      out.push({manifest: blob, manifestEntry: entry, ref: d.annotations?.[ANNOTATION_REF]})
    }
  }
  walk(layout.index.manifests, 0, 'index.json')
  return out
}

function toDescriptor(raw: unknown, from: string): Descriptor {
  if (!isObj(raw) || typeof raw.digest !== 'string' || !/^[a-z0-9]+:[a-f0-9]+$/.test(raw.digest)) {
    throw new InputError('malformed OCI descriptor: missing or invalid "digest"', {position: {entry: from}, fix: FIX_REEXPORT})
  }
  const annotations = isObj(raw.annotations)
    ? Object.fromEntries(Object.entries(raw.annotations).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : undefined
  return {
    digest: raw.digest,
    mediaType: typeof raw.mediaType === 'string' ? raw.mediaType : undefined,
    size: typeof raw.size === 'number' ? raw.size : undefined,
    annotations,
  }
}

function requireBlob(layout: OciLayout, digest: string, from: string, what: string): Uint8Array {
  const blob = layout.blobs.get(digest)
  if (!blob) {
    throw new InputError(`the .dockerbuild bundle is incomplete: ${what} ${blobEntry(digest)} (referenced by ${from}) is missing from the archive`, {
      position: {entry: blobEntry(digest)},
      fix: FIX_REEXPORT,
    })
  }
  return blob
}

const utf8 = new TextDecoder('utf-8')

function parseJsonBlob(layout: OciLayout, digest: string, from: string, what = 'manifest'): Obj {
  const bytes = requireBlob(layout, digest, from, what)
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(bytes))
  } catch (error) {
    throw new InputError(`${what} ${blobEntry(digest)} is not valid JSON`, {position: {entry: blobEntry(digest)}, fix: FIX_REEXPORT, cause: error})
  }
  if (!isObj(value)) throw new InputError(`${what} ${blobEntry(digest)} is not a JSON object`, {position: {entry: blobEntry(digest)}, fix: FIX_REEXPORT})
  return value
}

function* decodeRecord(layout: OciLayout, manifest: Obj, manifestEntry: string, annotatedRef: string | undefined): Generator<StreamEvent> {
  const config = toDescriptor(manifest.config, manifestEntry)
  const record = parseJsonBlob(layout, config.digest, manifestEntry, 'build record')
  yield {type: 'record', record: toRecordInfo(record, annotatedRef), position: {entry: blobEntry(config.digest)}}

  const layers = (Array.isArray(manifest.layers) ? manifest.layers : []).map((l) => toDescriptor(l, manifestEntry))
  const statusLayer = layers.find((l) => l.mediaType === MEDIA_STATUS)
  const solveLayer = layers.find((l) => l.mediaType === MEDIA_SOLVESTATUS)
  // the record's own pointer to its status blob, for manifests that do not list it as a layer
  const logs = isObj(record.logs) ? record.logs : undefined
  const logsDigest = typeof logs?.digest === 'string' && (logs.media_type === undefined || logs.media_type === MEDIA_STATUS) ? logs.digest : undefined
  const statusDigest = statusLayer?.digest ?? logsDigest

  if (statusDigest && layout.blobs.has(statusDigest)) {
    yield* decodeStatusFrames(layout.blobs.get(statusDigest)!, blobEntry(statusDigest))
  } else if (solveLayer && layout.blobs.has(solveLayer.digest)) {
    yield decodeSolveStatusJson(layout, solveLayer.digest, manifestEntry)
  } else {
    const missing = statusDigest ?? solveLayer?.digest
    if (missing) requireBlob(layout, missing, manifestEntry, 'status blob')
    // no status referenced at all: the record alone
  }
  // the record's provenance (one predicate per platform): after its status, so its vertices are known
  for (const layer of layers) {
    if (layer.mediaType !== MEDIA_IN_TOTO || !layout.blobs.has(layer.digest)) continue
    const predicateType = layer.annotations?.[ANNOTATION_PREDICATE_TYPE]
    if (predicateType && !/slsa\.dev\/provenance/.test(predicateType)) continue
    yield {type: 'attestation', mediaType: MEDIA_IN_TOTO, predicateType, text: utf8.decode(layout.blobs.get(layer.digest)!), position: {entry: blobEntry(layer.digest)}}
  }
}

/** `status.v0`: repeated [uint32 little-endian length][StatusResponse protobuf]. */
export function* decodeStatusFrames(blob: Uint8Array, entry: string): Generator<StreamEvent> {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  let offset = 0
  while (offset < blob.length) {
    const position: InputPosition = {entry, offset}
    if (blob.length - offset < 4) {
      yield {type: 'skipped', text: `truncated status frame: ${blob.length - offset} trailing bytes, no room for a length prefix`, position}
      return
    }
    const length = view.getUint32(offset, true)
    const start = offset + 4
    if (length > blob.length - start) {
      yield {type: 'skipped', text: `truncated status frame: length ${length} but only ${blob.length - start} bytes left`, position}
      return
    }
    const frame = blob.subarray(start, start + length)
    offset = start + length
    try {
      yield {type: 'status', status: decodeStatusResponse(frame), position}
    } catch (error) {
      yield {type: 'skipped', text: error instanceof Error ? error.message : String(error), position}
    }
  }
}

function decodeSolveStatusJson(layout: OciLayout, digest: string, from: string): StreamEvent {
  const entry = blobEntry(digest)
  const json = parseJsonBlob(layout, digest, from, 'solve status')
  const status = toSolveStatus(json)
  if (!status) {
    throw new InputError(`solve status ${entry} has no vertexes, statuses, logs or warnings`, {position: {entry}, fix: FIX_REEXPORT})
  }
  return {type: 'status', status, position: {entry}}
}

/** Record time in either encoding: RFC3339 string (BuildKit ≤ v0.16 types) or {seconds, nanos}. */
export function recordTime(value: unknown): number | undefined {
  if (typeof value === 'string') return parseTime(value)
  if (isObj(value)) {
    const seconds = typeof value.seconds === 'string' || typeof value.seconds === 'number' ? Number(value.seconds) : undefined
    const nanos = typeof value.nanos === 'string' || typeof value.nanos === 'number' ? Number(value.nanos) : 0
    if (seconds === undefined || !Number.isFinite(seconds) || !Number.isFinite(nanos)) return undefined
    return timestampToMs(seconds, nanos)
  }
  return undefined
}

/** grpc code 1 = Canceled */
const GRPC_CANCELED = 1

export function toRecordInfo(record: Obj, annotatedRef?: string): BuildRecordInfo {
  const info: BuildRecordInfo = {}
  const ref = typeof record.Ref === 'string' && record.Ref ? record.Ref : annotatedRef
  if (ref) info.ref = ref

  const attrs: Record<string, string> = {}
  if (isObj(record.FrontendAttrs)) {
    for (const [k, v] of Object.entries(record.FrontendAttrs)) if (typeof v === 'string') attrs[k] = v
  }
  if (Object.keys(attrs).length > 0) info.frontendAttrs = attrs

  const localState = isObj(record.localState) ? record.localState : undefined
  const target = typeof localState?.Target === 'string' && localState.Target ? localState.Target : attrs.target
  if (target) info.target = target

  const platforms = (attrs.platform ?? '').split(',').map((p) => p.trim()).filter(Boolean)
  if (platforms.length === 0 && isObj(record.Results)) platforms.push(...Object.keys(record.Results))
  if (platforms.length === 0 && typeof record.DefaultPlatform === 'string' && record.DefaultPlatform) platforms.push(record.DefaultPlatform)
  if (platforms.length > 0) info.platforms = platforms

  const createdAt = recordTime(record.CreatedAt)
  if (createdAt !== undefined) info.createdAt = createdAt
  const completedAt = recordTime(record.CompletedAt)
  if (completedAt !== undefined) info.completedAt = completedAt

  const error = isObj(record.error) ? record.error : undefined
  const message = typeof error?.message === 'string' ? error.message : undefined
  if (error && (message || error.code)) {
    if (message) info.error = message
    info.status = error.code === GRPC_CANCELED || /context canceled$/.test(message ?? '') ? 'cancelled' : 'failed'
  } else if (completedAt !== undefined) {
    info.status = 'completed'
  }
  return info
}
