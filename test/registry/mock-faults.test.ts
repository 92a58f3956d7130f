/**
 * Faults a real registry cannot show, through undici's MockAgent injected as the dispatcher:
 * 429 + Retry-After, 5xx, connection reset, digest mismatch, oversized manifest, redirects to
 * another origin (no Authorization), the bearer challenge flow, credentials from a DOCKER_CONFIG.
 */
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {MockAgent, type Interceptable} from 'undici'
import {createRegistryClient} from '../../src/adapters/registry/client.js'
import {DockerCredentialStore} from '../../src/adapters/registry/docker-config.js'
import {RegistryError} from '../../src/adapters/registry/errors.js'
import {redactOutput} from '../../src/lib/redact.js'
import {inspectCacheRefs} from '../../src/services/cache-inspect.js'
import {imageRef, loadSnapshot, type LayoutSnapshot} from '../helpers/oci-layout.js'

const ORIGIN = 'https://reg.test'
const REF = 'reg.test/app/buildcache:min'

const ref = imageRef

function headersOf(opts: {headers?: unknown}): Record<string, string> {
  const out: Record<string, string> = {}
  const h = opts.headers
  if (Array.isArray(h)) for (let i = 0; i + 1 < h.length; i += 2) out[String(h[i]).toLowerCase()] = String(h[i + 1])
  else if (h && typeof h === 'object') for (const [k, v] of Object.entries(h as Record<string, string>)) out[k.toLowerCase()] = String(v)
  return out
}

/** Serves a snapshot's top manifest under its tag and every blob, persistently. */
function serveSnapshot(pool: Interceptable, snap: LayoutSnapshot, repo = 'app/buildcache', tag = snap.tag): void {
  const top = snap.blob(snap.top.digest)
  pool.intercept({path: `/v2/${repo}/manifests/${tag}`, method: 'GET'})
    .reply(200, top, {headers: {'content-type': snap.top.mediaType, 'docker-content-digest': snap.top.digest}}).persist()
  for (const digest of snap.blobDigests()) {
    pool.intercept({path: `/v2/${repo}/blobs/${digest}`, method: 'GET'}).reply(200, snap.blob(digest)).persist()
  }
}

let agent: MockAgent
let sleeps: number[]
const sleep = async (ms: number) => {
  sleeps.push(ms)
}

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  sleeps = []
})

afterEach(async () => {
  await agent.close()
})

describe('retries', () => {
  test('429 with Retry-After is retried after the server-given delay, then succeeds', async () => {
    const snap = loadSnapshot('cache-min')
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'}).reply(429, 'slow down', {headers: {'retry-after': '2'}})
    serveSnapshot(pool, snap)
    const client = await createRegistryClient({dispatcher: agent, sleep})
    const m = await client.getManifest(ref(REF))
    expect(m.digest).toBe(snap.top.digest)
    expect(sleeps).toEqual([2000])
  })

  test('Retry-After is bounded by the policy maximum', async () => {
    const snap = loadSnapshot('cache-min')
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'}).reply(429, '', {headers: {'retry-after': '3600'}})
    serveSnapshot(pool, snap)
    const client = await createRegistryClient({dispatcher: agent, sleep, retry: {maxDelayMs: 5000}})
    await client.getManifest(ref(REF))
    expect(sleeps).toEqual([5000])
  })

  test('503 twice then 200 succeeds with backoff; persistent 500 fails naming the registry after the retries', async () => {
    const snap = loadSnapshot('cache-min')
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'}).reply(503, '').times(2)
    serveSnapshot(pool, snap)
    pool.intercept({path: '/v2/app/other/manifests/x', method: 'GET'}).reply(500, '{"errors":[{"code":"UNKNOWN"}]}').persist()
    const client = await createRegistryClient({dispatcher: agent, sleep, retry: {retries: 2, baseDelayMs: 100}})
    await expect(client.getManifest(ref(REF))).resolves.toMatchObject({digest: snap.top.digest})
    expect(sleeps).toHaveLength(2)
    expect(sleeps.every((ms) => ms > 0 && ms <= 400)).toBe(true)

    sleeps = []
    const error = await client.getManifest(ref('reg.test/app/other:x')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryError)
    expect((error as RegistryError).code).toBe('server')
    expect((error as RegistryError).message).toContain('reg.test failed to serve')
    expect((error as RegistryError).message).toContain('HTTP 500 (UNKNOWN)')
    expect(sleeps).toHaveLength(2)
  })

  test('a connection reset is retried; repeated resets end in a network error', async () => {
    const snap = loadSnapshot('cache-min')
    const pool = agent.get(ORIGIN)
    const reset = () => Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'}).replyWithError(reset())
    serveSnapshot(pool, snap)
    pool.intercept({path: '/v2/app/flaky/manifests/x', method: 'GET'}).replyWithError(reset()).times(4)
    const client = await createRegistryClient({dispatcher: agent, sleep, retry: {retries: 3}})
    await expect(client.getManifest(ref(REF))).resolves.toMatchObject({digest: snap.top.digest})
    expect(sleeps).toHaveLength(1)
    const error = (await client.getManifest(ref('reg.test/app/flaky:x')).catch((e: unknown) => e)) as RegistryError
    expect(error.code).toBe('network')
    expect(error.message).toContain('cannot reach reg.test')
    expect(error.message).toContain('ECONNRESET')
  })
})

describe('verification and limits', () => {
  test('a blob whose bytes do not match its digest is rejected', async () => {
    const snap = loadSnapshot('cache-min')
    const pool = agent.get(ORIGIN)
    const parsed = JSON.parse(snap.blob(snap.top.digest).toString('utf8')) as {manifests: Array<{digest: string; mediaType: string}>}
    const configDigest = parsed.manifests.find((m) => m.mediaType === 'application/vnd.buildkit.cacheconfig.v0')!.digest
    const tampered = Buffer.from(snap.blob(configDigest).toString('utf8').replace('"parent":-1', '"parent":0 '))
    pool.intercept({path: `/v2/app/buildcache/blobs/${configDigest}`, method: 'GET'}).reply(200, tampered)
    serveSnapshot(pool, snap)
    const error = (await inspectCacheRefs({refs: [REF], dispatcher: agent, retry: {retries: 0}}).catch((e: unknown) => e)) as RegistryError
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('digest-mismatch')
    expect(error.message).toContain(`expected ${configDigest}`)
  })

  test('a manifest that does not match Docker-Content-Digest (or the pinned digest) is rejected', async () => {
    const snap = loadSnapshot('cache-min')
    const pool = agent.get(ORIGIN)
    const body = Buffer.concat([snap.blob(snap.top.digest), Buffer.from(' ')])
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'})
      .reply(200, body, {headers: {'content-type': snap.top.mediaType, 'docker-content-digest': snap.top.digest}})
    pool.intercept({path: `/v2/app/buildcache/manifests/${snap.top.digest}`, method: 'GET'})
      .reply(200, body, {headers: {'content-type': snap.top.mediaType}})
    const client = await createRegistryClient({dispatcher: agent, sleep})
    await expect(client.getManifest(ref(REF))).rejects.toMatchObject({code: 'digest-mismatch'})
    await expect(client.getManifest(ref(`reg.test/app/buildcache@${snap.top.digest}`))).rejects.toMatchObject({code: 'digest-mismatch'})
  })

  test('an oversized manifest is refused, by Content-Length and while streaming', async () => {
    const pool = agent.get(ORIGIN)
    const big = Buffer.alloc(5 * 1024 * 1024, 0x20)
    pool.intercept({path: '/v2/app/big/manifests/declared', method: 'GET'}).reply(200, big, {headers: {'content-length': String(big.length)}})
    pool.intercept({path: '/v2/app/big/manifests/streamed', method: 'GET'}).reply(200, big)
    const client = await createRegistryClient({dispatcher: agent, sleep})
    const declared = (await client.getManifest(ref('reg.test/app/big:declared')).catch((e: unknown) => e)) as RegistryError
    expect(declared.code).toBe('too-large')
    expect(declared.message).toContain('> limit 4194304')
    const streamed = (await client.getManifest(ref('reg.test/app/big:streamed')).catch((e: unknown) => e)) as RegistryError
    expect(streamed.code).toBe('too-large')
    expect(streamed.message).toContain('more than 4194304 bytes')
  })

  test('a cache config larger than the config limit is refused before it is fetched', async () => {
    const snap = loadSnapshot('cache-min')
    serveSnapshot(agent.get(ORIGIN), snap)
    const error = (await inspectCacheRefs({refs: [REF], dispatcher: agent, limits: {configBytes: 1024}}).catch((e: unknown) => e)) as RegistryError
    expect(error.code).toBe('too-large')
    expect(error.message).toMatch(/cache config sha256:\w+ is too large \(2155 bytes > limit 1024\)/)
  })
})

describe('auth and redirects', () => {
  let configDir: string
  beforeEach(() => {
    configDir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-dockercfg-'))
  })
  afterEach(() => rmSync(configDir, {recursive: true, force: true}))

  test('bearer flow: challenge → token (Basic with docker config credentials, service and scope) → Bearer; blob redirect to another origin drops Authorization', async () => {
    const snap = loadSnapshot('cache-min')
    const password = 's3cret-pass-for-bearer'
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({auths: {'https://reg.test/v1/': {auth: Buffer.from(`ci-bot:${password}`).toString('base64')}}}))
    const pool = agent.get(ORIGIN)
    const auth = agent.get('https://auth.test')
    const storage = agent.get('https://storage.test')
    const tokenRequests: Array<{query: URLSearchParams; authorization?: string}> = []
    const registryAuth: Array<string | undefined> = []
    const storageAuth: Array<string | undefined> = []
    const challenge = 'Bearer realm="https://auth.test/token",service="reg.test",scope="repository:app/buildcache:pull"'
    auth.intercept({path: (p) => p.startsWith('/token?'), method: 'GET'}).reply((opts) => {
      tokenRequests.push({query: new URL(opts.path, 'https://auth.test').searchParams, authorization: headersOf(opts).authorization})
      return {statusCode: 200, data: JSON.stringify({token: 'tok-123456'})}
    }).persist()
    const gated = (serve: (h: Record<string, string>) => {statusCode: number; data: Buffer | string; responseOptions?: {headers: Record<string, string>}}) => (opts: {headers?: unknown}) => {
      const h = headersOf(opts)
      registryAuth.push(h.authorization)
      if (h.authorization !== 'Bearer tok-123456') return {statusCode: 401, data: '', responseOptions: {headers: {'www-authenticate': challenge}}}
      return serve(h)
    }
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'})
      .reply(gated(() => ({statusCode: 200, data: snap.blob(snap.top.digest), responseOptions: {headers: {'content-type': snap.top.mediaType}}}))).persist()
    for (const digest of snap.blobDigests()) {
      pool.intercept({path: `/v2/app/buildcache/blobs/${digest}`, method: 'GET'})
        .reply(gated(() => ({statusCode: 307, data: '', responseOptions: {headers: {location: `https://storage.test/blobs/${digest}?sig=abc`}}}))).persist()
      storage.intercept({path: `/blobs/${digest}?sig=abc`, method: 'GET'}).reply((opts) => {
        storageAuth.push(headersOf(opts).authorization)
        return {statusCode: 200, data: snap.blob(digest)}
      }).persist()
    }
    const result = await inspectCacheRefs({refs: [REF], dispatcher: agent, dockerConfigDir: configDir})
    expect(result.caches[0]?.mode.value).toBe('min')
    // one token round trip, with the challenge's service and scope, authenticated with the stored credentials
    expect(tokenRequests).toHaveLength(1)
    expect(tokenRequests[0]?.query.get('service')).toBe('reg.test')
    expect(tokenRequests[0]?.query.get('scope')).toBe('repository:app/buildcache:pull')
    expect(tokenRequests[0]?.authorization).toBe('Basic ' + Buffer.from(`ci-bot:${password}`).toString('base64'))
    // the first call was anonymous, later calls reuse the token without another 401
    expect(registryAuth[0]).toBeUndefined()
    expect(registryAuth.slice(1).every((a) => a === 'Bearer tok-123456')).toBe(true)
    // blob storage on another origin never sees the registry's Authorization
    expect(storageAuth.length).toBeGreaterThan(0)
    expect(storageAuth.every((a) => a === undefined)).toBe(true)
    // the loaded password is registered for redaction
    expect(redactOutput(`x ${password} y`)).toMatch(/^x secret:[0-9a-f]{16} y$/)
  })

  test('same-origin redirects keep Authorization', async () => {
    const pool = agent.get(ORIGIN)
    const seen: Array<string | undefined> = []
    const body = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}')
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({auths: {'reg.test': {username: 'u', password: 'same-origin-pass'}}}))
    pool.intercept({path: '/v2/app/x/manifests/a', method: 'GET'}).reply(401, '', {headers: {'www-authenticate': 'Basic realm="reg"'}})
    pool.intercept({path: '/v2/app/x/manifests/a', method: 'GET'}).reply(302, '', {headers: {location: '/v2/app/x/manifests/b'}})
    pool.intercept({path: '/v2/app/x/manifests/b', method: 'GET'}).reply((opts) => {
      seen.push(headersOf(opts).authorization)
      return {statusCode: 200, data: body}
    })
    const client = await createRegistryClient({dispatcher: agent, sleep, credentials: new DockerCredentialStore({configDir})})
    await client.getManifest(ref('reg.test/app/x:a'))
    expect(seen).toEqual(['Basic ' + Buffer.from('u:same-origin-pass').toString('base64')])
  })

  test('without credentials a 401 fails with a message that names the registry and says what to do', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'}).reply(401, '', {headers: {'www-authenticate': 'Basic realm="reg"'}}).persist()
    const error = (await inspectCacheRefs({refs: [REF], dispatcher: agent, dockerConfigDir: configDir}).catch((e: unknown) => e)) as RegistryError
    expect(error.code).toBe('unauthorized')
    expect(error.message).toContain('reg.test requires authentication')
    expect(error.fix).toContain('docker login reg.test')
  })

  test('credHelpers run docker-credential-<name> with the host on stdin', async () => {
    const bin = path.join(configDir, 'bin')
    const {mkdirSync} = await import('node:fs')
    mkdirSync(bin)
    const helper = path.join(bin, 'docker-credential-faketest')
    writeFileSync(helper, '#!/bin/sh\nread host\nif [ "$host" = "reg.test" ]; then echo \'{"ServerURL":"reg.test","Username":"helper-user","Secret":"helper-secret-value"}\'; else echo "credentials not found in native keychain"; exit 1; fi\n')
    chmodSync(helper, 0o755)
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({credHelpers: {'reg.test': 'faketest'}, credsStore: 'faketest'}))
    const store = new DockerCredentialStore({configDir, env: {PATH: `${bin}:${process.env.PATH ?? ''}`}})
    expect(await store.get('reg.test')).toEqual({username: 'helper-user', password: 'helper-secret-value'})
    // credsStore for another host: the helper says "not found" → anonymous
    expect(await store.get('other.test')).toBeUndefined()
    expect(redactOutput('helper-secret-value')).toMatch(/^secret:[0-9a-f]{16}$/)
  })

  test('a configured credential helper that is not installed is a named error', async () => {
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({credsStore: 'does-not-exist-xyz'}))
    const store = new DockerCredentialStore({configDir, env: {PATH: configDir}})
    await expect(store.get('reg.test')).rejects.toThrow(/docker-credential-does-not-exist-xyz could not be run/)
  })
})
