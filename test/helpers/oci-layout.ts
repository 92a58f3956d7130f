import {readFileSync, readdirSync, existsSync} from 'node:fs'
import path from 'node:path'
import {PROJECT_ROOT} from './cli.js'

/** fixtures/registry-snapshots/ (the project copy; tests never read /work/shared). */
export const SNAPSHOTS_DIR = path.join(PROJECT_ROOT, 'fixtures/registry-snapshots')

export interface LayoutSnapshot {
  name: string
  dir: string
  /** `org.opencontainers.image.ref.name` of the single index.json entry, e.g. `app/buildcache:multi` */
  refName: string
  /** repository and tag parts of refName */
  repository: string
  tag: string
  top: {digest: string; mediaType: string; size: number}
  /** digest → media type of every manifest in the snapshot (content-types.json) */
  contentTypes: Record<string, string>
  blob(digest: string): Buffer
  blobDigests(): string[]
}

export function snapshotNames(): string[] {
  return readdirSync(SNAPSHOTS_DIR).filter((n) => existsSync(path.join(SNAPSHOTS_DIR, n, 'index.json'))).sort()
}

export function loadSnapshot(name: string): LayoutSnapshot {
  const dir = path.join(SNAPSHOTS_DIR, name)
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as {
    manifests: Array<{digest: string; mediaType: string; size: number; annotations?: Record<string, string>}>
  }
  const top = index.manifests[0]
  if (!top) throw new Error(`${name}: index.json lists no manifest`)
  const refName = top.annotations?.['org.opencontainers.image.ref.name'] ?? `${name}:latest`
  const colon = refName.lastIndexOf(':')
  const contentTypes = JSON.parse(readFileSync(path.join(dir, 'content-types.json'), 'utf8')) as Record<string, string>
  const blobDir = path.join(dir, 'blobs/sha256')
  return {
    name,
    dir,
    refName,
    repository: refName.slice(0, colon),
    tag: refName.slice(colon + 1),
    top: {digest: top.digest, mediaType: top.mediaType, size: top.size},
    contentTypes,
    blob: (digest) => readFileSync(path.join(blobDir, digest.replace(/^sha256:/, ''))),
    blobDigests: () => readdirSync(blobDir).map((h) => `sha256:${h}`),
  }
}
