/**
 * The model `bakedoctor cache inspect` produces for one cache ref (docs/architecture.md, "Registry cache inspection", cache.md §2–§3).
 * JSON-serialisable on purpose: the index stores it as a cache snapshot, and `explain` reads it back
 * as evidence for `cache-unavailable` verdicts ("could this ref serve step X for platform P?").
 *
 * IMPORTANT: bump CACHE_SUMMARY_SCHEMA when a field changes meaning or is removed; stored snapshots
 * carry the version they were written with.
 */
export const CACHE_SUMMARY_SCHEMA = 1

/**
 * How the cache is stored (cache.md §2.3, §2.4):
 * - `image-manifest`: OCI image manifest whose config is the cache config (`image-manifest=true`, default since BuildKit v0.21)
 * - `oci-index`: OCI index of layer descriptors + the cache config descriptor (`image-manifest=false`)
 * - `docker-manifest-list`: the same with Docker media types (`oci-mediatypes=false`)
 * - `inline`: an image whose config(s) carry `moby.buildkit.cache.v0`
 * - `image-without-cache`: an image with no inline cache: BuildKit imports nothing from it
 */
export type CacheLayout = 'image-manifest' | 'oci-index' | 'docker-manifest-list' | 'inline' | 'image-without-cache'

export type ExportMode = 'min' | 'max' | 'unknown'

/** One layer blob of the cache (a `layers[]` entry of the cache config, or an image layer for inline cache). */
export interface CacheLayerInfo {
  /** index in the cache config's `layers[]` (inline: index in the image manifest's layers) */
  index: number
  /** compressed blob digest */
  digest: string
  /** from the manifest descriptor; undefined when the manifest does not list the blob */
  size?: number
  mediaType?: string
  /** `containerd.io/uncompressed` annotation (survives recompression) */
  diffId?: string
  /** `buildkit/createdat` annotation (RFC 3339) */
  createdAt?: string
  /** parent layer index, -1 for a bottom layer */
  parent: number
  /** whether the manifest lists this blob; a result whose chain has a missing blob is dropped on import */
  present: boolean
}

/** One result of a record: a layer chain, bottom first. */
export interface CacheResultInfo {
  /** layer indexes, bottom → top */
  layers: number[]
  /** the same chain as blob digests, bottom → top */
  blobs: string[]
  createdAt?: string
  /** every blob of the chain is in the manifest (otherwise BuildKit silently drops the result) */
  complete: boolean
}

/** One cache record (cache.md §2.2). Record digests are NOT unique: one op digest can appear with different inputs. */
export interface CacheRecordInfo {
  index: number
  /** `rootKey(CacheMap.Digest, output)`: the op's own digest, independent of its inputs */
  digest: string
  /** no inputs: a source (image, git, http) root or a content-checksum root (`…@-1`) */
  root: boolean
  /** `inputs[i]` = alternative parents for input i (`record` = index into records) */
  inputs: Array<Array<{record: number; selector?: string}>>
  results: CacheResultInfo[]
  /** platforms whose image roots reach this record through `inputs` (cache.md §3 "taint propagation") */
  platforms: string[]
  /** set when this record is a recognised image root */
  imageRoot?: ImageRootMatch
}

/** A root record identified as a base image root (cache.md §3, r0/r1). */
export interface ImageRootMatch {
  record: number
  /** `manifest`: r0 = rootKey(sha256(source: manifestKey{Digest,OS,Arch,…})); `chainid`: r1 = rootKey(sha256(source: ChainID(diff_ids))) */
  kind: 'manifest' | 'chainid'
  /** normalised platform (`linux/arm64`), or undefined for a chainID root whose platform is not known */
  platform?: string
  /** the base image reference as given (`--base`, inline build info), when known */
  base?: string
  /** pinned (index) digest for `manifest` roots */
  baseDigest?: string
  /** for `chainid` roots matched via the cache's own layers: the layer chain (indexes, bottom → top) */
  layers?: number[]
}

/** One link of a platform's chain: a record reachable from that platform's image root. */
export interface PlatformChainEntry {
  record: number
  digest: string
  /** links from the platform root (0 = the root itself) */
  depth: number
  /** has at least one complete result (layer chain all present) */
  usable: boolean
}

export interface PlatformCoverage {
  platform: string
  /** `serves`: a record reachable from the platform's image root has a usable result; `keys-only`: reachable records but no usable result; `absent`: no root for this platform */
  status: 'serves' | 'keys-only' | 'absent'
  roots: ImageRootMatch[]
  /** every record reachable from the roots, breadth-first */
  chain: PlatformChainEntry[]
  recordsReachable: number
  recordsUsable: number
}

export interface CacheSummary {
  schema: typeof CACHE_SUMMARY_SCHEMA
  /** the ref as given */
  ref: string
  /** `registry/repository[:tag][@digest]`, canonical */
  canonicalRef: string
  manifestDigest: string
  manifestMediaType: string
  manifestSize: number
  layout: CacheLayout
  /** cache config blob (not for inline) */
  config?: {digest: string; size: number; mediaType: string}
  layers: {
    count: number
    /** sum of the sizes of the distinct blobs the manifest lists */
    totalSize: number
    oldest?: string
    newest?: string
    items: CacheLayerInfo[]
  }
  records: {
    count: number
    roots: number
    withResults: number
    /** distinct record digests (one op can have several records) */
    distinctDigests: number
    items: CacheRecordInfo[]
  }
  mode: {value: ExportMode; reason: string}
  platforms: {
    /** `known` when at least one image root could be matched to a platform */
    status: 'known' | 'unknown'
    /** platforms the ref can serve (status `serves`), sorted */
    serves: string[]
    /** every platform looked at, including the ones it cannot serve */
    coverage: PlatformCoverage[]
    /** why the platforms are unknown or limited, in a sentence */
    note?: string
  }
  /** image roots found (with platform where known) */
  imageRoots: ImageRootMatch[]
  /** base images considered for root matching */
  bases: Array<{ref: string; digest: string; platforms: string[]; source: 'flag' | 'inline-buildinfo' | 'caller'}>
  /** for inline cache: the image platforms whose configs carried the cache */
  inlinePlatforms?: string[]
  warnings: string[]
}
