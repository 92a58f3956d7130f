/**
 * Fuzzing the registry-content parsers and the cache summary (src/domain/oci) on mutated copies of
 * the real snapshots in fixtures/registry-snapshots: the top manifest / index, the BuildKit cache
 * config (`application/vnd.buildkit.cacheconfig.v0`) and image configs with inline cache.
 *
 * The path is the one `cache inspect` takes after the bytes were fetched and verified
 * (parseManifest → classifyManifest → parseCacheConfig / parseImageConfig → summarizeCache),
 * without the network. Registry content is not the user's input: the only acceptable failure is
 * the domain's OciFormatError (the service turns it into a named ExternalError, exit 1; see
 * test/registry/mock-faults.test.ts for the HTTP-level faults). Never another exception or a hang.
 */
import fc from 'fast-check'
import {beforeAll, describe, expect, test} from 'vitest'
import {OciFormatError} from '../../src/domain/oci/errors.js'
import {parseCacheConfig, parseImageConfig, parseManifest, type Descriptor} from '../../src/domain/oci/parse.js'
import {formatPlatform} from '../../src/domain/oci/platform.js'
import {classifyManifest, summarizeCache, type BaseImageInput, type InlineCachePart} from '../../src/domain/oci/summarize.js'
import {loadSnapshot, type LayoutSnapshot} from '../helpers/oci-layout.js'
import {FUZZ_RUNS, PROPERTY_TIMEOUT_MS, type ByteMut, applyByteMutations, byteMutations, fcParams, withinBudget} from './mutate.js'
import {printFiguresAfterAll} from './figures.js'

printFiguresAfterAll('test/fuzz/oci.test.ts')

const CACHES = ['cache-multi-mode-max', 'cache-amd64-only', 'cache-min', 'image-inline-cache']

/** Where to mutate: the top manifest, the config it points to, a child manifest, or a JSON-aware edit. */
type Target = 'manifest' | 'config' | 'child'

type JsonEdit = {path: number; value: unknown}

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, '', 'sha256:', 'sha256:' + 'a'.repeat(64), [], {}, [[]], [{}], {link: -1}, {layer: 1e9}, 'A'.repeat(100_000)),
  fc.jsonValue({maxDepth: 3}),
)

function editJson(value: unknown, edit: JsonEdit): unknown {
  // walk to the n-th node (pre-order) and replace it
  let n = edit.path
  const visit = (v: unknown): unknown => {
    if (n-- === 0) return edit.value
    if (Array.isArray(v)) return v.map(visit)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]))
    return v
  }
  return visit(value)
}

interface Inspectable {
  snap: LayoutSnapshot
  text(digest: string): string
}

/** The domain half of `cache inspect`, over in-memory blobs (`override` replaces one blob's text). */
function inspect(s: Inspectable, bases: BaseImageInput[], override: Map<string, string>): unknown {
  const get = (d: string): string => override.get(d) ?? s.text(d)
  const parsed = parseManifest(get(s.snap.top.digest), s.snap.top.mediaType)
  const top = {digest: s.snap.top.digest, mediaType: parsed.mediaType, size: s.snap.top.size}
  const c = classifyManifest(parsed)
  if (c.layout === 'image-manifest' || c.layout === 'oci-index' || c.layout === 'docker-manifest-list') {
    const config = parseCacheConfig(get(c.config.digest))
    return summarizeCache({ref: 'fuzz', canonicalRef: 'fuzz', manifest: top, layout: c.layout, cacheConfig: {descriptor: c.config, config, layers: c.layers}, bases, platforms: ['linux/amd64', 'linux/arm64']})
  }
  const images: Array<{layers: Descriptor[]; config: Descriptor}> = []
  if (c.layout === 'image') images.push({layers: c.layers, config: c.config})
  else if (c.layout === 'image-index') {
    for (const m of c.manifests.slice(0, 8)) {
      let text: string
      try {
        text = get(m.digest)
      } catch {
        continue // not in the snapshot: the registry would 404, not our concern here
      }
      const child = parseManifest(text, m.mediaType)
      if (child.kind === 'image') images.push({layers: child.layers, config: child.config})
    }
  }
  const parts: InlineCachePart[] = []
  const inlinePlatforms: string[] = []
  for (const image of images) {
    let text: string
    try {
      text = get(image.config.digest)
    } catch {
      continue
    }
    const config = parseImageConfig(text)
    if (!config.inlineCache) continue
    const platform = config.platform ? formatPlatform(config.platform) : undefined
    if (platform) inlinePlatforms.push(platform)
    parts.push({platform, layers: image.layers, diffIds: config.diffIds.length === image.layers.length ? config.diffIds : undefined, records: config.inlineCache})
  }
  return summarizeCache({ref: 'fuzz', canonicalRef: 'fuzz', manifest: top, layout: parts.length ? 'inline' : 'image-without-cache', inline: parts, inlinePlatforms, bases, platforms: ['linux/amd64']})
}

describe(`cache manifests and configs, mutated (${FUZZ_RUNS} runs each)`, () => {
  const subjects: Array<Inspectable & {configDigest?: string; childDigests: string[]}> = []
  let bases: BaseImageInput[] = []

  beforeAll(() => {
    for (const name of CACHES) {
      const snap = loadSnapshot(name)
      const cache = new Map<string, string>()
      const text = (d: string): string => {
        let t = cache.get(d)
        if (t === undefined) cache.set(d, (t = snap.blob(d).toString('utf8')))
        return t
      }
      const parsed = parseManifest(text(snap.top.digest), snap.top.mediaType)
      const c = classifyManifest(parsed)
      const configDigest = 'config' in c ? c.config.digest : undefined
      const childDigests = parsed.kind === 'index' ? parsed.manifests.map((m) => m.digest).filter((d) => d in snap.contentTypes && d !== snap.top.digest) : []
      subjects.push({snap, text, configDigest, childDigests})
    }
    // the base image, read the way readBase does
    const base = loadSnapshot('base-busybox-index')
    const idx = parseManifest(base.blob(base.top.digest).toString('utf8'), base.top.mediaType)
    const platforms: Array<{platform: string; diffIds?: string[]}> = []
    if (idx.kind === 'index') {
      for (const m of idx.manifests) {
        if (!m.platform || !base.blobDigests().includes(m.digest)) continue
        const child = parseManifest(base.blob(m.digest).toString('utf8'), m.mediaType)
        if (child.kind !== 'image') continue
        const cfg = parseImageConfig(base.blob(child.config.digest).toString('utf8'))
        platforms.push({platform: formatPlatform(m.platform), diffIds: cfg.diffIds})
      }
    }
    bases = [{ref: 'busybox', digest: base.top.digest, source: 'flag', platforms}]
  })

  test('the unmutated snapshots summarize, with known platforms', () => {
    for (const s of subjects) {
      const summary = inspect(s, bases, new Map()) as {platforms: {status: string}; records: {count: number}}
      expect(summary.records.count, s.snap.name).toBeGreaterThan(0)
    }
    expect(subjects.filter((s) => s.configDigest).length).toBeGreaterThanOrEqual(3)
  })

  const run = (which: number, target: Target, pick: number, mutate: (text: string) => string): void => {
    const s = subjects[which % subjects.length]!
    const digest = target === 'manifest' ? s.snap.top.digest : target === 'config' ? s.configDigest : s.childDigests[pick % Math.max(1, s.childDigests.length)]
    if (!digest) return
    if (target === 'child' && !s.childDigests.length) return
    const override = new Map([[digest, mutate(s.text(digest))]])
    try {
      const summary = inspect(s, bases, override) as {records: {count: number}; layers: {count: number}; platforms: {coverage: unknown[]}}
      expect(summary.records.count).toBeGreaterThanOrEqual(0)
      expect(Array.isArray(summary.platforms.coverage)).toBe(true)
      JSON.stringify(summary) // the result must be serializable (--json)
    } catch (error) {
      if (!(error instanceof OciFormatError)) throw new Error(`expected a summary or an OciFormatError, got ${(error as Error)?.stack ?? String(error)}`, {cause: error})
      expect(error.message.length).toBeGreaterThan(0)
    }
  }

  test('byte mutations of manifests, cache configs and inline-cache image configs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom<Target>('manifest', 'config', 'config', 'child'), fc.nat(), byteMutations, async (which, target, pick, mutations: ByteMut[]) => {
        await withinBudget('oci/bytes', () => run(which, target, pick, (t) => applyByteMutations(Buffer.from(t), mutations).toString('utf8')))
      }),
      fcParams(),
    )
  }, PROPERTY_TIMEOUT_MS)

  test('structure-aware edits: any JSON node replaced by another value (wrong types, huge numbers, bad links, cycles)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(), fc.constantFrom<Target>('manifest', 'config', 'config', 'config', 'child'), fc.nat(),
        fc.array(fc.record({path: fc.nat({max: 4000}), value: jsonValue}), {minLength: 1, maxLength: 4}),
        async (which, target, pick, edits) => {
          await withinBudget('oci/json', () => run(which, target, pick, (t) => {
            let v: unknown = JSON.parse(t)
            for (const e of edits) v = editJson(v, e)
            return JSON.stringify(v)
          }))
        },
      ),
      fcParams(),
    )
  }, PROPERTY_TIMEOUT_MS)
})
