// A real registry for tests and the benchmark: Debian's docker-registry on loopback, and
// fixtures/registry-snapshots/ (OCI image layouts) read and pushed to it through the distribution
// API. Plain JS so that the benchmark (bench/lib/registry.mjs) and the tests (typed wrappers in
// test/helpers/oci-layout.ts and registry.ts) share one implementation.
import {spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createServer as createNetServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Agent, request} from 'undici'

export const REGISTRY_BIN = process.env.BAKEDOCTOR_REGISTRY_BIN ?? '/usr/bin/docker-registry'

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createNetServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

/**
 * Starts Debian's `docker-registry serve config.yml` on a free loopback port (optionally TLS,
 * htpasswd or token auth); resolves `{host, url, storageDir, stop}` once `/v2/` answers.
 */
export async function startRegistry(options = {}) {
  const work = mkdtempSync(path.join(tmpdir(), 'bakedoctor-registry-'))
  const storageDir = options.storageDir ?? path.join(work, 'storage')
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const lines = [
    'version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  filesystem:', `    rootdirectory: ${storageDir}`, '  delete:', '    enabled: true',
    'http:', `  addr: ${host}`, `  secret: ${randomUUID()}`,
  ]
  if (options.tls) lines.push('  tls:', `    certificate: ${options.tls.certFile}`, `    key: ${options.tls.keyFile}`)
  if (options.htpasswdFile) lines.push('auth:', '  htpasswd:', '    realm: bakedoctor-test', `    path: ${options.htpasswdFile}`)
  if (options.token) {
    lines.push('auth:', '  token:', `    realm: ${options.token.realm}`, `    service: ${options.token.service}`, `    issuer: ${options.token.issuer}`, `    rootcertbundle: ${options.token.rootCertBundle}`)
  }
  const configFile = path.join(work, 'config.yml')
  writeFileSync(configFile, lines.join('\n') + '\n')
  const child = spawn(REGISTRY_BIN, ['serve', configFile], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr?.on('data', (b) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000)
  })
  const url = `${options.tls ? 'https' : 'http'}://${host}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(work, {recursive: true, force: true})
  }
  const deadline = Date.now() + 20_000
  const probe = new Agent({connect: {rejectUnauthorized: false}})
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`)
    try {
      // readiness only: any HTTP answer (200, or 401 with auth) means it listens
      const res = await request(`${url}/v2/`, {dispatcher: probe, headersTimeout: 2000})
      await res.body.dump()
      await probe.close()
      break
    } catch {
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`docker-registry did not start on ${host}: ${stderr}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {host, url, storageDir, stop}
}

/** the project copy; tests never read the shared folder */
export const SNAPSHOTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/registry-snapshots')

export function snapshotNames() {
  return readdirSync(SNAPSHOTS_DIR).filter((n) => existsSync(path.join(SNAPSHOTS_DIR, n, 'index.json'))).sort()
}

export function loadSnapshot(name) {
  const dir = path.join(SNAPSHOTS_DIR, name)
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'))
  const top = index.manifests[0]
  if (!top) throw new Error(`${name}: index.json lists no manifest`)
  const refName = top.annotations?.['org.opencontainers.image.ref.name'] ?? `${name}:latest`
  const colon = refName.lastIndexOf(':')
  const blobDir = path.join(dir, 'blobs/sha256')
  return {
    name,
    dir,
    refName,
    repository: refName.slice(0, colon),
    tag: refName.slice(colon + 1),
    top: {digest: top.digest, mediaType: top.mediaType, size: top.size},
    contentTypes: JSON.parse(readFileSync(path.join(dir, 'content-types.json'), 'utf8')),
    blob: (digest) => readFileSync(path.join(blobDir, digest.replace(/^sha256:/, ''))),
    blobDigests: () => readdirSync(blobDir).map((h) => `sha256:${h}`),
  }
}

/**
 * Pushes a snapshot to a plain-HTTP registry: blobs (POST/PUT uploads), child manifests by digest,
 * then the top manifest under every tag. Returns `host/repository:tag` per tag.
 */
export async function pushSnapshotTags(registryUrl, snap, tags, repository = snap.repository) {
  const manifests = new Set(Object.keys(snap.contentTypes))
  for (const digest of snap.blobDigests()) {
    if (manifests.has(digest)) continue
    const start = await request(`${registryUrl}/v2/${repository}/blobs/uploads/`, {method: 'POST'})
    await start.body.dump()
    if (start.statusCode !== 202) throw new Error(`upload start for ${digest}: HTTP ${start.statusCode}`)
    const location = new URL(String(start.headers.location), registryUrl)
    location.searchParams.set('digest', digest)
    const put = await request(location, {method: 'PUT', body: snap.blob(digest), headers: {'content-type': 'application/octet-stream'}})
    const text = await put.body.text()
    if (put.statusCode !== 201) throw new Error(`blob ${digest}: HTTP ${put.statusCode} ${text}`)
  }
  const putManifest = async (digest, reference) => {
    const res = await request(`${registryUrl}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      body: snap.blob(digest),
      headers: {'content-type': snap.contentTypes[digest]},
    })
    const text = await res.body.text()
    if (res.statusCode !== 201) throw new Error(`manifest ${digest} (${reference}): HTTP ${res.statusCode} ${text}`)
  }
  for (const digest of manifests) if (digest !== snap.top.digest) await putManifest(digest, digest)
  const host = new URL(registryUrl).host
  const refs = []
  for (const tag of tags) {
    await putManifest(snap.top.digest, tag)
    refs.push(`${host}/${repository}:${tag}`)
  }
  return refs
}
