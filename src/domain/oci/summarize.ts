import {
  CACHE_SUMMARY_SCHEMA,
  type CacheLayerInfo,
  type CacheLayout,
  type CacheRecordInfo,
  type CacheResultInfo,
  type CacheSummary,
  type ExportMode,
} from './cache-summary.js'
import {MediaTypes} from './media-types.js'
import type {Descriptor, ParsedManifest, RawCacheConfig, RawCacheRecord} from './parse.js'
import {MAX_CHAIN, matchImageRoots, platformCoverage, resultChainFromParents} from './platform-coverage.js'

/** What the top-level manifest says the ref is, before any blob is fetched (cache.md §2.3–§2.4). */
export type ManifestClassification =
  | {layout: 'image-manifest' | 'oci-index' | 'docker-manifest-list'; config: Descriptor; layers: Descriptor[]}
  /** an image (single manifest): its config may carry inline cache */
  | {layout: 'image'; config: Descriptor; layers: Descriptor[]}
  /** an image index: every platform manifest's config may carry inline cache (BuildKit reads all of them) */
  | {layout: 'image-index'; manifests: Descriptor[]}

/** Decides the layout the way BuildKit's importer does: a cacheconfig descriptor means a cache, otherwise an image (inline). */
export function classifyManifest(parsed: ParsedManifest): ManifestClassification {
  if (parsed.kind === 'image') {
    if (parsed.config.mediaType === MediaTypes.cacheConfig) return {layout: 'image-manifest', config: parsed.config, layers: parsed.layers}
    return {layout: 'image', config: parsed.config, layers: parsed.layers}
  }
  const configs = parsed.manifests.filter((m) => m.mediaType === MediaTypes.cacheConfig)
  const config = configs[configs.length - 1]
  if (config) {
    return {
      layout: parsed.mediaType === MediaTypes.dockerManifestList ? 'docker-manifest-list' : 'oci-index',
      config,
      layers: parsed.manifests.filter((m) => m.mediaType !== MediaTypes.cacheConfig),
    }
  }
  return {layout: 'image-index', manifests: parsed.manifests}
}

/** A base image whose per-platform root records are looked for (cache.md §3). */
export interface BaseImageInput {
  ref: string
  /** the pinned digest (index digest for multi-platform images): what the Dockerfile frontend pins into FROM */
  digest: string
  source: 'flag' | 'inline-buildinfo' | 'caller'
  /** per-platform diff_ids when the base's configs were read (enables r1 roots); platforms to try for r0 */
  platforms?: Array<{platform: string; diffIds?: string[]}>
}

export interface InlineCachePart {
  /** the image config's platform (`linux/amd64`) */
  platform?: string
  /** the image manifest's layers, bottom first */
  layers: Descriptor[]
  /** the image config's rootfs.diff_ids (same order as layers) */
  diffIds?: string[]
  records: RawCacheRecord[]
}

export interface SummarizeInput {
  ref: string
  canonicalRef: string
  manifest: {digest: string; mediaType: string; size: number}
  layout: CacheLayout
  /** registry caches: the cache config and the manifest's layer descriptors */
  cacheConfig?: {descriptor: Descriptor; config: RawCacheConfig; layers: Descriptor[]}
  /** inline caches: one part per platform image that carried one */
  inline?: InlineCachePart[]
  inlinePlatforms?: string[]
  bases?: BaseImageInput[]
  /** platforms the caller asked about (`--platform`); always listed in the coverage */
  platforms?: string[]
  warnings?: string[]
}


/** Builds the `CacheSummary`: layers, records, results, image roots, platform coverage, likely export mode. Pure. */
export function summarizeCache(input: SummarizeInput): CacheSummary {
  const warnings = [...(input.warnings ?? [])]
  const {layers, records} = input.cacheConfig ? fromCacheConfig(input.cacheConfig, warnings) : fromInline(input.inline ?? [])
  fillResultBlobs(records, layers)

  const blobSizes = new Map<string, number>()
  for (const l of layers) if (l.present && l.size !== undefined) blobSizes.set(l.digest, l.size)
  const times = layers.map((l) => l.createdAt).filter((t): t is string => !!t).sort(compareTime)

  const imageRoots = matchImageRoots(records, layers, input.bases ?? [], input.platforms, warnings)
  const coverage = platformCoverage(records, imageRoots, input)
  const knownPlatforms = imageRoots.some((r) => r.platform) || (input.inlinePlatforms?.length ?? 0) > 0
  const serves = coverage.filter((c) => c.status === 'serves').map((c) => c.platform).sort()

  let note: string | undefined
  if (!knownPlatforms) {
    note = (input.bases?.length ?? 0) === 0
      ? 'no base image is known, so no image root can be tied to a platform: pass --base IMAGE (the FROM image of the build) to check which platforms this ref can serve'
      : 'none of the base images\' per-platform root records is in this cache: it was built from other bases (or FROM scratch)'
  } else if (input.layout === 'inline') {
    note = 'inline cache: each platform image carries its own cache (mode=min only)'
  }

  return {
    schema: CACHE_SUMMARY_SCHEMA,
    ref: input.ref,
    canonicalRef: input.canonicalRef,
    manifestDigest: input.manifest.digest,
    manifestMediaType: input.manifest.mediaType,
    manifestSize: input.manifest.size,
    layout: input.layout,
    config: input.cacheConfig ? {digest: input.cacheConfig.descriptor.digest, size: input.cacheConfig.descriptor.size, mediaType: input.cacheConfig.descriptor.mediaType} : undefined,
    layers: {
      count: layers.length,
      totalSize: [...blobSizes.values()].reduce((a, b) => a + b, 0),
      oldest: times[0],
      newest: times[times.length - 1],
      items: layers,
    },
    records: {
      count: records.length,
      roots: records.filter((r) => r.root).length,
      withResults: records.filter((r) => r.results.length > 0).length,
      distinctDigests: new Set(records.map((r) => r.digest)).size,
      items: records,
    },
    mode: exportMode(input.layout, records, layers),
    platforms: {status: knownPlatforms ? 'known' : 'unknown', serves, coverage, note},
    imageRoots,
    bases: (input.bases ?? []).map((b) => ({ref: b.ref, digest: b.digest, source: b.source, platforms: (b.platforms ?? []).map((p) => p.platform)})),
    inlinePlatforms: input.inlinePlatforms,
    warnings,
  }
}

function compareTime(a: string, b: string): number {
  const ta = Date.parse(a)
  const tb = Date.parse(b)
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a < b ? -1 : a > b ? 1 : 0
  // RFC 3339 with nanoseconds: Date.parse drops sub-ms digits, fall back to text order on ties
  return ta - tb || (a < b ? -1 : a > b ? 1 : 0)
}

function fromCacheConfig(
  source: NonNullable<SummarizeInput['cacheConfig']>,
  warnings: string[],
): {layers: CacheLayerInfo[]; records: CacheRecordInfo[]} {
  const byDigest = new Map<string, Descriptor>()
  for (const d of source.layers) if (!byDigest.has(d.digest)) byDigest.set(d.digest, d)
  const raw = source.config
  const layers: CacheLayerInfo[] = raw.layers.map((l, index) => {
    // the manifest's layer list matches config.layers one to one (cache.md §2.3); fall back to the digest
    const positional = source.layers[index]
    const d = positional?.digest === l.blob ? positional : byDigest.get(l.blob)
    const info: CacheLayerInfo = {index, digest: l.blob, parent: l.parent, present: d !== undefined}
    const size = d?.size ?? l.annotations?.size
    if (size !== undefined) info.size = size
    const mediaType = d?.mediaType ?? l.annotations?.mediaType
    if (mediaType) info.mediaType = mediaType
    const diffId = d?.annotations?.['containerd.io/uncompressed'] ?? l.annotations?.diffID
    if (diffId) info.diffId = diffId
    const createdAt = d?.annotations?.['buildkit/createdat'] ?? l.annotations?.createdAt
    if (createdAt) info.createdAt = createdAt
    return info
  })
  const missing = layers.filter((l) => !l.present).length
  if (missing > 0) warnings.push(`${missing} layer(s) of the cache config are not listed in the manifest; results that need them are dropped on import`)
  const records = raw.records.map((r, index) => toRecordInfo(r, index, raw.records.length, (layer) => resultChainFromParents(layers, layer, warnings)))
  return {layers, records}
}

function fromInline(parts: InlineCachePart[]): {layers: CacheLayerInfo[]; records: CacheRecordInfo[]} {
  const layers: CacheLayerInfo[] = []
  const records: CacheRecordInfo[] = []
  for (const part of parts) {
    const layerOffset = layers.length
    const recordOffset = records.length
    part.layers.forEach((d, i) => {
      const info: CacheLayerInfo = {index: layerOffset + i, digest: d.digest, size: d.size, mediaType: d.mediaType, parent: i === 0 ? -1 : layerOffset + i - 1, present: true}
      const diffId = part.diffIds?.[i] ?? d.annotations?.['containerd.io/uncompressed']
      if (diffId) info.diffId = diffId
      const createdAt = d.annotations?.['buildkit/createdat']
      if (createdAt) info.createdAt = createdAt
      layers.push(info)
    })
    const count = part.layers.length
    // inline: `layers[].layer` indexes the image's layers and the chain is implicitly 0..layer (cache.md §2.4)
    const chainTo = (layer: number): number[] | undefined =>
      layer >= 0 && layer < count ? Array.from({length: layer + 1}, (_, i) => layerOffset + i) : undefined
    part.records.forEach((r, i) => {
      const shifted: RawCacheRecord = {
        ...r,
        inputs: r.inputs.map((alts) => alts.map((a) => ({...a, link: a.link + recordOffset}))),
        chains: r.chains.map((c) => ({...c, layers: c.layers.map((l) => l + layerOffset)})),
      }
      const info = toRecordInfo(shifted, recordOffset + i, recordOffset + part.records.length, chainTo)
      if (part.platform) info.platforms = [part.platform]
      records.push(info)
    })
  }
  return {layers, records}
}

function toRecordInfo(r: RawCacheRecord, index: number, recordCount: number, chainTo: (layer: number) => number[] | undefined): CacheRecordInfo {
  const results: CacheResultInfo[] = []
  for (const res of r.layers) {
    const chain = chainTo(res.layer)
    results.push({layers: chain ?? [], blobs: [], createdAt: res.createdAt, complete: chain !== undefined})
  }
  for (const c of r.chains) results.push({layers: c.layers, blobs: [], createdAt: c.createdAt, complete: c.layers.length > 0})
  return {
    index,
    digest: r.digest,
    root: r.inputs.length === 0,
    inputs: r.inputs.map((alts) =>
      alts.filter((a) => a.link >= 0 && a.link < recordCount).map((a) => (a.selector ? {record: a.link, selector: a.selector} : {record: a.link}))),
    results,
    platforms: [],
  }
}

/** Follows `parent` from the result's top layer down to -1; undefined on a broken chain (out of range, cycle). */

function fillResultBlobs(records: CacheRecordInfo[], layers: CacheLayerInfo[]): void {
  for (const r of records) {
    for (const res of r.results) {
      res.blobs = res.layers.map((l) => layers[l]?.digest ?? '')
      res.complete = res.complete && res.layers.length > 0 && res.layers.every((l) => layers[l]?.present === true)
    }
  }
}

/**
 * The export mode it was most likely written with (cache.md §2.1, §8 "mode=min gap"):
 * min attaches results only to the final image chain (one linear chain per platform), max to every step.
 */
function exportMode(layout: CacheLayout, records: CacheRecordInfo[], layers: CacheLayerInfo[]): {value: ExportMode; reason: string} {
  if (layout === 'inline') return {value: 'min', reason: 'inline cache only supports mode=min'}
  if (layout === 'image-without-cache') return {value: 'unknown', reason: 'the image has no inline cache'}
  const byDigest = new Map<string, boolean>()
  for (const r of records) {
    if (r.root) continue
    byDigest.set(r.digest, (byDigest.get(r.digest) ?? false) || r.results.length > 0)
  }
  const steps = byDigest.size
  const withResult = [...byDigest.values()].filter(Boolean).length
  if (steps === 0) return {value: 'unknown', reason: 'the cache has no step records'}
  // leaves of the result-layer forest: a branch means results for more than the final image chain
  const resultLayers = new Set<number>()
  for (const r of records) for (const res of r.results) for (const l of res.layers) resultLayers.add(l)
  const tops = new Set<number>()
  for (const r of records) for (const res of r.results) { const top = res.layers[res.layers.length - 1]; if (top !== undefined) tops.add(top) }
  const ancestors = new Set<number>()
  for (const l of resultLayers) {
    let p = layers[l]?.parent ?? -1
    let guard = 0
    while (p !== -1 && guard++ < MAX_CHAIN) {
      ancestors.add(p)
      p = layers[p]?.parent ?? -1
    }
  }
  const leaves = [...tops].filter((t) => !ancestors.has(t))
  const bottoms = new Set<number>()
  for (const r of records) for (const res of r.results) { const b = res.layers[0]; if (b !== undefined) bottoms.add(b) }
  const gaps = steps - withResult
  if (leaves.length > bottoms.size) {
    return {value: 'max', reason: `results on ${leaves.length} diverging layer chains (not only the final image chain); ${withResult} of ${steps} step records have results`}
  }
  if (gaps > 0) {
    return {value: 'min', reason: `only the final image chain has results; ${gaps} of ${steps} step records have none (the mode=min gap)`}
  }
  return {value: 'unknown', reason: `every step record has a result on a single chain: mode=min and mode=max look the same for this build`}
}
