// A loopback `docker-registry` loaded with a fixture snapshot under many tags, for the cache
// inspect figure. Port of the plain-HTTP part of test/helpers/registry.ts (which is TypeScript).
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {randomUUID} from 'node:crypto'
import {request} from 'undici'
import {ROOT} from './data.mjs'

export const REGISTRY_BIN = process.env.BAKEDOCTOR_REGISTRY_BIN ?? '/usr/bin/docker-registry'
const SNAPSHOTS = path.join(ROOT, 'fixtures/registry-snapshots')

export function which(bin) {
  if (bin.includes('/')) return existsSync(bin) ? bin : undefined
  for (const d of (process.env.PATH ?? '').split(':')) if (d && existsSync(path.join(d, bin))) return path.join(d, bin)
  return undefined
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

export async function startRegistry() {
  const work = mkdtempSync(path.join(tmpdir(), 'bakedoctor-bench-registry-'))
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const config = path.join(work, 'config.yml')
  writeFileSync(config, [
    'version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  filesystem:', `    rootdirectory: ${path.join(work, 'storage')}`,
    'http:', `  addr: ${host}`, `  secret: ${randomUUID()}`, '',
  ].join('\n'))
  const child = spawn(REGISTRY_BIN, ['serve', config], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (b) => (stderr = (stderr + b).slice(-4000)))
  const url = `http://${host}`
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
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`)
    try {
      const res = await request(`${url}/v2/`, {headersTimeout: 2000})
      await res.body.dump()
      break
    } catch {
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`docker-registry did not start on ${host}: ${stderr}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {host, url, stop}
}

export function loadSnapshot(name) {
  const dir = path.join(SNAPSHOTS, name)
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'))
  const top = index.manifests[0]
  const refName = top.annotations?.['org.opencontainers.image.ref.name'] ?? `${name}:latest`
  const colon = refName.lastIndexOf(':')
  const blobDir = path.join(dir, 'blobs/sha256')
  return {
    repository: refName.slice(0, colon),
    top,
    contentTypes: JSON.parse(readFileSync(path.join(dir, 'content-types.json'), 'utf8')),
    blob: (digest) => readFileSync(path.join(blobDir, digest.replace(/^sha256:/, ''))),
    blobDigests: () => readdirSync(blobDir).map((h) => `sha256:${h}`),
  }
}

/** Pushes a snapshot's blobs and manifests once, then its top manifest under every tag. */
export async function pushSnapshotTags(url, snap, tags) {
  const manifests = new Set(Object.keys(snap.contentTypes))
  const repo = snap.repository
  for (const digest of snap.blobDigests()) {
    if (manifests.has(digest)) continue
    const start = await request(`${url}/v2/${repo}/blobs/uploads/`, {method: 'POST'})
    await start.body.dump()
    if (start.statusCode !== 202) throw new Error(`upload start for ${digest}: HTTP ${start.statusCode}`)
    const location = new URL(String(start.headers.location), url)
    location.searchParams.set('digest', digest)
    const put = await request(location, {method: 'PUT', body: snap.blob(digest), headers: {'content-type': 'application/octet-stream'}})
    const text = await put.body.text()
    if (put.statusCode !== 201) throw new Error(`blob ${digest}: HTTP ${put.statusCode} ${text}`)
  }
  const putManifest = async (digest, reference) => {
    const res = await request(`${url}/v2/${repo}/manifests/${reference}`, {method: 'PUT', body: snap.blob(digest), headers: {'content-type': snap.contentTypes[digest]}})
    const text = await res.body.text()
    if (res.statusCode !== 201) throw new Error(`manifest ${digest} (${reference}): HTTP ${res.statusCode} ${text}`)
  }
  for (const digest of manifests) if (digest !== snap.top.digest) await putManifest(digest, digest)
  const host = new URL(url).host
  const refs = []
  for (const tag of tags) {
    await putManifest(snap.top.digest, tag)
    refs.push(`${host}/${repo}:${tag}`)
  }
  return refs
}
