import {isDigest} from './digest.js'
import {OciFormatError} from './errors.js'
import {MediaTypes, isImageManifestMediaType, isIndexMediaType} from './media-types.js'

/** An OCI content descriptor, validated. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: {os: string; architecture: string; variant?: string}
}

export type ParsedManifest =
  | {kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[]}
  | {kind: 'index'; mediaType: string; manifests: Descriptor[]}

/** `layers[]` of a cache config (cache.md §2.2). `parent` already resolved: a missing field means 0, not "none". */
export interface RawCacheLayer {
  blob: string
  parent: number
  annotations?: {mediaType?: string; diffID?: string; size?: number; createdAt?: string}
}

export interface RawCacheRecord {
  digest: string
  layers: Array<{layer: number; createdAt?: string}>
  chains: Array<{layers: number[]; createdAt?: string}>
  inputs: Array<Array<{link: number; selector?: string}>>
}

export interface RawCacheConfig {
  layers: RawCacheLayer[]
  records: RawCacheRecord[]
}

/** The parts of an image config bakedoctor reads. */
export interface ParsedImageConfig {
  platform?: {os: string; architecture: string; variant?: string}
  diffIds: string[]
  /** decoded `moby.buildkit.cache.v0` records, undefined when the image has no inline cache */
  inlineCache?: RawCacheRecord[]
  /** base images BuildKit recorded in `moby.buildkit.buildinfo.v1` (`sources[]` of type docker-image) */
  buildInfoSources: Array<{ref: string; pin: string}>
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new OciFormatError(`the ${what} is not valid JSON (${(error as Error).message})`)
  }
}

function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new OciFormatError(`${where} is not an object`)
  const {mediaType, digest, size, annotations, platform} = v
  if (typeof mediaType !== 'string') throw new OciFormatError(`${where} has no mediaType`)
  if (!isDigest(digest)) throw new OciFormatError(`${where} has an invalid digest ${JSON.stringify(digest)}`)
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new OciFormatError(`${where} has an invalid size`)
  const d: Descriptor = {mediaType, digest, size}
  if (isObject(annotations)) {
    d.annotations = {}
    for (const [k, val] of Object.entries(annotations)) if (typeof val === 'string') d.annotations[k] = val
  }
  if (isObject(platform) && typeof platform.os === 'string' && typeof platform.architecture === 'string') {
    d.platform = {os: platform.os, architecture: platform.architecture}
    if (typeof platform.variant === 'string' && platform.variant) d.platform.variant = platform.variant
  }
  return d
}

/**
 * Parses a manifest body. `contentType` is the registry's Content-Type; the body's own `mediaType`
 * wins when present (Docker manifests always carry it; OCI ones usually do).
 */
export function parseManifest(text: string, contentType?: string): ParsedManifest {
  const json = parseJson(text, 'manifest')
  if (!isObject(json)) throw new OciFormatError('the manifest is not a JSON object')
  if (json.schemaVersion !== 2) throw new OciFormatError(`unsupported manifest schemaVersion ${JSON.stringify(json.schemaVersion)} (expected 2)`)
  const ct = contentType?.split(';')[0]?.trim()
  let mediaType = typeof json.mediaType === 'string' ? json.mediaType : ct && ct !== 'application/json' ? ct : undefined
  if (!mediaType) mediaType = Array.isArray(json.manifests) ? MediaTypes.ociIndex : MediaTypes.ociManifest
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(json.manifests)) throw new OciFormatError('the index has no manifests[]')
    return {kind: 'index', mediaType, manifests: json.manifests.map((m, i) => parseDescriptor(m, `manifests[${i}]`))}
  }
  if (isImageManifestMediaType(mediaType)) {
    const layers = json.layers ?? []
    if (!Array.isArray(layers)) throw new OciFormatError('the manifest layers field is not an array')
    return {kind: 'image', mediaType, config: parseDescriptor(json.config, 'config'), layers: layers.map((l, i) => parseDescriptor(l, `layers[${i}]`))}
  }
  throw new OciFormatError(`unsupported manifest media type ${mediaType}`)
}

function decodeBase64Utf8(text: string): string {
  let binary: string
  try {
    binary = atob(text)
  } catch {
    throw new OciFormatError('a base64 field of the image config is not valid base64')
  }
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
}

function intOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback
}

function parseRecords(value: unknown, where: string): RawCacheRecord[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new OciFormatError(`${where} is not an array`)
  return value.map((r, i) => {
    if (!isObject(r) || !isDigest(r.digest)) throw new OciFormatError(`${where}[${i}] has no valid digest`)
    const rec: RawCacheRecord = {digest: r.digest, layers: [], chains: [], inputs: []}
    if (Array.isArray(r.layers)) {
      for (const l of r.layers) {
        if (!isObject(l) || typeof l.layer !== 'number' || !Number.isInteger(l.layer)) throw new OciFormatError(`${where}[${i}].layers has an invalid entry`)
        rec.layers.push({layer: l.layer, createdAt: typeof l.createdAt === 'string' ? l.createdAt : undefined})
      }
    }
    if (Array.isArray(r.chains)) {
      for (const c of r.chains) {
        if (!isObject(c) || !Array.isArray(c.layers) || !c.layers.every((x) => Number.isInteger(x))) throw new OciFormatError(`${where}[${i}].chains has an invalid entry`)
        rec.chains.push({layers: c.layers as number[], createdAt: typeof c.createdAt === 'string' ? c.createdAt : undefined})
      }
    }
    if (Array.isArray(r.inputs)) {
      for (const alternatives of r.inputs) {
        if (!Array.isArray(alternatives)) throw new OciFormatError(`${where}[${i}].inputs has an invalid entry`)
        rec.inputs.push(alternatives.map((a) => {
          if (!isObject(a) || typeof a.link !== 'number' || !Number.isInteger(a.link)) throw new OciFormatError(`${where}[${i}].inputs has an invalid link`)
          return typeof a.selector === 'string' && a.selector ? {link: a.link, selector: a.selector} : {link: a.link}
        }))
      }
    }
    return rec
  })
}

/** Parses `application/vnd.buildkit.cacheconfig.v0` (cache.md §2.2). */
export function parseCacheConfig(text: string): RawCacheConfig {
  const json = parseJson(text, 'cache config')
  if (!isObject(json)) throw new OciFormatError('the cache config is not a JSON object')
  const layersIn = json.layers ?? []
  if (!Array.isArray(layersIn)) throw new OciFormatError('the cache config layers field is not an array')
  const layers = layersIn.map((l, i): RawCacheLayer => {
    if (!isObject(l) || !isDigest(l.blob)) throw new OciFormatError(`cache config layers[${i}] has no valid blob digest`)
    const layer: RawCacheLayer = {blob: l.blob, parent: intOr(l.parent, 0)}
    if (isObject(l.annotations)) {
      const a = l.annotations
      layer.annotations = {
        mediaType: typeof a.mediaType === 'string' ? a.mediaType : undefined,
        diffID: typeof a.diffID === 'string' ? a.diffID : undefined,
        size: typeof a.size === 'number' ? a.size : undefined,
        createdAt: typeof a.createdAt === 'string' ? a.createdAt : undefined,
      }
    }
    return layer
  })
  return {layers, records: parseRecords(json.records, 'cache config records')}
}

/** Parses an image config; decodes the inline cache (`moby.buildkit.cache.v0`, base64 JSON array of records). */
export function parseImageConfig(text: string): ParsedImageConfig {
  const json = parseJson(text, 'image config')
  if (!isObject(json)) throw new OciFormatError('the image config is not a JSON object')
  const out: ParsedImageConfig = {diffIds: [], buildInfoSources: []}
  if (typeof json.os === 'string' && typeof json.architecture === 'string') {
    out.platform = {os: json.os, architecture: json.architecture}
    if (typeof json.variant === 'string' && json.variant) out.platform.variant = json.variant
  }
  if (isObject(json.rootfs) && Array.isArray(json.rootfs.diff_ids)) out.diffIds = json.rootfs.diff_ids.filter(isDigest)
  const inline = json['moby.buildkit.cache.v0']
  if (typeof inline === 'string' && inline) {
    const decoded = decodeBase64Utf8(inline)
    out.inlineCache = parseRecords(parseJson(decoded, 'inline cache (moby.buildkit.cache.v0)'), 'inline cache')
  }
  const buildInfo = json['moby.buildkit.buildinfo.v1']
  if (typeof buildInfo === 'string' && buildInfo) {
    try {
      const bi: unknown = JSON.parse(decodeBase64Utf8(buildInfo))
      if (isObject(bi) && Array.isArray(bi.sources)) {
        for (const s of bi.sources) {
          if (isObject(s) && s.type === 'docker-image' && typeof s.ref === 'string' && isDigest(s.pin)) out.buildInfoSources.push({ref: s.ref, pin: s.pin})
        }
      }
    } catch {
      // build info is a hint only; a broken one does not make the config unreadable
    }
  }
  return out
}
