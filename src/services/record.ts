import type {IndexStore} from '../adapters/db/index-store.js'
import type {StreamEvent} from '../domain/events/stream-event.js'
import type {Run} from '../domain/model/run.js'
import {RunFolder, type FoldOptions} from '../domain/steps/fold-run.js'
import {registerSecret} from '../lib/redact.js'

/**
 * The one record pipeline (docs/architecture.md, "Data flow"): source → decode → fold → scrub →
 * record. A source's decoded events are folded here into a Run; `saveRun` / `recordRun` hand the
 * run to the index, which redacts secrets on the way in. `ingest` feeds it from a file, the build
 * drivers from the Docker Engine API or `docker buildx bake` while the build runs.
 */
export class RunRecording {
  private readonly folder: RunFolder
  /** decoded events, skipped (non-event) text not counted */
  events = 0

  constructor(fold: FoldOptions, private readonly onEvent?: (event: StreamEvent) => void) {
    this.folder = new RunFolder(fold)
  }

  push(event: StreamEvent): void {
    this.folder.push(event)
    if (event.type !== 'skipped') this.events++
    this.onEvent?.(event)
  }

  pushAll(events: readonly StreamEvent[]): void {
    for (let i = 0; i < events.length; i++) this.push(events[i]!)
  }

  /** the source reuses its read buffer next: nothing may keep pointing into it (see BufferReuse) */
  releaseInput(buffer: ArrayBufferLike): void {
    this.folder.releaseInput(buffer)
  }

  finish(): Run {
    return this.folder.finish()
  }
}

export interface RecordRequest {
  run: Run
  /** the resolved bake plan the run was built from */
  plan?: {hash: string; json: string}
  /** secret values known from outside the run (build args, a metadata file): redacted wherever they appear */
  secretValues?: readonly string[]
  /** sha256 of the ingested bytes, so the same capture is recognised when it comes again */
  sourceSha256?: string
}

/** Stores a folded run in an open index (which redacts it); returns the run's id. */
export function saveRun(store: IndexStore, request: RecordRequest): string {
  for (const v of request.secretValues ?? []) registerSecret(v)
  return store.saveRun(request.run, {plan: request.plan, secretValues: request.secretValues, sourceSha256: request.sourceSha256})
}

/** Like saveRun, unless a run from the same bytes is recorded already: then that run's id (in one write transaction). */
export function saveRunOnce(store: IndexStore, request: RecordRequest & {sourceSha256: string}): {id: string; alreadyRecorded: boolean} {
  for (const v of request.secretValues ?? []) registerSecret(v)
  return store.saveRunOnce(request.run, {plan: request.plan, secretValues: request.secretValues, sourceSha256: request.sourceSha256})
}

/** Opens the index at `db` (creating it), stores the run and its explanation, closes it. */
export async function recordRun(db: string, request: RecordRequest): Promise<{id: string}> {
  return withIndex(db, async (store) => {
    const id = saveRun(store, request)
    await storeExplanationOf(store, id)
    return {id}
  })
}

/**
 * After a run is recorded: its explanation against its baseline, computed now and stored, so that
 * the `explain` or `gate` that usually follows reads it back (services/explain.ts). Best effort: the
 * run is recorded whatever happens here, and an explanation that could not be stored is computed
 * when asked for (where any error it meets is reported).
 */
export async function storeExplanationOf(store: IndexStore, runId: string): Promise<void> {
  try {
    const {storeExplanation} = await import('./explain.js')
    await storeExplanation(store, runId)
  } catch {
    // not stored: explained on demand
  }
}

/**
 * The index's secret salt (secret-looking values are stored as salted hashes). When there is no
 * index yet, a new salt is drawn and the index is created with it only when a run is recorded: a
 * build that fails before that (bad bake file, no engine) leaves no `.bakedoctor/` behind.
 */
export async function readSecretSalt(db: string): Promise<string> {
  const {existsSync} = await import('node:fs')
  if (!existsSync(db)) {
    const {newSecretSalt} = await import('../adapters/db/open.js')
    const salt = pendingSalts.get(db) ?? newSecretSalt()
    pendingSalts.set(db, salt)
    return salt
  }
  return withIndex(db, (store) => store.secretSalt())
}

/** salts handed out for indexes not created yet (see readSecretSalt) */
const pendingSalts = new Map<string, string>()

async function withIndex<T>(db: string, use: (store: IndexStore) => T | Promise<T>): Promise<T> {
  const {IndexStore} = await import('../adapters/db/index-store.js')
  const store = await IndexStore.open(db, {create: true, salt: pendingSalts.get(db)})
  try {
    return await use(store)
  } finally {
    store.close()
  }
}
