import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, test} from 'vitest'
import {MediaTypes} from './media-types.js'
import {OciFormatError} from './errors.js'
import {parseCacheConfig, parseImageConfig, parseManifest} from './parse.js'
import {formatPlatform, parsePlatform} from './platform.js'
import {formatReference, parseImageReference} from './reference.js'
import {chainId, chainIdRootKey, manifestRootKey} from './root-keys.js'
import {classifyManifest, summarizeCache, type SummarizeInput} from './summarize.js'

const SNAP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/registry-snapshots')
const blob = (snap: string, digest: string) => readFileSync(path.join(SNAP, snap, 'blobs/sha256', digest.replace('sha256:', '')), 'utf8')
const BUSYBOX_INDEX = 'sha256:c9ef8b5a60b2849118b2b048c83303f3608a8efef3be96789805e08e892de30e'
const AMD64_DIFF = 'sha256:3f6c1cc7522240af3e319092433e151b19a93807c11dfdbce00fbed3323d928e'
const MIN_TOP = 'sha256:4c8384d35f1caed52b47a5b774ca2c1d708c403e64ce35d6f2c7cdf08e29852f'
const MULTI_TOP = 'sha256:21780fff4af0a3000fd855d0c8c458dfbcddfc2febcf24f08320ad9217b5d844'
const MULTI_CONFIG = 'sha256:0c73c058b1e71d22a560ed84859b78c79f15af848d3efcb02f3bf3a12aa12995'

/** The summarize input of a cache manifest text, as the service builds it after fetching. */
function cacheInput(snap: string, manifestText: string, overrides: Partial<SummarizeInput> = {}): SummarizeInput {
  const parsed = parseManifest(manifestText)
  const c = classifyManifest(parsed)
  if (c.layout !== 'oci-index' && c.layout !== 'image-manifest' && c.layout !== 'docker-manifest-list') throw new Error(`not a cache: ${c.layout}`)
  return {
    ref: snap, canonicalRef: snap, manifest: {digest: 'sha256:' + '0'.repeat(64), mediaType: parsed.mediaType, size: manifestText.length}, layout: c.layout,
    cacheConfig: {descriptor: c.config, config: parseCacheConfig(blob(snap, c.config.digest)), layers: c.layers}, ...overrides,
  }
}

const busyboxBase = {ref: 'base/busybox:1', digest: BUSYBOX_INDEX, source: 'caller' as const}

describe('root keys (cache.md §3)', () => {
  test('r0 and r1 of the busybox fixture are the root records BuildKit wrote', () => {
    const records = parseCacheConfig(blob('cache-multi-mode-max', MULTI_CONFIG)).records.map((r) => r.digest)
    expect(manifestRootKey(BUSYBOX_INDEX, {os: 'linux', architecture: 'amd64'})).toBe('sha256:918505c07a800c86f03c0665ac94ad0317d129927676446f4132334603d0faff')
    // arm64/v8 normalises to arm64 (no variant) before hashing
    expect(manifestRootKey(BUSYBOX_INDEX, {os: 'linux', architecture: 'arm64', variant: 'v8'})).toBe('sha256:8920456f96332122708b4288250285ac892c32145d1c86f5970e02a7dc466751')
    expect(chainIdRootKey([AMD64_DIFF])).toBe('sha256:7abc6b14cf10812d754541c9662c997e45d7bfdb32ab6295fb36dfbfe5730901')
    expect(records).toContain(manifestRootKey(BUSYBOX_INDEX, {os: 'linux', architecture: 'arm64'}))
  })

  test('ChainID follows the OCI identity definition', () => {
    expect(chainId([])).toBeUndefined()
    expect(chainId(['sha256:a'])).toBe('sha256:a')
    const two = 'sha256:' + createHash('sha256').update('sha256:a sha256:b').digest('hex')
    expect(chainId(['sha256:a', 'sha256:b'])).toBe(two)
    expect(chainId(['sha256:a', 'sha256:b', 'sha256:c'])).toBe('sha256:' + createHash('sha256').update(`${two} sha256:c`).digest('hex'))
  })
})

describe('platforms and references', () => {
  test('platforms normalise the containerd way', () => {
    expect(formatPlatform(parsePlatform('linux/arm64/v8')!)).toBe('linux/arm64')
    expect(formatPlatform(parsePlatform('linux/arm')!)).toBe('linux/arm/v7')
    expect(formatPlatform(parsePlatform('linux/x86_64')!)).toBe('linux/amd64')
    expect(parsePlatform('linux')).toBeUndefined()
  })

  test('references normalise like docker', () => {
    expect(parseImageReference('alpine')).toEqual({registry: 'registry-1.docker.io', repository: 'library/alpine'})
    expect(parseImageReference('127.0.0.1:5000/app/cache:min')).toEqual({registry: '127.0.0.1:5000', repository: 'app/cache', tag: 'min'})
    const pinned = parseImageReference(`ghcr.io/o/r:t@${BUSYBOX_INDEX}`)
    expect(pinned).toEqual({registry: 'ghcr.io', repository: 'o/r', tag: 't', digest: BUSYBOX_INDEX})
    expect(formatReference(parseImageReference('localhost/x') as never)).toBe('localhost/x')
    expect(parseImageReference('Bad/Repo')).toHaveProperty('error')
    expect(parseImageReference('https://reg/x')).toHaveProperty('error')
  })
})

describe('parsing', () => {
  test('a missing layer parent means 0, not "no parent" (cache.md §2.2 pitfall)', () => {
    const config = parseCacheConfig(blob('cache-multi-mode-max', MULTI_CONFIG))
    expect(config.layers[1]?.parent).toBe(0)
    expect(config.layers[3]?.parent).toBe(-1)
  })

  test('malformed content is a format error, not a crash', () => {
    expect(() => parseManifest('{')).toThrow(OciFormatError)
    expect(() => parseManifest('{"schemaVersion":1}')).toThrow(/schemaVersion/)
    expect(() => parseCacheConfig('{"layers":[{"blob":"nope"}]}')).toThrow(/blob digest/)
    expect(() => parseCacheConfig('{"records":[{"digest":"sha256:' + 'a'.repeat(64) + '","inputs":[[{"link":"x"}]]}]}')).toThrow(/invalid link/)
  })

  test('inline cache and build info are decoded from an image config', () => {
    const config = parseImageConfig(blob('image-inline-cache', 'sha256:720e72420d7dc6b995e1cbcc3f58111f610e26ab29e97d81faba273e57b70a50'))
    expect(config.platform).toEqual({os: 'linux', architecture: 'amd64'})
    expect(config.inlineCache).toHaveLength(21)
    expect(config.diffIds[0]).toBe(AMD64_DIFF)
    expect(config.buildInfoSources).toEqual([{ref: '127.0.0.1:5000/base/busybox:1', pin: BUSYBOX_INDEX}])
  })
})

describe('summarizeCache', () => {
  test('all three registry layouts of the same cache give the same records and platforms', () => {
    // Given cache-min as an OCI index, rewritten as a Docker manifest list and as an image manifest (image-manifest=true)
    const indexText = blob('cache-min', MIN_TOP)
    const index = JSON.parse(indexText) as {manifests: Array<{mediaType: string}>}
    const listText = JSON.stringify({...index, mediaType: MediaTypes.dockerManifestList, manifests: index.manifests.map((m) => m.mediaType === MediaTypes.cacheConfig ? m : {...m, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip'})})
    const cfg = index.manifests.find((m) => m.mediaType === MediaTypes.cacheConfig)
    const imageText = JSON.stringify({schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: cfg, layers: index.manifests.filter((m) => m !== cfg)})
    const results = [indexText, listText, imageText].map((t) => summarizeCache(cacheInput('cache-min', t, {bases: [busyboxBase]})))
    // Then the layouts are named, and the analysis agrees
    expect(results.map((r) => r.layout)).toEqual(['oci-index', 'docker-manifest-list', 'image-manifest'])
    for (const r of results) {
      expect(r.mode.value).toBe('min')
      expect(r.platforms.serves).toEqual(['linux/amd64'])
      expect(r.records.count).toBe(16)
      expect(r.layers.totalSize).toBe(237 + 1064747)
      expect(r.layers.oldest).toBe('2026-11-23T14:07:34.843704295Z')
      expect(r.layers.newest).toBe('2026-11-23T14:07:35.444459583Z')
    }
  })

  test('a result whose blob is missing from the manifest is not usable, and the cache is flagged', () => {
    // Given cache-min whose manifest lost the top layer
    const index = JSON.parse(blob('cache-min', MIN_TOP)) as {manifests: Array<{digest: string}>}
    const text = JSON.stringify({...index, manifests: index.manifests.filter((m) => !m.digest.startsWith('sha256:5980852f'))})
    const s = summarizeCache(cacheInput('cache-min', text, {bases: [busyboxBase]}))
    expect(s.layers.items.find((l) => l.digest.startsWith('sha256:5980852f'))?.present).toBe(false)
    expect(s.warnings.join(' ')).toContain('not listed in the manifest')
    // Then amd64 has keys but nothing it can load
    expect(s.platforms.serves).toEqual([])
    expect(s.platforms.coverage.find((p) => p.platform === 'linux/amd64')?.status).toBe('keys-only')
  })

  test('platform taint needs every input: a final COPY whose rootfs is amd64 is not an arm64 record', () => {
    const s = summarizeCache(cacheInput('cache-amd64-only', blob('cache-amd64-only', 'sha256:9905166e525acb111fd9ea66ae4eca46a5b6b7dec429af8d0bbcabc882a67774'), {bases: [busyboxBase]}))
    // record 8 links arm64-tainted records on its second input but its rootfs input is amd64 only
    expect(s.records.items[8]?.platforms).toEqual(['linux/amd64'])
    expect(s.platforms.serves).toEqual(['linux/amd64'])
  })

  test('--platform asks about a platform the cache lacks: listed as absent', () => {
    const s = summarizeCache(cacheInput('cache-min', blob('cache-min', MIN_TOP), {bases: [busyboxBase], platforms: ['linux/s390x']}))
    expect(s.platforms.coverage.find((p) => p.platform === 'linux/s390x')?.status).toBe('absent')
  })

  test('the summary survives a JSON round trip unchanged', () => {
    const s = summarizeCache(cacheInput('cache-multi-mode-max', blob('cache-multi-mode-max', MULTI_TOP), {bases: [busyboxBase]}))
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
  })
})
