import type {Dispatcher} from 'undici'
import {ExternalError, InputError, UsageError} from '../errors.js'
import type {CacheSummary} from '../domain/oci/cache-summary.js'
import {OciFormatError} from '../domain/oci/errors.js'
import {isImageManifestMediaType} from '../domain/oci/media-types.js'
import {parseCacheConfig, parseImageConfig, parseManifest, type Descriptor} from '../domain/oci/parse.js'
import {formatPlatform, parsePlatform} from '../domain/oci/platform.js'
import {formatReference, parseImageReference, type ImageReference} from '../domain/oci/reference.js'
import {classifyManifest, summarizeCache, type BaseImageInput, type InlineCachePart} from '../domain/oci/summarize.js'
import {createRegistryClient, DEFAULT_LIMITS, type FetchedManifest, type RegistryClient, type RetryPolicy} from '../adapters/registry/client.js'
import {DockerCredentialStore} from '../adapters/registry/docker-config.js'
import {RegistryError} from '../adapters/registry/errors.js'
import {readCaFile} from '../adapters/registry/ca-file.js'
import {mapLimit} from '../lib/map-limit.js'

export interface InspectCacheOptions {
  /** cache refs (registry caches, or images carrying inline cache) */
  refs: string[]
  /** the refs' (and bases') registries may be plain HTTP on loopback / unverified TLS elsewhere */
  insecure?: boolean
  /** PEM file with extra CA certificates */
  caFile?: string
  /** platforms to report on (`linux/arm64`); always listed, served or not */
  platforms?: string[]
  /** base images of the build (`FROM`), used to tie root records to platforms (cache.md §3) */
  bases?: string[]
  /** the docker config directory (`$DOCKER_CONFIG` or `~/.docker`); undefined = anonymous only */
  dockerConfigDir?: string
  /** environment for `docker-credential-*` helpers (PATH) */
  env?: Record<string, string | undefined>
  /** injected transport (tests: undici MockAgent) */
  dispatcher?: Dispatcher
  limits?: {manifestBytes?: number; configBytes?: number}
  retry?: Partial<RetryPolicy>
  /** refs read at once (default INSPECT_CONCURRENCY) */
  concurrency?: number
}

export interface CacheInspectResult {
  caches: CacheSummary[]
}

/** Max platform manifests read from one image index (inline caches, base images). */
const MAX_PLATFORM_MANIFESTS = 32

/**
 * Refs read at once (each has at most one request in flight): enough to hide the round trips, few
 * enough that the client's pool keeps a handful of reused connections per registry instead of one
 * socket per ref.
 */
export const INSPECT_CONCURRENCY = 8

/**
 * `bakedoctor cache inspect`: reads each ref over the distribution API and summarises it
 * (layout, layers, records, likely mode, platforms it can serve).
 */
export async function inspectCacheRefs(options: InspectCacheOptions): Promise<CacheInspectResult> {
  if (options.refs.length === 0) throw new UsageError('no cache ref given', {fix: 'bakedoctor cache inspect registry.example.com/app/cache:tag'})
  const refs = options.refs.map((r) => parseRef(r, 'cache ref'))
  const bases = (options.bases ?? []).map((r) => parseRef(r, '--base'))
  const platforms = (options.platforms ?? []).map((p) => {
    const parsed = parsePlatform(p)
    if (!parsed) throw new UsageError(`"${p}" is not a platform`, {fix: 'use os/arch[/variant], e.g. --platform linux/arm64'})
    return formatPlatform(parsed)
  })
  const caPem = options.caFile ? await readCaFile(options.caFile) : undefined
  const limits = {...DEFAULT_LIMITS, ...options.limits}
  const client = await createRegistryClient({
    dispatcher: options.dispatcher,
    caPem,
    insecureHosts: options.insecure ? [...new Set([...refs, ...bases].map((r) => r.ref.registry))] : [],
    credentials: new DockerCredentialStore({configDir: options.dockerConfigDir, env: options.env}),
    retry: options.retry,
  })
  try {
    // a bounded number at once over the client's pooled connections; results keep the order given,
    // and a failure reports the first failing ref in that order
    const concurrency = options.concurrency ?? INSPECT_CONCURRENCY
    const baseInputs: BaseImageInput[] = await mapLimit(bases, concurrency, (base) => readBase(client, base.text, base.ref, platforms, limits))
    const summaries: SummaryMemo = new Map()
    const caches: CacheSummary[] = await mapLimit(refs, concurrency, (ref) => inspectOne(client, ref.text, ref.ref, baseInputs, platforms, limits, summaries))
    return {caches}
  } finally {
    await client.close()
  }
}

function parseRef(text: string, what: string): {text: string; ref: ImageReference} {
  const parsed = parseImageReference(text)
  if ('error' in parsed) throw new InputError(`${what}: ${parsed.error}`, {fix: 'use registry/repository:tag or registry/repository@sha256:…'})
  return {text, ref: parsed}
}

function formatError(ref: string, error: unknown): never {
  if (error instanceof OciFormatError) {
    throw new ExternalError(`cannot read cache ${ref}: ${error.message}`, {fix: 'the ref does not hold a BuildKit cache or image bakedoctor can read; check it with skopeo inspect --raw'})
  }
  throw error
}

/**
 * Blobs are content-addressed: refs of one cache (tags of the same build, per-arch refs sharing a
 * config) name the same config blob, fetched once per client.
 */
const blobsFetched = new WeakMap<RegistryClient, Map<string, Promise<string>>>()

function fetchJsonBlob(client: RegistryClient, ref: ImageReference, d: Descriptor, maxBytes: number, what: string): Promise<string> {
  let fetched = blobsFetched.get(client)
  if (!fetched) blobsFetched.set(client, (fetched = new Map()))
  const key = `${ref.registry}/${ref.repository}@${d.digest}|${d.size}|${maxBytes}`
  let body = fetched.get(key)
  if (!body) fetched.set(key, (body = fetchJsonBlobOnce(client, ref, d, maxBytes, what)))
  return body
}

async function fetchJsonBlobOnce(client: RegistryClient, ref: ImageReference, d: Descriptor, maxBytes: number, what: string): Promise<string> {
  if (d.size > maxBytes) {
    throw new RegistryError('too-large', `${what} ${d.digest} is too large (${d.size} bytes > limit ${maxBytes})`, {fix: 'raise the limit with --max-config-size if the content is expected'})
  }
  const bytes = await client.getBlob(ref, d.digest, {maxBytes, what: `${what} ${d.digest}`})
  if (bytes.length !== d.size) throw new RegistryError('digest-mismatch', `${what} ${d.digest} has ${bytes.length} bytes, the manifest says ${d.size}`)
  return bytes.toString('utf8')
}

/**
 * Summaries per `registry/repository@manifest digest` (ref and canonicalRef set per ref): tags of one
 * cache (`:main`, `:latest`, `:sha-…`) name the same manifest, whose summary is a pure function of
 * content-addressed bytes and the run's bases and platforms, so it is computed (and its child
 * manifests and configs fetched) once. Each ref still fetches its own manifest: only that tells
 * which digest a tag names now.
 */
type SummaryMemo = Map<string, Promise<CacheSummary>>

async function inspectOne(
  client: RegistryClient,
  text: string,
  ref: ImageReference,
  bases: BaseImageInput[],
  platforms: string[],
  limits: typeof DEFAULT_LIMITS,
  summaries: SummaryMemo,
): Promise<CacheSummary> {
  try {
    const manifest = await client.getManifest(ref, {maxBytes: limits.manifestBytes})
    const key = `${ref.registry}/${ref.repository}@${manifest.digest}`
    let summary = summaries.get(key)
    if (!summary) summaries.set(key, (summary = summarizeManifest(client, ref, manifest, bases, platforms, limits)))
    // the same key order as summarizeCache's, so the JSON output reads the same
    return {...(await summary), ref: text, canonicalRef: formatReference(ref)}
  } catch (error) {
    return formatError(text, error)
  }
}

async function summarizeManifest(
  client: RegistryClient,
  ref: ImageReference,
  manifest: FetchedManifest,
  bases: BaseImageInput[],
  platforms: string[],
  limits: typeof DEFAULT_LIMITS,
): Promise<CacheSummary> {
  const parsed = parseManifest(manifest.bytes.toString('utf8'), manifest.mediaType)
  const top = {digest: manifest.digest, mediaType: parsed.mediaType, size: manifest.size}
  // ref and canonicalRef are set per ref by the caller
  const text = formatReference(ref)
  const canonicalRef = text
  const c = classifyManifest(parsed)
  if (c.layout === 'image-manifest' || c.layout === 'oci-index' || c.layout === 'docker-manifest-list') {
    const config = parseCacheConfig(await fetchJsonBlob(client, ref, c.config, limits.configBytes, 'cache config'))
    return summarizeCache({ref: text, canonicalRef, manifest: top, layout: c.layout, cacheConfig: {descriptor: c.config, config, layers: c.layers}, bases, platforms})
  }
  // an image: BuildKit's importer reads the inline cache of every platform manifest (cache.md §2.4)
  const images: Array<{layers: Descriptor[]; config: Descriptor}> = []
  const warnings: string[] = []
  if (c.layout === 'image') {
    images.push({layers: c.layers, config: c.config})
  } else if (c.layout === 'image-index') {
    const candidates = c.manifests.filter((m) => isImageManifestMediaType(m.mediaType) && m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && m.platform?.os !== 'unknown')
    if (candidates.length > MAX_PLATFORM_MANIFESTS) warnings.push(`the image index lists ${candidates.length} manifests; only the first ${MAX_PLATFORM_MANIFESTS} were read`)
    for (const m of candidates.slice(0, MAX_PLATFORM_MANIFESTS)) {
      const child = await client.getManifest(ref, {target: m.digest, maxBytes: limits.manifestBytes})
      const childParsed = parseManifest(child.bytes.toString('utf8'), child.mediaType)
      if (childParsed.kind === 'image') images.push({layers: childParsed.layers, config: childParsed.config})
    }
  }
  const parts: InlineCachePart[] = []
  const inlinePlatforms: string[] = []
  const allBases = [...bases]
  for (const image of images) {
    const config = parseImageConfig(await fetchJsonBlob(client, ref, image.config, limits.configBytes, 'image config'))
    for (const s of config.buildInfoSources) {
      if (!allBases.some((b) => b.digest === s.pin)) allBases.push({ref: s.ref, digest: s.pin, source: 'inline-buildinfo'})
    }
    if (!config.inlineCache) continue
    const platform = config.platform ? formatPlatform(config.platform) : undefined
    if (platform && !inlinePlatforms.includes(platform)) inlinePlatforms.push(platform)
    parts.push({platform, layers: image.layers, diffIds: config.diffIds.length === image.layers.length ? config.diffIds : undefined, records: config.inlineCache})
  }
  if (parts.length === 0) {
    warnings.push('this ref is an image without inline cache (no moby.buildkit.cache.v0 in its config): BuildKit imports nothing from it')
    return summarizeCache({ref: text, canonicalRef, manifest: top, layout: 'image-without-cache', inline: [], bases: allBases, platforms, warnings})
  }
  return summarizeCache({ref: text, canonicalRef, manifest: top, layout: 'inline', inline: parts, inlinePlatforms: inlinePlatforms.sort(), bases: allBases, platforms, warnings})
}

/** Resolves a base image: its pinned digest and, per platform, the config's diff_ids (for r1 roots). */
async function readBase(client: RegistryClient, text: string, ref: ImageReference, requested: string[], limits: typeof DEFAULT_LIMITS): Promise<BaseImageInput> {
  try {
    const manifest = await client.getManifest(ref, {maxBytes: limits.manifestBytes})
    const parsed = parseManifest(manifest.bytes.toString('utf8'), manifest.mediaType)
    const out: BaseImageInput = {ref: text, digest: manifest.digest, source: 'flag', platforms: []}
    const readConfig = async (config: Descriptor): Promise<{platform?: string; diffIds: string[]}> => {
      const c = parseImageConfig(await fetchJsonBlob(client, ref, config, limits.configBytes, 'base image config'))
      return {platform: c.platform ? formatPlatform(c.platform) : undefined, diffIds: c.diffIds}
    }
    if (parsed.kind === 'image') {
      const c = await readConfig(parsed.config)
      if (c.platform) out.platforms?.push({platform: c.platform, diffIds: c.diffIds})
      return out
    }
    const entries = parsed.manifests.filter((m) => m.platform && m.platform.os !== 'unknown' && isImageManifestMediaType(m.mediaType))
    for (const m of entries.slice(0, MAX_PLATFORM_MANIFESTS)) {
      const platform = formatPlatform(m.platform as NonNullable<Descriptor['platform']>)
      if (requested.length > 0 && !requested.includes(platform)) {
        out.platforms?.push({platform})
        continue
      }
      const child = await client.getManifest(ref, {target: m.digest, maxBytes: limits.manifestBytes})
      const childParsed = parseManifest(child.bytes.toString('utf8'), child.mediaType)
      if (childParsed.kind !== 'image') continue
      const c = await readConfig(childParsed.config)
      out.platforms?.push({platform, diffIds: c.diffIds})
    }
    return out
  } catch (error) {
    if (error instanceof OciFormatError) throw new ExternalError(`cannot read base image ${text}: ${error.message}`)
    throw error
  }
}
