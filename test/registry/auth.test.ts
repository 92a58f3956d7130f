/**
 * The same registry behind TLS (test CA made with openssl) with htpasswd basic auth, and behind a
 * Docker token server (bearer flow). Credentials come from a temporary DOCKER_CONFIG; none may
 * appear in output or errors.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import type {RegistryError} from '../../src/adapters/registry/errors.js'
import type {CacheSummary} from '../../src/domain/oci/cache-summary.js'
import {inspectCacheRefs} from '../../src/services/cache-inspect.js'
import {runCli} from '../helpers/cli.js'
import {
  createTestPki,
  requireTools,
  skipNote,
  startFixtureRegistry,
  startRegistry,
  startTokenServer,
  writeDockerConfig,
  writeHtpasswd,
  type RunningRegistry,
  type TestPki,
  type TokenServer,
} from '../helpers/registry.js'

const enabled = requireTools(['docker-registry', 'openssl', 'htpasswd'])

const USER = 'ci-bot'
const PASSWORD = 'Pa55-word-that-must-not-leak'

describe.skipIf(!enabled)(`authenticated registries${skipNote(['docker-registry', 'openssl', 'htpasswd'])}`, () => {
  let work: string
  let pki: TestPki
  let basicReg: RunningRegistry
  let tokenReg: RunningRegistry
  let tokens: TokenServer
  let goodConfig: string
  let wrongConfig: string
  let emptyConfig: string

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'bakedoctor-auth-'))
    const storageDir = path.join(work, 'storage')
    // load the storage once through a plain registry, then serve it behind auth
    const loader = await startFixtureRegistry({storageDir})
    await loader.stop()
    const {mkdirSync, writeFileSync} = await import('node:fs')
    mkdirSync(path.join(work, 'pki'), {recursive: true})
    pki = await createTestPki(path.join(work, 'pki'))
    const htpasswd = path.join(work, 'htpasswd')
    await writeHtpasswd(htpasswd, USER, PASSWORD)
    basicReg = await startRegistry({storageDir, tls: {certFile: pki.certFile, keyFile: pki.keyFile}, htpasswdFile: htpasswd})
    tokens = await startTokenServer({pki, user: USER, password: PASSWORD})
    tokenReg = await startRegistry({
      storageDir,
      tls: {certFile: pki.certFile, keyFile: pki.keyFile},
      token: {realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: pki.signingCertFile},
    })
    const dir = (name: string) => {
      const d = path.join(work, name)
      mkdirSync(d)
      return d
    }
    goodConfig = dir('good')
    writeDockerConfig(goodConfig, basicReg.host, USER, PASSWORD)
    // the token registry is another host:port: add it to the same config
    writeFileSync(path.join(goodConfig, 'config.json'), JSON.stringify({auths: {
      [basicReg.host]: {auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64')},
      [`https://${tokenReg.host}`]: {username: USER, password: PASSWORD},
    }}))
    wrongConfig = dir('wrong')
    writeDockerConfig(wrongConfig, basicReg.host, USER, 'not-the-password')
    emptyConfig = dir('empty')
  })

  afterAll(async () => {
    await basicReg?.stop()
    await tokenReg?.stop()
    await tokens?.close()
    if (work) rmSync(work, {recursive: true, force: true})
  })

  const noLeak = (text: string) => {
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'))
  }

  test('basic auth over TLS with the test CA and DOCKER_CONFIG credentials', async () => {
    const {caches} = await inspectCacheRefs({refs: [`${basicReg.host}/app/buildcache:min`], caFile: pki.caFile, dockerConfigDir: goodConfig})
    const c = caches[0] as CacheSummary
    expect(c.mode.value).toBe('min')
    expect(c.records.count).toBe(16)
    noLeak(JSON.stringify(caches))
  })

  test('basic auth: no credentials, wrong credentials, unknown CA each fail with a named error', async () => {
    const ref = `${basicReg.host}/app/buildcache:min`
    const none = (await inspectCacheRefs({refs: [ref], caFile: pki.caFile, dockerConfigDir: emptyConfig}).catch((e: unknown) => e)) as RegistryError
    expect(none.code).toBe('unauthorized')
    expect(none.message).toContain('no credentials were found')
    const wrong = (await inspectCacheRefs({refs: [ref], caFile: pki.caFile, dockerConfigDir: wrongConfig}).catch((e: unknown) => e)) as RegistryError
    expect(wrong.code).toBe('unauthorized')
    expect(wrong.message).toContain('rejected the stored credentials')
    noLeak(`${wrong.message} ${wrong.fix ?? ''}`)
    const tls = (await inspectCacheRefs({refs: [ref], dockerConfigDir: goodConfig}).catch((e: unknown) => e)) as RegistryError
    expect(tls.code).toBe('tls')
    expect(tls.fix).toContain('--ca-file')
    noLeak(`${tls.message} ${tls.fix ?? ''}`)
  })

  test('bearer token flow through the token server', async () => {
    const before = tokens.requests.length
    const {caches} = await inspectCacheRefs({
      refs: [`${tokenReg.host}/app/buildcache:multi`],
      caFile: pki.caFile,
      dockerConfigDir: goodConfig,
      bases: [`${tokenReg.host}/base/busybox:1`],
    })
    expect(caches[0]?.platforms.serves).toEqual(['linux/amd64', 'linux/arm64'])
    const seen = tokens.requests.slice(before)
    expect(seen.length).toBeGreaterThanOrEqual(1)
    expect(seen.every((r) => r.authenticated)).toBe(true)
    expect(seen.map((r) => r.scope)).toContain('repository:app/buildcache:pull')
    noLeak(JSON.stringify(caches))
  })

  test('bearer without credentials fails clearly', async () => {
    const error = (await inspectCacheRefs({refs: [`${tokenReg.host}/app/buildcache:min`], caFile: pki.caFile, dockerConfigDir: emptyConfig}).catch((e: unknown) => e)) as RegistryError
    expect(error.code).toBe('unauthorized')
    expect(error.message).toContain(`${tokenReg.host} requires authentication`)
  })

  test('CLI: succeeds with DOCKER_CONFIG, fails with exit 1 and a named message without; no credential in any output', async () => {
    const ref = `${basicReg.host}/app/buildcache:min`
    const ok = await runCli(['cache', 'inspect', ref, '--ca-file', pki.caFile], {env: {DOCKER_CONFIG: goodConfig}})
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('mode       min')
    noLeak(ok.stdout + ok.stderr)

    const okToken = await runCli(['cache', 'inspect', `${tokenReg.host}/app/buildcache:min`, '--ca-file', pki.caFile, '--json'], {env: {DOCKER_CONFIG: goodConfig}})
    expect(okToken.exitCode, okToken.stderr).toBe(0)
    expect((okToken.json as {caches: CacheSummary[]}).caches[0]?.mode.value).toBe('min')
    noLeak(okToken.stdout + okToken.stderr)

    const denied = await runCli(['cache', 'inspect', ref, '--ca-file', pki.caFile], {env: {DOCKER_CONFIG: emptyConfig}})
    expect(denied.exitCode).toBe(1)
    expect(denied.stderr).toContain(`${basicReg.host} requires authentication`)
    expect(denied.stderr).toContain('docker login')

    const wrong = await runCli(['cache', 'inspect', ref, '--ca-file', pki.caFile, '--json'], {env: {DOCKER_CONFIG: wrongConfig}})
    expect(wrong.exitCode).toBe(1)
    expect((wrong.json as {error: {message: string}}).error.message).toContain('rejected the stored credentials')
    expect(wrong.stdout + wrong.stderr).not.toContain('not-the-password')
  })
})
