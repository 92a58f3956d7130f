// A loopback `docker-registry` loaded with a fixture snapshot under many tags, for the cache
// inspect figure: started, read and pushed by the code the tests use (test/helpers/registry-server.mjs).
import {existsSync} from 'node:fs'
import path from 'node:path'

export {REGISTRY_BIN, startRegistry, loadSnapshot, pushSnapshotTags} from '../../test/helpers/registry-server.mjs'

export function which(bin) {
  if (bin.includes('/')) return existsSync(bin) ? bin : undefined
  for (const d of (process.env.PATH ?? '').split(':')) if (d && existsSync(path.join(d, bin))) return path.join(d, bin)
  return undefined
}

/**
 * The snapshot under `tags`, each tag its own top manifest (the snapshot's index with a
 * `bench.variant` annotation added): as many distinct manifest digests as tags, so that nothing is
 * shared between refs but the blobs they name (the cache config among them).
 */
export async function pushDistinctTags(registryUrl, snap, tags) {
  const {pushSnapshotTags} = await import('../../test/helpers/registry-server.mjs')
  const {request} = await import('undici')
  await pushSnapshotTags(registryUrl, snap, [tags[0]])
  const top = JSON.parse(snap.blob(snap.top.digest).toString('utf8'))
  const host = new URL(registryUrl).host
  const refs = []
  for (const tag of tags) {
    const body = JSON.stringify({...top, annotations: {...top.annotations, 'bench.variant': tag}})
    const res = await request(`${registryUrl}/v2/${snap.repository}/manifests/${tag}`, {method: 'PUT', body, headers: {'content-type': snap.top.mediaType}})
    const text = await res.body.text()
    if (res.statusCode !== 201) throw new Error(`manifest ${tag}: HTTP ${res.statusCode} ${text}`)
    refs.push(`${host}/${snap.repository}:${tag}`)
  }
  return refs
}
