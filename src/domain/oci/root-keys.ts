import {sha256Digest} from './digest.js'
import {normalizePlatform, type Platform} from './platform.js'

/**
 * Root record digests of a base image for one platform (cache.md §3, formulas from BuildKit's
 * source/containerimage/pull.go `mainManifestKey`, `cacheKeyFromConfig`, solver `rootKey`).
 * Go's encoding/json field order and `omitempty` are reproduced by building the string by hand.
 */

/** `rootKey(dgst, output) = sha256("<dgst>@<output>")` */
export function rootKey(cacheMapDigest: string, output = 0): string {
  return sha256Digest(`${cacheMapDigest}@${output}`)
}

/** The source op's CacheMap digest for a source key: `sha256("buildkit.source.v0:" + key)`. */
export function sourceCacheMapDigest(key: string): string {
  return sha256Digest('buildkit.source.v0:' + key)
}

/** r0: depends only on the pinned (index) digest and the platform, so it is computable from the LLB alone. */
export function manifestRootKey(pinnedDigest: string, platform: Platform & {osVersion?: string; osFeatures?: string[]}): string {
  const p = normalizePlatform(platform)
  let json = `{"Digest":${JSON.stringify(pinnedDigest)},"OS":${JSON.stringify(p.os)},"Arch":${JSON.stringify(p.architecture)}`
  if (p.variant) json += `,"Variant":${JSON.stringify(p.variant)}`
  if (platform.osVersion) json += `,"OSVersion":${JSON.stringify(platform.osVersion)}`
  if (platform.osFeatures && platform.osFeatures.length > 0) json += `,"OSFeatures":${JSON.stringify(platform.osFeatures)}`
  json += '}'
  return rootKey(sourceCacheMapDigest(sha256Digest(json)), 0)
}

/** OCI `identity.ChainID`: ChainID(L0) = diffID0; ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + diffIDn). */
export function chainId(diffIds: readonly string[]): string | undefined {
  let chain: string | undefined
  for (const diffId of diffIds) chain = chain === undefined ? diffId : extendChainId(chain, diffId)
  return chain
}

/** ChainID(L0..n) from ChainID(L0..n-1) and diffIDn. */
export function extendChainId(parentChainId: string, diffId: string): string {
  return sha256Digest(`${parentChainId} ${diffId}`)
}

/** r1: the platform-specific layer chain of the image config (`rootfs.diff_ids`). */
export function chainIdRootKey(diffIds: readonly string[]): string | undefined {
  const chain = chainId(diffIds)
  return chain === undefined ? undefined : chainIdRootKeyOf(chain)
}

/** r1 of a layer chain given its ChainID. */
export function chainIdRootKeyOf(chain: string): string {
  return rootKey(sourceCacheMapDigest(chain), 0)
}
