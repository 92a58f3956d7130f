import type {ManifestForm} from './artifact.js'

/** What `history push` and `history pull` did: the typed results their presenters render. */

export interface PushedRun {
  id: string
  globalId: string
  manifestDigest: string
  recordBytes: number
}

export interface PushResult {
  ref: string
  /** runs the filters selected */
  selected: number
  /** of those, already in the repository (by tag): not pushed again */
  alreadyThere: number
  pushed: PushedRun[]
  /** how manifests were written: OCI 1.1 `artifactType`, or the 1.0 form for older registries */
  manifestForm?: ManifestForm
}

export interface PullResult {
  ref: string
  db: string
  /** run tags in the repository */
  listed: number
  /** of those, already in the index */
  known: number
  /** manifests read (runs the tag list could not rule out) */
  manifestsFetched: number
  /** records fetched */
  fetched: number
  /** runs added to the index: local id ← global id */
  merged: Array<{id: string; globalId: string}>
  /** runs left out by --branch / --since / --limit */
  filteredOut: number
  /** what the user should know (secret markers that cannot be compared) */
  notes: string[]
}
