// Typed view of the snapshot part of test/helpers/registry-server.mjs (shared with the benchmark).
import {parseImageReference, type ImageReference} from '../../src/domain/oci/reference.js'
// @ts-expect-error plain ESM module shared with the benchmark
import * as snapshots from './registry-server.mjs'

/** fixtures/registry-snapshots/ (the project copy; tests never read /work/shared). */
export const SNAPSHOTS_DIR: string = snapshots.SNAPSHOTS_DIR

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

export const snapshotNames: () => string[] = snapshots.snapshotNames
export const loadSnapshot: (name: string) => LayoutSnapshot = snapshots.loadSnapshot
/** Pushes a snapshot's blobs and manifests, then its top manifest under every tag; returns `host/repo:tag` refs. */
export const pushSnapshotTags: (registryUrl: string, snap: LayoutSnapshot, tags: string[], repository?: string) => Promise<string[]> = snapshots.pushSnapshotTags

/** A parsed image reference for tests; throws on text the parser rejects. */
export function imageRef(text: string): ImageReference {
  const r = parseImageReference(text)
  if ('error' in r) throw new Error(r.error)
  return r
}
