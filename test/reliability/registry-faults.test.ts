/**
 * Registry faults not covered elsewhere: 403 (manifest and blob), 404 (manifest and blob) through
 * undici's MockAgent; real timeouts (headers never sent, body stalled) against a loopback server;
 * TLS verification on by default (an untrusted certificate fails without --ca-file / --insecure,
 * through the real CLI).
 *
 * Already covered, not repeated: test/registry/mock-faults.test.ts (429 + Retry-After, 5xx with
 * backoff, connection reset, digest mismatch, oversized manifest/config, cross-origin redirect drops
 * Authorization, 401 without credentials, credential helpers), test/registry/auth.test.ts (wrong
 * credentials, unknown CA on a real registry, bearer flow), test/registry/cache-inspect.test.ts
 * (missing tag on a real registry).
 */
import {mkdtempSync} from 'node:fs'
import {networkInterfaces, tmpdir} from 'node:os'
import path from 'node:path'
import {MockAgent} from 'undici'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, test} from 'vitest'
import {createRegistryClient} from '../../src/adapters/registry/client.js'
import {RegistryError} from '../../src/adapters/registry/errors.js'
import {inspectCacheRefs} from '../../src/services/cache-inspect.js'
import {runCli} from '../helpers/cli.js'
import {imageRef, loadSnapshot} from '../helpers/oci-layout.js'
import {createTestPki, requireTools, skipNote, type TestPki} from '../helpers/registry.js'
import {startFakeRegistry, type FakeRegistry} from './fake-registry.js'

const ORIGIN = 'https://reg.test'
const REF = 'reg.test/app/buildcache:min'

const ref = imageRef

const noSleep = async () => {}

describe('HTTP status faults (MockAgent)', () => {
  let agent: MockAgent
  beforeEach(() => {
    agent = new MockAgent()
    agent.disableNetConnect()
  })
  afterEach(async () => {
    await agent.close()
  })

  test('403 on the manifest: "denied", naming the registry and what was asked, with a fix; not retried', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'}).reply(403, '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}')
    const client = await createRegistryClient({dispatcher: agent, sleep: noSleep})
    const error = (await client.getManifest(ref(REF)).catch((e: unknown) => e)) as RegistryError
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('denied')
    expect(error.status).toBe(403)
    expect(error.message).toMatch(/^reg\.test denied access to .* \(DENIED\)$/)
    expect(error.fix).toBe('check that your account may pull app/buildcache')
    agent.assertNoPendingInterceptors()
  })

  test('403 on the cache config blob (manifest readable): the inspect fails as denied, not as a crash', async () => {
    const snap = loadSnapshot('cache-min')
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/app/buildcache/manifests/min', method: 'GET'})
      .reply(200, snap.blob(snap.top.digest), {headers: {'content-type': snap.top.mediaType, 'docker-content-digest': snap.top.digest}})
    pool.intercept({path: /\/v2\/app\/buildcache\/blobs\/sha256:[0-9a-f]{64}/, method: 'GET'}).reply(403, '{"errors":[{"code":"DENIED"}]}').persist()
    const error = (await inspectCacheRefs({refs: [REF], dispatcher: agent, retry: {retries: 0}}).catch((e: unknown) => e)) as RegistryError
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('denied')
    expect(error.message).toMatch(/cache config sha256:[0-9a-f]{64}/)
  })

  test('404 on the manifest and on a blob: "not-found" with the reference named and a fix', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/app/buildcache/manifests/gone', method: 'GET'}).reply(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
    pool.intercept({path: `/v2/app/buildcache/blobs/sha256:${'0'.repeat(64)}`, method: 'GET'}).reply(404, '{"errors":[{"code":"BLOB_UNKNOWN"}]}')
    const client = await createRegistryClient({dispatcher: agent, sleep: noSleep})
    const m = (await client.getManifest(ref('reg.test/app/buildcache:gone')).catch((e: unknown) => e)) as RegistryError
    expect(m.code).toBe('not-found')
    expect(m.message).toMatch(/does not exist on reg\.test \(MANIFEST_UNKNOWN\)/)
    expect(m.fix).toMatch(/check the reference/)
    const b = (await client.getBlob(ref(REF), `sha256:${'0'.repeat(64)}`, {maxBytes: 1024, what: 'blob'}).catch((e: unknown) => e)) as RegistryError
    expect(b.code).toBe('not-found')
    expect(b.message).toContain('(BLOB_UNKNOWN)')
  })
})

describe('timeouts against a real loopback server', () => {
  let reg: FakeRegistry | undefined
  afterEach(async () => {
    await reg?.close()
    reg = undefined
  })

  test('headers never sent: a network error naming the registry after the retries, within the timeout', async () => {
    reg = await startFakeRegistry({stallHeaders: true})
    const sleeps: number[] = []
    const client = await createRegistryClient({insecureHosts: [reg.host], headersTimeoutMs: 300, retry: {retries: 1}, sleep: async (ms) => void sleeps.push(ms)})
    const started = Date.now()
    const error = (await client.getManifest(ref(reg.ref)).catch((e: unknown) => e)) as RegistryError
    await client.close?.()
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('network')
    expect(error.message).toContain(`cannot reach ${reg.host}`)
    expect(error.message).toMatch(/UND_ERR_HEADERS_TIMEOUT/)
    expect(reg.requests.filter((r) => r.path.includes('/manifests/'))).toHaveLength(2) // first try + 1 retry
    expect(sleeps).toHaveLength(1)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  test('a body that stalls half-way: a network error (body timeout), never a partial manifest', async () => {
    reg = await startFakeRegistry({stallBody: true})
    const client = await createRegistryClient({insecureHosts: [reg.host], bodyTimeoutMs: 300, retry: {retries: 0}, sleep: noSleep})
    const error = (await client.getManifest(ref(reg.ref)).catch((e: unknown) => e)) as RegistryError
    await client.close?.()
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('network')
    expect(error.message).toMatch(/UND_ERR_BODY_TIMEOUT/)
  })

  test('a body trickled one byte at a time (never idle long enough for the body timeout): the overall deadline ends it', async () => {
    reg = await startFakeRegistry({trickleBodyMs: 100})
    const client = await createRegistryClient({insecureHosts: [reg.host], bodyTimeoutMs: 30_000, requestDeadlineMs: 1000, retry: {retries: 0}, sleep: noSleep})
    const started = Date.now()
    const error = (await client.getManifest(ref(reg.ref)).catch((e: unknown) => e)) as RegistryError
    await client.close?.()
    expect(Date.now() - started).toBeLessThan(5000)
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('network')
    expect(error.message).toMatch(/did not finish the manifest of .* within 1 s \(the deadline of one registry request\)/)
    expect(error.fix).toMatch(/BAKEDOCTOR_REGISTRY_TIMEOUT/)
  })

  test('CLI: 1 byte every 2 s, BAKEDOCTOR_REGISTRY_TIMEOUT=3: exit 1 after the deadline with a fix, not a hang', async () => {
    reg = await startFakeRegistry({trickleBodyMs: 2000})
    const started = Date.now()
    const res = await runCli(['cache', 'inspect', reg.ref, '--insecure'], {timeoutMs: 60_000, env: {BAKEDOCTOR_REGISTRY_TIMEOUT: '3'}})
    expect(res.exitCode, res.stderr).toBe(1)
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(res.stderr).toMatch(/did not finish the manifest of .* within 3 s/)
    expect(res.stderr).toMatch(/Fix: retry later; for a slow registry raise the deadline with BAKEDOCTOR_REGISTRY_TIMEOUT/)
  }, 60_000)

  test('CLI: a registry that answers 500 for ever is exit 1 with a sentence, not a stack trace', async () => {
    reg = await startFakeRegistry({manifestStatus: {status: 500, code: 'UNKNOWN'}})
    const res = await runCli(['cache', 'inspect', reg.ref, '--insecure'], {timeoutMs: 60_000})
    expect(res.exitCode, res.stderr).toBe(1)
    expect(res.stderr).toMatch(new RegExp(`Error: ${reg.host.replace(/\./g, '\\.')} failed to serve .* \\(HTTP 500 \\(UNKNOWN\\)\\)`))
    expect(res.stderr).toMatch(/Fix: retry later/)
    expect(res.stderr).not.toMatch(/\n\s+at /)
  }, 60_000)
})

const tlsTools = requireTools(['openssl'])

describe.skipIf(!tlsTools)(`TLS verification is on unless --insecure (real HTTPS server, test CA)${skipNote(['openssl'])}`, () => {
  let pki: TestPki
  let reg: FakeRegistry
  beforeAll(async () => {
    pki = await createTestPki(mkdtempSync(path.join(tmpdir(), 'bd-tls-')))
    reg = await startFakeRegistry({tls: {certFile: pki.certFile, keyFile: pki.keyFile}})
  })
  afterAll(async () => {
    await reg?.close()
  })

  test('an untrusted certificate fails with a tls error naming --ca-file; the CA makes it work', async () => {
    const res = await runCli(['cache', 'inspect', reg.ref])
    expect(res.exitCode, res.stderr).toBe(1)
    expect(res.stderr).toMatch(/the TLS certificate of 127\.0\.0\.1:\d+ could not be verified \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/)
    expect(res.stderr).toMatch(/Fix: pass --ca-file/)
    // no manifest was read over the unverified connection
    expect(reg.requests.filter((r) => r.path.includes('/manifests/'))).toHaveLength(0)
    const ok = await runCli(['cache', 'inspect', reg.ref, '--ca-file', pki.caFile, '--json'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect((ok.json as {caches: Array<{mode: {value: string}}>}).caches[0]!.mode.value).toBe('min')
  })

  test('--insecure against a TLS registry on loopback (plain HTTP to an HTTPS server) says so, not "check your network"', async () => {
    const res = await runCli(['cache', 'inspect', reg.ref, '--insecure'], {timeoutMs: 60_000})
    expect(res.exitCode, res.stderr).toBe(1)
    expect(res.stderr).toMatch(/127\.0\.0\.1:\d+ speaks HTTPS, but --insecure made bakedoctor talk plain HTTP to it/)
    expect(res.stderr).toMatch(/Fix: drop --insecure/)
    expect(res.stderr).not.toMatch(/check the registry address and your network/)
  }, 60_000)

  const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address
  test.skipIf(!external)(`a non-loopback host with a bad certificate fails by default, and is read only with --insecure${external ? '' : ' [skipped: this machine has no non-loopback IPv4 address]'}`, async () => {
    // the certificate names 127.0.0.1 and is signed by an unknown CA: wrong on both counts for this address
    const host = `${external}:${reg.host.split(':')[1]}`
    const {createServer} = await import('node:net')
    // forward the external address to the loopback server (the fake listens on 127.0.0.1 only)
    const proxy = createServer((c) => {
      import('node:net').then(({connect}) => {
        const u = connect(Number(reg.host.split(':')[1]), '127.0.0.1')
        c.pipe(u).pipe(c)
        u.on('error', () => c.destroy())
        c.on('error', () => u.destroy())
      })
    })
    await new Promise<void>((r) => proxy.listen(0, external, () => r()))
    const proxied = `${external}:${(proxy.address() as {port: number}).port}`
    try {
      const refText = `${proxied}/app/buildcache:min`
      const denied = await runCli(['cache', 'inspect', refText], {timeoutMs: 30_000})
      expect(denied.exitCode, denied.stderr).toBe(1)
      expect(denied.stderr).toMatch(/could not be verified/)
      const insecure = await runCli(['cache', 'inspect', refText, '--insecure', '--json'], {timeoutMs: 30_000})
      expect(insecure.exitCode, insecure.stderr).toBe(0)
      expect((insecure.json as {caches: Array<{mode: {value: string}}>}).caches[0]!.mode.value).toBe('min')
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()))
    }
    void host
  }, 60_000)
})
