import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {gzipSync} from 'node:zlib'
import tar from 'tar-stream'

/**
 * Packs a real capture (its rawjson events and its provenance predicates) the way
 * `docker buildx history export` lays out one build record: an OCI layout whose manifest has the
 * record as config, the build's SolveStatus as a `solvestatus.v0` layer (the older export-build
 * form, one JSON SolveStatus) and one in-toto layer per platform holding the bare predicate.
 * Nothing is invented: every event and every predicate byte comes from the capture.
 */
export async function dockerbuildFromCapture(rawjsonFile: string, predicates: unknown[], record: {ref: string; platforms: string[]; createdAt: string; completedAt: string}): Promise<Buffer> {
  const status = {vertexes: [] as unknown[], statuses: [] as unknown[], logs: [] as unknown[], warnings: [] as unknown[]}
  for (const line of readFileSync(rawjsonFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue
    const e = JSON.parse(line) as Record<string, unknown[] | undefined>
    for (const k of ['vertexes', 'statuses', 'logs', 'warnings'] as const) status[k].push(...(e[k] ?? []))
  }
  const blobs = new Map<string, Buffer>()
  const put = (value: unknown) => {
    const bytes = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value, null, 2))
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    blobs.set(digest, bytes)
    return {digest, size: bytes.length}
  }
  const config = put({Ref: record.ref, FrontendAttrs: {platform: record.platforms.join(',')}, CreatedAt: record.createdAt, CompletedAt: record.completedAt})
  const layers = [
    {mediaType: 'application/vnd.buildkit.solvestatus.v0', ...put(status)},
    ...predicates.map((p) => ({mediaType: 'application/vnd.in-toto+json', ...put(p), annotations: {'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2'}})),
  ]
  const manifest = put({schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {mediaType: 'application/vnd.buildkit.historyrecord.v0', ...config}, layers})
  const index = {schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest}]}
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer)
  })
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()))
  pack.entry({name: 'oci-layout'}, JSON.stringify({imageLayoutVersion: '1.0.0'}))
  pack.entry({name: 'index.json'}, JSON.stringify(index))
  for (const [digest, bytes] of blobs) pack.entry({name: `blobs/sha256/${digest.slice(7)}`}, bytes)
  pack.finalize()
  await done
  return gzipSync(Buffer.concat(chunks))
}
