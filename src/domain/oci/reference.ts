import {isDigest} from './digest.js'

/** A parsed image reference (`registry/repo:tag@digest`), normalised like Docker's `ParseNormalizedNamed`. */
export interface ImageReference {
  /** host[:port] as used in URLs; Docker Hub is `registry-1.docker.io` */
  registry: string
  repository: string
  tag?: string
  digest?: string
}

const DOCKER_HUB = 'registry-1.docker.io'

/** What to fetch: the digest when pinned, else the tag (default `latest`). */
export function referenceTarget(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest'
}

export function formatReference(ref: ImageReference): string {
  const host = ref.registry === DOCKER_HUB ? 'docker.io' : ref.registry
  return `${host}/${ref.repository}${ref.tag ? ':' + ref.tag : ''}${ref.digest ? '@' + ref.digest : ''}`
}

/**
 * Parses `host:5000/app/cache:tag`, `alpine`, `ghcr.io/o/r@sha256:…`. Returns an error sentence instead
 * of throwing so callers can attach their own context.
 */
export function parseImageReference(text: string): ImageReference | {error: string} {
  let rest = text.trim()
  if (!rest) return {error: 'the image reference is empty'}
  if (/^[a-z]+:\/\//i.test(rest)) return {error: `"${text}" is a URL; give an image reference like registry.example.com/app/cache:tag`}
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!isDigest(digest)) return {error: `"${text}" has an invalid digest (expected sha256:<64 hex>)`}
  }
  let registry = 'docker.io'
  const slash = rest.indexOf('/')
  if (slash > 0) {
    const first = rest.slice(0, slash)
    if (first.includes('.') || first.includes(':') || first === 'localhost' || /^\[.*\]/.test(first)) {
      registry = first
      rest = rest.slice(slash + 1)
    }
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon >= 0) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return {error: `"${text}" has an invalid tag "${tag}"`}
  }
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(rest)) {
    return {error: `"${text}" has an invalid repository name "${rest}" (lowercase letters, digits, ".", "_", "-" and "/")`}
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') {
    registry = DOCKER_HUB
    if (!rest.includes('/')) rest = 'library/' + rest
  }
  return {registry, repository: rest, tag, digest}
}
