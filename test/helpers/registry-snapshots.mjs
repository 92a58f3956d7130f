// fixtures/registry-snapshots/ (OCI image layouts) read and pushed to a registry through the
// distribution API. Plain JS so that the benchmark (bench/lib/registry.mjs) and the tests
// (test/helpers/oci-layout.ts, registry.ts — typed wrappers) share one implementation.
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {request} from 'undici'

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
