/**
 * `cache inspect` against a real registry (Debian's docker-registry, distribution v2.8) loaded with
 * fixtures/registry-snapshots/ through the distribution API.
 */
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {createRegistryClient} from '../../src/adapters/registry/client.js'
import type {CacheSummary} from '../../src/domain/oci/cache-summary.js'
import {parseImageReference, type ImageReference} from '../../src/domain/oci/reference.js'
import {inspectCacheRefs} from '../../src/services/cache-inspect.js'
import {runCli} from '../helpers/cli.js'
import {Agent, type Dispatcher} from 'undici'
import {loadSnapshot} from '../helpers/oci-layout.js'
import {pushSnapshot, requireTools, skipNote, startFixtureRegistry, type FixtureRegistry} from '../helpers/registry.js'

const run = promisify(execFile)
const enabled = requireTools(['docker-registry'])
const withSkopeo = requireTools(['docker-registry', 'skopeo'])

describe.skipIf(!enabled)(`cache inspect against a real registry${skipNote(['docker-registry'])}`, () => {
  let reg: FixtureRegistry
  let byName: Record<string, CacheSummary>

  beforeAll(async () => {
    reg = await startFixtureRegistry()
    const names = ['cache-multi-mode-max', 'cache-amd64-only', 'cache-min', 'image-inline-cache']
    const result = await inspectCacheRefs({refs: names.map((n) => reg.refs[n] as string), insecure: true, bases: [reg.refs['base-busybox-index'] as string]})
    byName = Object.fromEntries(names.map((n, i) => [n, result.caches[i] as CacheSummary]))
  })

  afterAll(async () => {
    await reg?.stop()
  })

  test('cache-multi-mode-max serves linux/amd64 and linux/arm64 and looks like mode=max', () => {
    const c = byName['cache-multi-mode-max'] as CacheSummary
    expect(c.layout).toBe('oci-index')
    expect(c.platforms.status).toBe('known')
    expect(c.platforms.serves).toEqual(['linux/amd64', 'linux/arm64'])
    expect(c.mode.value).toBe('max')
    expect(c.layers.count).toBe(12)
    expect(c.records.count).toBe(27)
    // both platforms' roots were found as r0 (manifest key) and r1 (chainID of the base layers)
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      expect(c.imageRoots.filter((r) => r.platform === platform).map((r) => r.kind).sort()).toEqual(['chainid', 'manifest'])
    }
  })

  test('cache-amd64-only serves linux/amd64 only: the arm64 roots are there but nothing on them has a result', () => {
    const c = byName['cache-amd64-only'] as CacheSummary
    expect(c.platforms.serves).toEqual(['linux/amd64'])
    const arm = c.platforms.coverage.find((p) => p.platform === 'linux/arm64')
    expect(arm?.status).toBe('keys-only')
    expect(arm?.recordsUsable).toBe(0)
    expect(arm?.recordsReachable).toBeGreaterThan(0)
  })

  test('cache-min is recognised as mode=min', () => {
    const c = byName['cache-min'] as CacheSummary
    expect(c.mode.value).toBe('min')
    expect(c.mode.reason).toContain('mode=min gap')
    expect(c.platforms.serves).toEqual(['linux/amd64'])
    expect(c.platforms.coverage.find((p) => p.platform === 'linux/arm64')?.status).toBe('absent')
  })

  test('image-inline-cache is read as inline cache from the image config, for its image platform', async () => {
    const c = byName['image-inline-cache'] as CacheSummary
    expect(c.layout).toBe('inline')
    expect(c.mode.value).toBe('min')
    expect(c.inlinePlatforms).toEqual(['linux/amd64'])
    expect(c.platforms.serves).toEqual(['linux/amd64'])
    expect(c.records.count).toBe(21)
    // without --base, the base pinned in the image's build info gives the platform roots (r0 needs only digest + platform)
    const {caches} = await inspectCacheRefs({refs: [reg.refs['image-inline-cache'] as string], insecure: true})
    const alone = caches[0] as CacheSummary
    expect(alone.bases).toEqual([expect.objectContaining({source: 'inline-buildinfo', digest: 'sha256:c9ef8b5a60b2849118b2b048c83303f3608a8efef3be96789805e08e892de30e'})])
    expect(alone.platforms.serves).toEqual(['linux/amd64'])
    expect(alone.imageRoots.find((r) => r.kind === 'manifest' && r.platform === 'linux/amd64')).toBeDefined()
  })

  test('the per-platform chain lets a caller ask whether a record could serve a platform', () => {
    const c = byName['cache-multi-mode-max'] as CacheSummary
    const amd = c.platforms.coverage.find((p) => p.platform === 'linux/amd64')
    expect(amd?.chain[0]?.depth).toBe(0)
    const usable = amd?.chain.filter((e) => e.usable) ?? []
    expect(usable.length).toBe(amd?.recordsUsable)
    for (const e of usable) {
      const rec = c.records.items[e.record]
      expect(rec?.platforms).toContain('linux/amd64')
      const result = rec?.results.find((r) => r.complete)
      // a complete result lists its layer blobs bottom → top, all listed in the manifest
      expect(result?.blobs.length).toBeGreaterThan(0)
      for (const blob of result?.blobs ?? []) expect(c.layers.items.some((l) => l.digest === blob && l.present)).toBe(true)
    }
  })

  test('without a base image the platforms are "unknown", not guessed', async () => {
    const {caches} = await inspectCacheRefs({refs: [reg.refs['cache-multi-mode-max'] as string], insecure: true})
    const c = caches[0] as CacheSummary
    expect(c.platforms.status).toBe('unknown')
    expect(c.platforms.serves).toEqual([])
    expect(c.platforms.note).toContain('--base')
    // the base layer chains are still recognised as image roots, of unknown platform
    expect(c.imageRoots.length).toBe(2)
    expect(c.imageRoots.every((r) => r.kind === 'chainid' && r.platform === undefined)).toBe(true)
  })

  test('an image without inline cache is reported as such', async () => {
    const {caches} = await inspectCacheRefs({refs: [reg.refs['base-busybox-index'] as string], insecure: true})
    expect(caches[0]?.layout).toBe('image-without-cache')
    expect(caches[0]?.warnings.join(' ')).toContain('imports nothing')
  })

  test('a missing tag is a not-found error naming the ref', async () => {
    const error = await inspectCacheRefs({refs: [`${reg.host}/app/buildcache:nope`], insecure: true}).catch((e: unknown) => e as Error & {code?: string})
    expect(error).toMatchObject({code: 'not-found'})
    expect((error as Error).message).toContain(`${reg.host}/app/buildcache:nope`)
    expect((error as Error).message).toContain('MANIFEST_UNKNOWN')
  })

  test.skipIf(!withSkopeo)(`the manifests bakedoctor reads equal skopeo inspect --raw${skipNote(['skopeo'])}`, async () => {
    const client = await createRegistryClient({insecureHosts: [reg.host]})
    try {
      for (const name of ['cache-multi-mode-max', 'cache-amd64-only', 'cache-min', 'image-inline-cache', 'base-busybox-index']) {
        const text = reg.refs[name] as string
        const {stdout} = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${text}`], {encoding: 'buffer', maxBuffer: 16 * 1024 * 1024})
        const parsed = parseImageReference(text) as ImageReference
        const ours = await client.getManifest(parsed)
        expect(ours.bytes.equals(stdout as unknown as Buffer), name).toBe(true)
      }
    } finally {
      await client.close()
    }
  })

  test('CLI: cache inspect <ref> --insecure --json prints the summary', async () => {
    const ref = reg.refs['cache-min'] as string
    const res = await runCli(['cache', 'inspect', ref, '--insecure', '--json', '--base', reg.refs['base-busybox-index'] as string])
    expect(res.exitCode, res.stderr).toBe(0)
    const json = res.json as {caches: CacheSummary[]}
    expect(json.caches).toHaveLength(1)
    expect(json.caches[0]?.ref).toBe(ref)
    expect(json.caches[0]?.mode.value).toBe('min')
    expect(json.caches[0]?.platforms.serves).toEqual(['linux/amd64'])
  })

  test('CLI: text output; a plain-HTTP registry on loopback needs no --insecure (HTTPS first, then plain HTTP, as Docker does)', async () => {
    const ref = reg.refs['cache-multi-mode-max'] as string
    for (const insecure of [['--insecure'], []]) {
      const ok = await runCli(['cache', 'inspect', ref, ...insecure, '--base', reg.refs['base-busybox-index'] as string])
      expect(ok.exitCode, ok.stderr).toBe(0)
      expect(ok.stdout).toContain('mode       max')
      expect(ok.stdout).toMatch(/platforms\s+linux\/amd64, linux\/arm64/)
    }
  })
})

/** An Agent that counts the requests in flight (dispatched, not yet completed or failed) and their paths. */
function countingAgent(): {dispatcher: Dispatcher; paths: string[]; maxInFlight: () => number} {
  const paths: string[] = []
  let inFlight = 0
  let max = 0
  const dispatcher = new Agent().compose((dispatch) => (opts, handler) => {
    paths.push(String(opts.path))
    max = Math.max(max, ++inFlight)
    let done = false
    const ends = new Set(['onComplete', 'onError', 'onResponseEnd', 'onResponseError'])
    const counted = new Proxy(handler, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (ends.has(String(prop)) && !done) {
            done = true
            inFlight--
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    return dispatch(opts, counted)
  })
  return {dispatcher, paths, maxInFlight: () => max}
}

describe.skipIf(!enabled)(`cache inspect of many tags of one cache${skipNote(['docker-registry'])}`, () => {
  test('reads at most `concurrency` refs at once, and the results keep the order given', async () => {
    const reg = await startFixtureRegistry()
    try {
      // 12 refs of four different snapshots, interleaved, some tags repeated
      const names = ['cache-min', 'cache-multi-mode-max', 'image-inline-cache', 'cache-amd64-only']
      const order = [0, 1, 2, 3, 1, 0, 3, 2, 1, 1, 0, 2].map((i) => names[i] as string)
      const copies = new Map<string, string[]>()
      for (const name of names) {
        const snap = loadSnapshot(name)
        copies.set(name, [reg.refs[name] as string, await pushSnapshot(reg.url, snap, snap.repository, `${snap.tag}-copy`)])
      }
      const refs = order.map((name, i) => (copies.get(name) as string[])[i % 2] as string)
      const counted = countingAgent()
      const result = await inspectCacheRefs({refs, insecure: true, dispatcher: counted.dispatcher, concurrency: 3})
      // every result is the snapshot pushed under its ref (manifest digest from the fixture), in input order
      expect(result.caches.map((c) => c.ref)).toEqual(refs)
      expect(result.caches.map((c) => c.manifestDigest)).toEqual(order.map((name) => loadSnapshot(name).top.digest))
      expect(result.caches.map((c) => c.canonicalRef)).toEqual(refs)
      // three refs started at once (each has one request in flight at a time), never more
      expect(counted.maxInFlight()).toBe(3)
      // each ref fetched its own manifest by tag (a tag can move); what the manifest names is fetched once per digest
      const byTag = counted.paths.filter((p) => /\/manifests\/(?!sha256:)/.test(p))
      expect(byTag).toHaveLength(refs.length)
      const byDigest = counted.paths.filter((p) => /\/(manifests|blobs)\/sha256:/.test(p))
      expect(new Set(byDigest).size).toBe(byDigest.length)
    } finally {
      await reg.stop()
    }
  })

  test('a failing ref is reported by the first failing ref in input order, whatever finishes first', async () => {
    const reg = await startFixtureRegistry()
    try {
      const ok = reg.refs['cache-multi-mode-max'] as string
      const refs = [ok, ok, `${reg.host}/app/buildcache:missing-first`, ok, `${reg.host}/app/buildcache:missing-second`, ok]
      for (const concurrency of [1, 6]) {
        const error = await inspectCacheRefs({refs, insecure: true, concurrency}).catch((e: unknown) => e as Error & {code?: string})
        expect(error).toMatchObject({code: 'not-found'})
        expect((error as Error).message).toContain('missing-first')
      }
      const cli = await runCli(['cache', 'inspect', ...refs, '--insecure'])
      expect(cli.exitCode).toBe(1)
      expect(cli.stderr).toContain('missing-first')
    } finally {
      await reg.stop()
    }
  })

  test('fetches their shared config blob once', async () => {
    const reg = await startFixtureRegistry()
    try {
      const snap = loadSnapshot('cache-multi-mode-max')
      const refs = [await pushSnapshot(reg.url, snap, snap.repository, 'copy-1'), await pushSnapshot(reg.url, snap, snap.repository, 'copy-2'), reg.refs['cache-multi-mode-max'] as string]
      const paths: string[] = []
      const dispatcher = new Agent().compose((dispatch) => (opts, handler) => {
        paths.push(String(opts.path))
        return dispatch(opts, handler)
      })
      const result = await inspectCacheRefs({refs, insecure: true, dispatcher})
      expect(result.caches.map((c) => c.records.count)).toEqual([27, 27, 27])
      const blobs = paths.filter((p) => p.includes('/blobs/'))
      expect(blobs).toHaveLength(1)
      expect(paths.filter((p) => p.includes('/manifests/'))).toHaveLength(3)
    } finally {
      await reg.stop()
    }
  })
})
