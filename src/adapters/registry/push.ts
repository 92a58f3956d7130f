import {createHash} from 'node:crypto'
import type {ImageReference} from '../../domain/oci/reference.js'
import type {RegistryClient} from './client.js'
import {RegistryError} from './errors.js'

/**
 * The write half of the distribution API and tag listing, over the same client (auth, TLS, retries,
 * limits) as `cache inspect`: blob upload (POST then monolithic PUT), manifest PUT, tags/list with
 * `Link` pagination.
 */

const SMALL_ANSWER = 64 * 1024

function sha256(bytes: Buffer): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex')
}

function repoUrl(client: RegistryClient, ref: ImageReference, rest: string): URL {
  return new URL(`${ref.repository}/${rest}`, client.baseUrl(ref.registry))
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** Whether the repository already holds the blob (HEAD); a 404 is "no", anything else an error. */
export async function blobExists(client: RegistryClient, ref: ImageReference, digest: string): Promise<boolean> {
  try {
    await client.call(ref, repoUrl(client, ref, `blobs/${digest}`), {method: 'HEAD', maxBytes: SMALL_ANSWER, what: `blob ${digest}`})
    return true
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'not-found') return false
    throw error
  }
}

/**
 * Uploads a blob: POST an upload session, PUT the bytes with `?digest=`. `checkFirst` asks (HEAD)
 * whether the repository has it already; content that is unique per call (a run record) skips that.
 */
export async function uploadBlob(client: RegistryClient, ref: ImageReference, bytes: Buffer, what: string, options: {checkFirst?: boolean} = {}): Promise<{digest: string; size: number}> {
  const digest = sha256(bytes)
  if (options.checkFirst !== false && (await blobExists(client, ref, digest))) return {digest, size: bytes.length}
  const start = await client.call(ref, repoUrl(client, ref, 'blobs/uploads/'), {method: 'POST', maxBytes: SMALL_ANSWER, what: `an upload of ${what}`})
  const location = headerOf(start.headers, 'location')
  if (!location) throw new RegistryError('protocol', `${ref.registry} started an upload of ${what} without a Location header`)
  const put = new URL(location, client.baseUrl(ref.registry))
  put.searchParams.set('digest', digest)
  const done = await client.call(ref, put, {method: 'PUT', body: bytes, contentType: 'application/octet-stream', maxBytes: SMALL_ANSWER, what: `the upload of ${what}`})
  const stored = headerOf(done.headers, 'docker-content-digest')
  if (stored && stored !== digest) {
    throw new RegistryError('digest-mismatch', `${ref.registry} stored ${what} as ${stored}, expected ${digest}`, {fix: 'the registry or a proxy in between altered the upload; retry'})
  }
  return {digest, size: bytes.length}
}

/** PUTs a manifest under a tag; the registry's digest must be the one of the bytes sent. */
export async function putManifest(client: RegistryClient, ref: ImageReference, tag: string, bytes: Buffer, mediaType: string): Promise<string> {
  const digest = sha256(bytes)
  const res = await client.call(ref, repoUrl(client, ref, `manifests/${tag}`), {method: 'PUT', body: bytes, contentType: mediaType, maxBytes: SMALL_ANSWER, what: `the manifest ${ref.repository}:${tag}`})
  const stored = headerOf(res.headers, 'docker-content-digest')
  if (stored && stored !== digest) {
    throw new RegistryError('digest-mismatch', `${ref.registry} stored the manifest ${ref.repository}:${tag} as ${stored}, expected ${digest}`, {fix: 'the registry or a proxy in between altered the manifest; retry'})
  }
  return digest
}

export interface TagListLimits {
  /** tags asked for per page (`?n=`) */
  pageSize: number
  /** pages followed at most (a registry answering `next` forever must not keep us forever) */
  maxPages: number
  /** bytes of one page */
  pageBytes: number
}

export const DEFAULT_TAG_LIST_LIMITS: TagListLimits = {pageSize: 1000, maxPages: 10_000, pageBytes: 4 * 1024 * 1024}

/** `<…/tags/list?n=1000&last=x>; rel="next"` → the URL, resolved against the page's URL. */
export function nextPageUrl(link: string | undefined, base: URL): URL | undefined {
  if (!link) return undefined
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(part)
    if (m) return new URL(m[1] as string, base)
  }
  return undefined
}

/**
 * Every tag of a repository, following `Link: <…>; rel="next"` pages (OCI distribution spec
 * "Listing Tags"). A repository that does not exist yet has no tags.
 */
export async function listTags(client: RegistryClient, ref: ImageReference, limits: TagListLimits = DEFAULT_TAG_LIST_LIMITS): Promise<string[]> {
  const tags: string[] = []
  let url: URL | undefined = repoUrl(client, ref, `tags/list?n=${limits.pageSize}`)
  const base = new URL(client.baseUrl(ref.registry))
  for (let page = 0; url; page++) {
    if (page >= limits.maxPages) throw new RegistryError('protocol', `${ref.registry} kept paginating the tags of ${ref.repository} (more than ${limits.maxPages} pages)`)
    if (url.origin !== base.origin) throw new RegistryError('protocol', `${ref.registry} pointed the next page of tags to another host (${url.host})`)
    let res
    try {
      res = await client.call(ref, url, {accept: 'application/json', maxBytes: limits.pageBytes, what: `the tags of ${ref.registry}/${ref.repository}`})
    } catch (error) {
      // NAME_UNKNOWN: nothing was ever pushed there
      if (error instanceof RegistryError && error.code === 'not-found' && page === 0) return []
      throw error
    }
    let body: {tags?: unknown}
    try {
      body = JSON.parse(res.bytes.toString('utf8')) as {tags?: unknown}
    } catch {
      throw new RegistryError('protocol', `${ref.registry} answered the tag list of ${ref.repository} with something that is not JSON`)
    }
    const pageTags = body.tags === null || body.tags === undefined ? [] : body.tags
    if (!Array.isArray(pageTags) || pageTags.some((t) => typeof t !== 'string')) {
      throw new RegistryError('protocol', `${ref.registry} answered the tag list of ${ref.repository} without a list of tags`)
    }
    tags.push(...(pageTags as string[]))
    const next = nextPageUrl(headerOf(res.headers, 'link'), url)
    // a next page that repeats the current one would loop forever
    url = next && next.href !== url.href && pageTags.length > 0 ? next : undefined
  }
  return tags
}
