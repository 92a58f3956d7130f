import type {Plan} from '../../domain/bake/plan.js'
import type {Redactor} from '../../domain/redact/policy.js'
import type {Run, Step} from '../../domain/model/run.js'
import type {RunSummary} from '../../domain/model/run-summary.js'
import {useIndexSalt} from '../../lib/redact.js'
import {saveCacheSnapshot} from './cache-snapshots.js'
import {IndexConnection} from './connection.js'
import * as history from './history-queries.js'
import {lastExecutedLookup} from './last-executed.js'
import {openDatabase, type Database} from './open.js'
import {getPlan, getRunPlan} from './plans.js'
import type {RecordedRunFacts} from './rows.js'
import * as refs from './run-refs.js'
import {RunReader, type LogTailsToRead} from './run-reader.js'
import type {RunWriter, SaveRunOptions} from './run-writer.js'
import * as stored from './stored-explanation.js'
import {TextTable} from './texts.js'

export type {RunSummary} from '../../domain/model/run-summary.js'
export type {LogTailsToRead} from './run-reader.js'
export {formatRunId, type RecordedRunFacts} from './rows.js'
export type {StoredExplanationKey} from './stored-explanation.js'

/**
 * The SQLite index (docs/architecture.md, "The index"): the one object services hold. It owns the
 * connection and hands each job to its module: writing runs (`run-writer.ts`), reading them
 * (`run-reader.ts`), resolving run references and baselines (`run-refs.ts`), team history
 * (`history-queries.ts`), plans, cache snapshots, and the one-time scrub of old secrets.
 * Safe to share between concurrent processes (WAL + busy timeout + IMMEDIATE write transactions).
 */
type WritePathModules = {writer: typeof import('./run-writer.js'); scrub: typeof import('./scrub-stored-secrets.js')}
type WritePath = {writer: RunWriter; scrub: () => boolean}

async function loadWritePath(): Promise<WritePathModules> {
  const [writer, scrub] = await Promise.all([import('./run-writer.js'), import('./scrub-stored-secrets.js')])
  return {writer, scrub}
}

export class IndexStore {
  private readonly conn: IndexConnection
  private readonly texts: TextTable
  private readonly reader: RunReader
  private readonly writing: WritePath | undefined

  private constructor(readonly db: Database, readonly file: string, writePath?: WritePathModules) {
    this.conn = new IndexConnection(db, file)
    this.texts = new TextTable(this.conn)
    this.reader = new RunReader(this.conn, this.texts)
    if (writePath) {
      this.writing = {
        writer: new writePath.writer.RunWriter(this.conn, this.texts, () => this.lastExecutedLookup(Number.MAX_SAFE_INTEGER)),
        scrub: () => writePath.scrub.scrubStoredSecrets(this.conn, this.texts, this.redactor()),
      }
    }
  }

  static async open(file: string, options: {create?: boolean; readonly?: boolean; salt?: string} = {}): Promise<IndexStore> {
    // a read-only open loads none of the write path (the writer, the scrub and what they import)
    const writePath = options.readonly ? undefined : await loadWritePath()
    const store = new IndexStore(await openDatabase(file, options), file, writePath)
    // presenters' markers then match the ones stored here
    useIndexSalt(store.secretSalt())
    if (!options.readonly) {
      try {
        store.scrubStoredSecrets()
      } catch (error) {
        store.close()
        throw error
      }
    }
    return store
  }

  close(): void {
    this.conn.close()
  }

  /** See `scrub-stored-secrets.ts`: run once on the first open for writing. */
  scrubStoredSecrets(): boolean {
    return this.writePath().scrub()
  }

  private writePath(): WritePath {
    if (!this.writing) throw new Error(`the index ${this.file} was opened read-only`)
    return this.writing
  }

  /** Salt for hashing secret-looking values; random per index, never leaves it. */
  secretSalt(): string {
    return this.conn.secretSalt()
  }

  /** The redaction policy with this index's salt (issue #13): what enters the index passes through it. */
  redactor(known: Iterable<string> = []): Redactor {
    return this.conn.redactor(known)
  }

  // ── write path (run-writer.ts) ──

  /** Stores a run (redacted) with its steps and plan in one transaction; returns its id. */
  saveRun(unredacted: Run, options: SaveRunOptions = {}): string {
    return this.writePath().writer.saveRun(unredacted, options)
  }

  /** `ingest` counts a capture once: saves the run unless a run from the same bytes is recorded. */
  saveRunOnce(run: Run, options: SaveRunOptions & {sourceSha256: string}): {id: string; alreadyRecorded: boolean} {
    return this.writePath().writer.saveRunOnce(run, options)
  }

  /** The first run ingested from exactly these bytes. */
  findRunBySource(sha256: string): string | undefined {
    return this.writePath().writer.findRunBySource(sha256)
  }

  /** Several writes as one: either every run is stored or none (history pull). */
  inTransaction<T>(work: () => T): T {
    try {
      return this.db.transaction(work).immediate()
    } catch (error) {
      this.writing?.writer.forgetIds()
      throw error
    }
  }

  saveCacheSnapshot(ref: string, body: unknown, runId?: number): void {
    saveCacheSnapshot(this.conn, ref, body, runId)
  }

  // ── read path (run-reader.ts, last-executed.ts, plans.ts) ──

  /** The full run with steps; log tails only of the steps `logs` names (default all). */
  getRun(id: number, options: {logs?: LogTailsToRead} = {}): Run {
    return this.reader.getRun(id, options)
  }

  getSummary(id: number): RunSummary {
    return this.reader.getSummary(id)
  }

  listRuns(options: {limit?: number; target?: string; branch?: string} = {}): RunSummary[] {
    return this.reader.listRuns(options)
  }

  /** For the time-weighted hit rate: what a step cost when it last executed before `beforeRunId`. */
  lastExecutedLookup(beforeRunId: number): (step: Step) => number | undefined {
    return lastExecutedLookup(this.conn, this.reader.definitionOf, beforeRunId)
  }

  /** The plan recorded with a run (`build` records it; `ingest` has none). Stored as canonical Plan JSON. */
  getRunPlan(run: Pick<Run, 'planHash'>): Plan | undefined {
    return getRunPlan(this.conn, run)
  }

  getPlan(hash: string): string | undefined {
    return getPlan(this.conn, hash)
  }

  // ── run references and baselines (run-refs.ts) ──

  /** `latest`, `latest~N`, `rN`, `N`, `branch:NAME` (its latest run), a global id → numeric id. */
  resolveRunRef(ref: string): number {
    return refs.resolveRunRef(this.conn, ref)
  }

  /** The run to compare against by default (see `run-refs.ts`). */
  findBaseline(id: number): number | undefined {
    return refs.findBaseline(this.conn, id)
  }

  /** Latest run of a branch (gate `--baseline branch:NAME`). */
  latestOnBranch(branch: string, beforeId?: number): number | undefined {
    return refs.latestOnBranch(this.conn, branch, beforeId)
  }

  runIdOfGlobalId(globalId: string): number | undefined {
    return refs.runIdOfGlobalId(this.conn, globalId)
  }

  runCount(): number {
    return refs.runCount(this.conn)
  }

  // ── the stored explanation (stored-explanation.ts) ──

  /** Counts every write to the tables an explanation reads; undefined for an unmigrated index opened read-only. */
  generation(): number | undefined {
    return stored.indexGeneration(this.conn)
  }

  /** A part of the stored explanation (JSON) when it is current for this run, baseline, index generation and build. */
  storedExplanation(key: stored.StoredExplanationKey, part?: stored.StoredPart): string | undefined {
    return stored.readStoredExplanation(this.conn, key, part)
  }

  /** Stores an explanation (and the gate's groups) computed at `generationRead`; false when the index changed since. */
  storeExplanation(key: stored.StoredExplanationKey, generationRead: number, what: stored.StoredExplanationParts): boolean {
    return stored.writeStoredExplanation(this.conn, key, generationRead, what)
  }

  // ── team history (history-queries.ts) ──

  /** Names this index's secret salt without revealing it. */
  saltId(): string {
    return history.saltId(this.conn)
  }

  /** A run's global id, and the baseline it was recorded with when it was pulled. */
  historyFacts(id: number): {globalId: string; baselineGlobalId?: string; saltId?: string} {
    return history.historyFacts(this.conn, id)
  }

  /** Every global id in the index (pull fetches only the others). */
  globalIds(): Set<string> {
    return history.globalIds(this.conn)
  }

  /** The runs in id order with what history push needs to pick them, oldest first. */
  runsForHistory(options: {branch?: string; since?: number} = {}): ReturnType<typeof history.runsForHistory> {
    return history.runsForHistory(this.conn, options)
  }

  /** The stored totals of a run (as computed when it was saved, or as recorded where it ran). */
  storedTotals(id: number): RecordedRunFacts['totals'] {
    return history.storedTotals(this.conn, id)
  }
}
