import {hash as oneShotHash, randomBytes} from 'node:crypto'
import {canonicalPlanJson, planHash as hashPlan, type Plan} from '../../domain/bake/plan.js'
import {Redactor} from '../../domain/redact/policy.js'
import {useIndexSalt} from '../../lib/redact.js'
import type {Run, RunStatus, Step, StepKind, InputComponent} from '../../domain/model/run.js'
import {computeTotals} from '../../domain/model/totals.js'
import type {RunSummary} from '../../domain/model/run-summary.js'
import {canonicalJson, sha256} from '../../domain/provenance/canonical.js'
import type {StepDefinition, StepLocation, StepProvenance} from '../../domain/provenance/types.js'
import {UsageError} from '../../errors.js'
import {isGlobalId, makeGlobalId} from '../../domain/history/global-id.js'
import type BetterSqlite3 from 'better-sqlite3'
import {openDatabase, type Database} from './open.js'

export type {RunSummary} from '../../domain/model/run-summary.js'

const FLAG_CACHED = 1
const FLAG_SERVED_IN_RUN = 2
const FLAG_COMPLETED = 4

/**
 * Log-tail text one run may store, failed steps' tails first: with `--keep-logs all` a big bake's
 * tails would otherwise add up to megabytes per run (output differs on every build, so the
 * content-addressed texts cannot share it).
 */
export const MAX_LOG_TAIL_BYTES_PER_RUN = 256 * 1024

/** Which steps' log tails `getRun` reads: those of failed (or unfinished) steps, all, none. */
export type LogTailsToRead = 'failed' | 'all' | 'none'

/** The redaction policy version an index's stored contents have been through (`scrubStoredSecrets`). */
const REDACTION_VERSION = '1'

/** `r12` — short, stable, never reused. */
export const formatRunId = (n: number | bigint) => `r${n}`

interface RunRow {
  id: number
  created_at: number
  started_at: number | null
  finished_at: number | null
  duration_ms: number
  status: RunStatus
  error: string | null
  source: string
  source_file: string | null
  targets: string
  platforms: string
  labels: string
  git_commit: string | null
  git_branch: string | null
  plan_hash: string | null
  metadata: string | null
  skipped_lines: number
  cut_by_limits: string | null
  cacheable: number
  hits: number
  served_in_run: number
  spent_ms: number
  saved_ms: number
  time_weighted: number | null
  step_count: number
  global_id: string | null
  origin: string | null
  baseline_global_id: string | null
  salt_id: string | null
}

/** How a run pulled from team history is stored: as recorded where it ran. */
export interface RecordedRunFacts {
  globalId: string
  /** the history ref it came from */
  origin: string
  /** the baseline it was explained against where it ran */
  baselineGlobalId?: string
  /** the salt id of the index it was recorded in (its secret markers were made with that salt) */
  saltId?: string
  /** its totals as computed where it ran (the time-weighted rate depends on that machine's history) */
  totals: {cacheable: number; hits: number; servedInRun: number; spentMs: number; savedMs: number; timeWeighted: number | null}
}

interface StepRow {
  ord: number
  flags: number
  duration_ms: number
  start_ms: number | null
  /** `sha256:<hex>` (stored as 32 bytes) or the stored text */
  digest: string
  inputs: string | null
  def_id: number
  error_id: number | null
  log_id: number | null
}

interface DefRow {
  id: number
  target: string
  platform: string | null
  stage: string | null
  idx: number | null
  total: number | null
  kind: StepKind
  internal: number
  cacheable: number
  name: string
  instruction: string
}

interface ProvenanceRow {
  ord: number
  step_id: string
  definition: string
  location: string | null
  lineage: Buffer
  reads_context: number
  parents: string | null
}

interface InputRow {
  ord: number
  fingerprint: string | null
  components: string | null
  dockerfile: string | null
  line: number | null
}

/**
 * The SQLite index (docs/architecture.md, "The index"). One transaction per saved run: a killed ingest leaves nothing.
 * Safe to share between concurrent processes (WAL + busy timeout + IMMEDIATE write transactions).
 */
export class IndexStore {
  private readonly runCache = new Map<number, Run>()
  private readonly textIds = new Map<string, number>()
  private readonly defIds = new Map<string, number>()
  /** step definitions and texts read so far (rows are never changed once written) */
  private readonly defRows = new Map<number, DefRow>()
  private readonly textBodies = new Map<number, string>()
  /** the log-tail text id of each step getRun returned whose tail is not read yet */
  private readonly logIds = new WeakMap<Step, number>()
  /** the definition of each step getRun returned (for lastExecutedLookup) */
  private readonly stepDefs = new WeakMap<Step, DefRow>()
  /** prepared statements by SQL text: preparing costs more than running a one-row insert */
  private readonly statements = new Map<string, BetterSqlite3.Statement>()

  private constructor(readonly db: Database, readonly file: string) {}

  static async open(file: string, options: {create?: boolean; readonly?: boolean; salt?: string} = {}): Promise<IndexStore> {
    const store = new IndexStore(await openDatabase(file, options), file)
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

  /**
   * An index written before the redaction policy may hold secrets in plain text (plans, labels,
   * metadata, step names, logs, errors). On the first open for writing, everything stored goes
   * through the policy once (settings `redaction`), with `secure_delete` on, then a VACUUM and a
   * truncating checkpoint so that the old bytes do not stay in free pages or the WAL.
   */
  scrubStoredSecrets(): boolean {
    const done = () => (this.sql('SELECT value FROM settings WHERE key = ?').get('redaction') as {value: string} | undefined)?.value === REDACTION_VERSION
    if (done()) return false
    const redactor = this.redactor()
    let changed = 0
    this.db.pragma('secure_delete = ON')
    const scrub = this.db.transaction(() => {
      if (done()) return
      const page = this.db.prepare('SELECT id, body FROM texts WHERE id > ? ORDER BY id LIMIT 1000')
      // the key is the hash of the body: re-keyed too, so it is no test of a guessed plaintext (a
      // body that exists already gets a random key; only a de-duplication is missed)
      const updateText = this.db.prepare('UPDATE texts SET body = ?, hash = ? WHERE id = ?')
      const hashTaken = this.db.prepare('SELECT 1 FROM texts WHERE hash = ?')
      for (let last = 0; ; ) {
        const rows = page.all(last) as {id: number; body: string}[]
        if (rows.length === 0) break
        for (const row of rows) {
          const body = redactor.text(row.body)
          if (body !== row.body) {
            const key = textHash(body)
            updateText.run(body, hashTaken.get(key) ? randomBytes(16) : key, row.id)
            changed++
          }
        }
        last = rows.at(-1)!.id
      }
      for (const row of this.db.prepare('SELECT hash, body FROM plans').all() as {hash: string; body: string}[]) {
        const body = canonicalPlanJson(redactor.plan(JSON.parse(row.body) as Plan))
        if (body !== row.body) {
          this.db.prepare('UPDATE plans SET body = ? WHERE hash = ?').run(body, row.hash)
          changed++
        }
      }
      const runs = this.db.prepare('SELECT id, labels, metadata, error, source_file FROM runs').all() as Pick<RunRow, 'id' | 'labels' | 'metadata' | 'error' | 'source_file'>[]
      for (const row of runs) {
        const shell: Run = {source: '', createdAt: 0, durationMs: 0, status: 'completed', targets: [], platforms: [], steps: [], skippedLines: 0,
          labels: JSON.parse(row.labels) as Record<string, string>, metadata: row.metadata ? JSON.parse(row.metadata) : undefined, error: row.error ?? undefined, sourceFile: row.source_file ?? undefined}
        const red = redactor.run(shell)
        const next = [JSON.stringify(red.labels), red.metadata ? JSON.stringify(red.metadata) : null, red.error ?? null, red.sourceFile ?? null]
        if (next[0] !== row.labels || next[1] !== row.metadata || next[2] !== row.error || next[3] !== row.source_file) {
          this.db.prepare('UPDATE runs SET labels = ?, metadata = ?, error = ?, source_file = ? WHERE id = ?').run(...next, row.id)
          changed++
        }
      }
      this.sql('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run('redaction', REDACTION_VERSION)
    })
    scrub.immediate()
    this.textIds.clear()
    if (changed > 0) {
      try {
        this.db.exec('VACUUM')
        this.db.pragma('wal_checkpoint(TRUNCATE)')
      } catch {
        // another process holds the index: the rows are redacted and the freed space was zeroed
        // (secure_delete); only the compaction is skipped
      }
    }
    this.db.pragma('secure_delete = OFF')
    return changed > 0
  }

  close(): void {
    this.statements.clear()
    this.db.close()
  }

  /** A prepared statement, prepared once per store. */
  private sql(text: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(text)
    if (!stmt) this.statements.set(text, (stmt = this.db.prepare(text)))
    return stmt
  }

  /** a text by id (undefined when missing, as a LEFT JOIN would give) */
  private textBody(id: number): string | undefined {
    let body = this.textBodies.get(id)
    if (body === undefined) {
      body = (this.sql('SELECT body FROM texts WHERE id = ?').get(id) as {body: string} | undefined)?.body
      if (body === undefined) return undefined
      if (this.textBodies.size > 50_000) this.textBodies.clear()
      this.textBodies.set(id, body)
    }
    return body
  }

  /** Salt for hashing secret-looking values; random per index, never leaves it. */
  secretSalt(): string {
    const row = this.sql('SELECT value FROM settings WHERE key = ?').get('secret_salt') as {value: string} | undefined
    return row?.value ?? ''
  }

  private textId(body: string): number {
    const cached = this.textIds.get(body)
    if (cached !== undefined) return cached
    const hash = textHash(body)
    const found = this.sql('SELECT id FROM texts WHERE hash = ?').get(hash) as {id: number} | undefined
    const id = found ? found.id : Number(this.sql('INSERT INTO texts (hash, body) VALUES (?, ?)').run(hash, body).lastInsertRowid)
    if (this.textIds.size > 50_000) this.textIds.clear()
    this.textIds.set(body, id)
    return id
  }

  private defId(step: Step): number {
    const key = `${step.target ?? ''}\u0000${step.name}`
    const cached = this.defIds.get(key)
    if (cached !== undefined) return cached
    const nameId = this.textId(step.name)
    const target = step.target ?? ''
    // a bake's steps are mostly known already: look first, insert only what is new
    const found = this.sql('SELECT id FROM step_defs WHERE name_id = ? AND target = ?').get(nameId, target) as {id: number} | undefined
    const id = found
      ? found.id
      : Number(
          this.sql(
            `INSERT INTO step_defs (target, name_id, platform, stage, idx, total, kind, instruction_id, internal, cacheable)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(target, nameId, step.platform ?? null, step.stage ?? null, step.index ?? null, step.total ?? null, step.kind, this.textId(step.instruction), step.internal ? 1 : 0, step.cacheable ? 1 : 0).lastInsertRowid,
        )
    this.defIds.set(key, id)
    return id
  }

  /** The redaction policy with this index's salt (issue #13): what enters the index passes through it. */
  redactor(known: Iterable<string> = []): Redactor {
    return new Redactor({salt: this.secretSalt(), known})
  }

  /**
   * Stores a run with its steps (and plan, when given) in one transaction; returns its id. Every
   * text, label, arg and the plan pass through the redaction policy first (`secretValues`: values
   * known to be secret, replaced wherever they appear); a plan with secrets is stored, and keyed, by
   * its redacted form. `recorded`: a run pulled from team history keeps its global id and totals.
   */
  saveRun(unredacted: Run, options: {plan?: {hash: string; json: string}; secretValues?: readonly string[]; recorded?: RecordedRunFacts; sourceSha256?: string} = {}): string {
    const redactor = this.redactor(options.secretValues)
    const run = redactor.run(unredacted)
    let plan = options.plan
    if (plan) {
      const redacted = redactor.plan(JSON.parse(plan.json) as Plan)
      const json = canonicalPlanJson(redacted)
      if (json !== plan.json) plan = {hash: hashPlan(redacted), json}
    }
    const save = this.db.transaction((): number => {
      if (plan) this.sql('INSERT OR IGNORE INTO plans (hash, body) VALUES (?, ?)').run(plan.hash, plan.json)
      const planHash = plan?.hash ?? run.planHash ?? null
      const recorded = options.recorded
      const totals = recorded
        ? {...recorded.totals, timeWeightedHitRate: recorded.totals.timeWeighted}
        : computeTotals(run.steps, this.lastExecutedLookup(Number.MAX_SAFE_INTEGER))
      const globalId = recorded?.globalId ?? makeGlobalId(run.createdAt, randomBytes(8).toString('hex'))
      const info = this.sql(
          `INSERT INTO runs (created_at, started_at, finished_at, duration_ms, status, error, source, source_file, targets, platforms, labels,
             git_commit, git_branch, plan_hash, metadata, skipped_lines, cacheable, hits, served_in_run, spent_ms, saved_ms, time_weighted, step_count,
             global_id, origin, baseline_global_id, salt_id, cut_by_limits, source_sha256)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          Math.round(run.createdAt), run.startedAt ?? null, run.finishedAt ?? null, run.durationMs, run.status, run.error ?? null,
          run.source, run.sourceFile ?? null, JSON.stringify(run.targets), JSON.stringify(run.platforms), JSON.stringify(run.labels),
          run.git?.commit ?? null, run.git?.branch ?? null, planHash, run.metadata ? JSON.stringify(run.metadata) : null, run.skippedLines,
          totals.cacheable, totals.hits, totals.servedInRun, totals.spentMs, totals.savedMs, totals.timeWeightedHitRate, run.steps.length,
          globalId, recorded?.origin ?? null, recorded?.baselineGlobalId ?? null, recorded?.saltId ?? null, run.cutByLimits?.length ? JSON.stringify(run.cutByLimits) : null, options.sourceSha256 ?? null,
        )
      const runId = Number(info.lastInsertRowid)
      const ordByDigest = new Map<string, number>()
      run.steps.forEach((s, i) => {
        if (!ordByDigest.has(s.digest)) ordByDigest.set(s.digest, i)
      })
      const insertStep = this.sql(
        'INSERT INTO run_steps (run_id, ord, def_id, flags, duration_ms, start_ms, digest, inputs, error_id, log_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      const insertInputs = this.sql('INSERT INTO step_inputs (run_id, ord, fingerprint, components_id, dockerfile, line) VALUES (?, ?, ?, ?, ?, ?)')
      const insertProvenance = this.sql(
        'INSERT INTO step_provenance (run_id, ord, step_id, definition_id, location_id, lineage, reads_context, parents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      const origin = run.startedAt ?? 0
      const keptTails = tailsWithinBudget(run.steps)
      run.steps.forEach((s, ord) => {
        const flags = (s.cached ? FLAG_CACHED : 0) | (s.servedInRun ? FLAG_SERVED_IN_RUN : 0) | (s.completed ? FLAG_COMPLETED : 0)
        const inputs = s.inputs.map((d) => ordByDigest.get(d)).filter((o): o is number => o !== undefined)
        insertStep.run(
          runId, ord, this.defId(s), flags, Math.round(s.durationMs),
          s.started !== undefined ? Math.round(s.started - origin) : null,
          encodeDigest(s.digest), inputs.length ? inputs.join(',') : null,
          s.error ? this.textId(s.error) : null, keptTails.has(s) ? this.textId(s.logTail.join('\n')) : null,
        )
        if (s.stepInputs) {
          insertInputs.run(runId, ord, s.stepInputs.fingerprint, this.textId(JSON.stringify(s.stepInputs.components)), s.stepInputs.dockerfile ?? null, s.stepInputs.line ?? null)
        }
        const p = s.provenance
        if (p) {
          const parents = p.parents.map((d) => ordByDigest.get(d)).filter((o): o is number => o !== undefined)
          insertProvenance.run(
            runId, ord, p.stepId, this.textId(canonicalJson(p.definition)), p.location ? this.textId(canonicalJson(p.location)) : null,
            Buffer.from(p.lineage, 'hex'), p.readsContext ? 1 : 0, parents.length ? parents.join(',') : null,
          )
        }
      })
      return runId
    })
    try {
      return formatRunId(save.immediate())
    } catch (error) {
      // the in-memory id caches may name rows the rollback removed
      this.textIds.clear()
      this.defIds.clear()
      throw error
    }
  }

  /** For the time-weighted hit rate: what a step cost when it last executed before `beforeRunId`. */
  lastExecutedLookup(beforeRunId: number): (step: Step) => number | undefined {
    // `flags & 5 = 4` (completed, not cached) is spelled as in the partial index run_steps_executed,
    // so that SQLite answers from that index alone
    const stmt = this.sql(
      `SELECT rs.duration_ms AS d FROM texts t JOIN step_defs sd ON sd.name_id = t.id JOIN run_steps rs ON rs.def_id = sd.id
       WHERE t.hash = ? AND sd.target = ? AND rs.run_id < ? AND rs.flags & ${FLAG_CACHED | FLAG_COMPLETED} = ${FLAG_COMPLETED}
       ORDER BY rs.run_id DESC LIMIT 1`,
    )
    const byDef = this.sql(
      `SELECT duration_ms AS d FROM run_steps WHERE def_id = ? AND run_id < ? AND flags & ${FLAG_CACHED | FLAG_COMPLETED} = ${FLAG_COMPLETED} ORDER BY run_id DESC LIMIT 1`,
    )
    // the totals ask about a step once per group it is in: remember the answers
    const known = new Map<string, number | undefined>()
    return (step) => {
      const key = `${step.target ?? ''}\u0000${step.name}`
      if (known.has(key)) return known.get(key)
      // a step read by getRun knows its definition: no hashing, no joins
      const def = this.stepDefs.get(step)
      const row = (def && def.name === step.name && def.target === (step.target ?? '')
        ? byDef.get(def.id, beforeRunId)
        : stmt.get(textHash(step.name), step.target ?? '', beforeRunId)) as {d: number} | undefined
      known.set(key, row?.d)
      return row?.d
    }
  }

  /** The first run ingested from exactly these bytes. */
  findRunBySource(sha256: string): string | undefined {
    const row = this.sql('SELECT id FROM runs WHERE source_sha256 = ? ORDER BY id LIMIT 1').get(sha256) as {id: number} | undefined
    return row ? formatRunId(row.id) : undefined
  }

  /**
   * `ingest` counts a capture once: saves the run unless a run from the same bytes is recorded. The
   * look-up and the insert are one write transaction, so concurrent ingests of one file record one run.
   */
  saveRunOnce(run: Run, options: Parameters<IndexStore['saveRun']>[1] & {sourceSha256: string}): {id: string; alreadyRecorded: boolean} {
    const once = this.db.transaction(() => {
      const earlier = this.findRunBySource(options.sourceSha256)
      return earlier ? {id: earlier, alreadyRecorded: true} : {id: this.saveRun(run, options), alreadyRecorded: false}
    })
    return once.immediate()
  }

  /** `latest`, `latest~N`, `rN`, `N`, `branch:NAME` (its latest run), a global id → numeric id. */
  resolveRunRef(ref: string): number {
    const trimmed = ref.trim()
    if (trimmed.startsWith('branch:')) {
      const branch = trimmed.slice('branch:'.length)
      const id = this.latestOnBranch(branch)
      if (id === undefined) throw new UsageError(`no run of branch ${branch} in ${this.file}`, {fix: 'list the runs with `bakedoctor runs --branch NAME`, or `bakedoctor history pull` the team\'s runs first'})
      return id
    }
    if (isGlobalId(trimmed)) {
      const id = this.runIdOfGlobalId(trimmed)
      if (id === undefined) throw new UsageError(`no run ${trimmed} in ${this.file}`, {fix: '`bakedoctor history pull` it first, or list the runs with `bakedoctor runs`'})
      return id
    }
    const latest = /^latest(?:~(\d+))?$/.exec(trimmed)
    if (latest) {
      const offset = Number(latest[1] ?? 0)
      const row = this.sql('SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?').get(offset) as {id: number} | undefined
      if (!row) throw new UsageError(offset ? `there is no run ${trimmed}: the index holds fewer than ${offset + 1} runs` : 'the index holds no runs yet', {fix: 'ingest or build a run first'})
      return row.id
    }
    const m = /^r?(\d+)$/.exec(trimmed)
    if (!m) throw new UsageError(`"${ref}" is not a run id`, {fix: 'use an id from `bakedoctor runs` (e.g. r12), `latest` or `latest~1`'})
    const id = Number(m[1])
    if (!this.sql('SELECT 1 FROM runs WHERE id = ?').get(id)) {
      throw new UsageError(`no run ${formatRunId(id)} in ${this.file}`, {fix: 'list the runs with `bakedoctor runs`'})
    }
    return id
  }

  listRuns(options: {limit?: number; target?: string; branch?: string} = {}): RunSummary[] {
    const where: string[] = []
    const params: unknown[] = []
    if (options.branch) {
      where.push('git_branch = ?')
      params.push(options.branch)
    }
    if (options.target) {
      where.push('EXISTS (SELECT 1 FROM json_each(runs.targets) WHERE value = ?)')
      params.push(options.target)
    }
    const sql = `SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`
    params.push(options.limit ?? 50)
    return (this.sql(sql).all(...params) as RunRow[]).map(toSummary)
  }

  getSummary(id: number): RunSummary {
    const row = this.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    if (!row) throw new UsageError(`no run ${formatRunId(id)}`)
    return toSummary(row)
  }

  /**
   * The full run with steps, as it was ingested. Log tails are read only for the steps `logs` names
   * (default all): most commands print none, and reading them was most of the cost of explain.
   */
  getRun(id: number, options: {logs?: LogTailsToRead} = {}): Run {
    // runs never change once saved: a command that reads one twice (gate, then its explanation) reads it once
    let run = this.runCache.get(id)
    if (!run) this.runCache.set(id, (run = this.readRun(id)))
    this.readLogTails(run, options.logs ?? 'all')
    return run
  }

  private readLogTails(run: Run, which: LogTailsToRead): void {
    if (which === 'none') return
    for (const step of run.steps) {
      const logId = this.logIds.get(step)
      if (logId === undefined || (which === 'failed' && !step.error && !(step.started !== undefined && !step.completed))) continue
      const body = this.textBody(logId)
      step.logTail = body ? body.split('\n') : []
      this.logIds.delete(step)
    }
  }

  private readRun(id: number): Run {
    const row = this.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    if (!row) throw new UsageError(`no run ${formatRunId(id)}`, {fix: 'list the runs with `bakedoctor runs`'})
    // Steps without joins; their definitions (shared by every run of the bake) and texts come from
    // per-store caches, so loading a run and its baseline reads each definition once.
    // digests come back as text from SQLite (cheaper than a Buffer per row turned into hex here)
    const allRows = this.sql(
      `SELECT ord, flags, duration_ms, start_ms, CASE typeof(digest) WHEN 'blob' THEN 'sha256:' || lower(hex(digest)) WHEN 'null' THEN '' ELSE digest END AS digest,
              inputs, def_id, error_id, log_id
       FROM run_steps WHERE run_id = ? ORDER BY ord`,
    ).all(id) as StepRow[]
    if (allRows.some((r) => !this.defRows.has(r.def_id))) {
      const defs = this.sql(
        `SELECT d.id, d.target, d.platform, d.stage, d.idx, d.total, d.kind, d.internal, d.cacheable, tn.body AS name, ti.body AS instruction
         FROM step_defs d JOIN texts tn ON tn.id = d.name_id JOIN texts ti ON ti.id = d.instruction_id
         WHERE d.id IN (SELECT def_id FROM run_steps WHERE run_id = ?)`,
      ).all(id) as DefRow[]
      for (const d of defs) this.defRows.set(d.id, d)
    }
    // (a step whose definition is gone is left out, as the former inner join did)
    const stepRows = allRows.every((r) => this.defRows.has(r.def_id)) ? allRows : allRows.filter((r) => this.defRows.has(r.def_id))
    const inputRows = new Map<number, InputRow>()
    for (const r of this.sql(
      'SELECT si.ord, si.fingerprint, tc.body AS components, si.dockerfile, si.line FROM step_inputs si JOIN texts tc ON tc.id = si.components_id WHERE si.run_id = ?',
    ).all(id) as InputRow[]) inputRows.set(r.ord, r)
    const provenanceRows = new Map<number, ProvenanceRow>()
    for (const r of this.sql(
      `SELECT sp.ord, sp.step_id, td.body AS definition, tl.body AS location, sp.lineage, sp.reads_context, sp.parents
       FROM step_provenance sp JOIN texts td ON td.id = sp.definition_id LEFT JOIN texts tl ON tl.id = sp.location_id WHERE sp.run_id = ?`,
    ).all(id) as ProvenanceRow[]) provenanceRows.set(r.ord, r)
    const digests = stepRows.map((r) => r.digest)
    const digestByOrd = new Map(stepRows.map((r) => [r.ord, r.digest]))
    const origin = row.started_at ?? 0
    const summary = toSummary(row)
    // a single-platform build names no platform in its steps: they have the run's (stepPlatform)
    const runPlatform = summary.platforms.length === 1 ? summary.platforms[0] : undefined
    const steps: Step[] = stepRows.map((r, i) => {
      const d = this.defRows.get(r.def_id)!
      const error = r.error_id !== null ? this.textBody(r.error_id) : undefined
      const step: Step = {
        digest: digests[i]!,
        name: d.name,
        platform: d.platform ?? (d.internal === 1 ? undefined : runPlatform),
        stage: d.stage ?? undefined,
        index: d.idx ?? undefined,
        total: d.total ?? undefined,
        kind: d.kind,
        instruction: d.instruction,
        internal: d.internal === 1,
        cacheable: d.cacheable === 1,
        cached: (r.flags & FLAG_CACHED) !== 0,
        servedInRun: (r.flags & FLAG_SERVED_IN_RUN) !== 0,
        completed: (r.flags & FLAG_COMPLETED) !== 0,
        started: r.start_ms !== null ? origin + r.start_ms : undefined,
        finished: r.start_ms !== null ? origin + r.start_ms + r.duration_ms : undefined,
        durationMs: r.duration_ms,
        error: error ?? undefined,
        inputs: r.inputs ? r.inputs.split(',').map((o) => digests[Number(o)]!).filter(Boolean) : [],
        logTail: [],
      }
      if (r.log_id !== null) this.logIds.set(step, r.log_id)
      if (d.target) step.target = d.target
      this.stepDefs.set(step, d)
      const si = inputRows.get(r.ord)
      if (si && si.fingerprint && si.components) {
        step.stepInputs = {fingerprint: si.fingerprint, components: JSON.parse(si.components) as InputComponent[], dockerfile: si.dockerfile ?? undefined, line: si.line ?? undefined}
      }
      const sp = provenanceRows.get(r.ord)
      if (sp) step.provenance = readProvenance(sp, digestByOrd)
      return step
    })
    return {
      id: summary.id,
      source: row.source,
      sourceFile: row.source_file ?? undefined,
      createdAt: row.created_at,
      startedAt: row.started_at ?? undefined,
      finishedAt: row.finished_at ?? undefined,
      durationMs: row.duration_ms,
      status: row.status,
      error: row.error ?? undefined,
      targets: summary.targets,
      platforms: summary.platforms,
      steps,
      labels: summary.labels,
      git: summary.git,
      skippedLines: row.skipped_lines,
      ...(row.cut_by_limits ? {cutByLimits: JSON.parse(row.cut_by_limits) as string[]} : {}),
      metadata: row.metadata ? JSON.parse(row.metadata) : undefined,
      planHash: row.plan_hash ?? undefined,
    }
  }

  /** The plan recorded with a run (`build` records it; `ingest` has none). Stored as canonical Plan JSON. */
  getRunPlan(run: Pick<Run, 'planHash'>): Plan | undefined {
    const body = run.planHash ? this.getPlan(run.planHash) : undefined
    return body ? (JSON.parse(body) as Plan) : undefined
  }

  getPlan(hash: string): string | undefined {
    return (this.sql('SELECT body FROM plans WHERE hash = ?').get(hash) as {body: string} | undefined)?.body
  }

  /**
   * The run to compare against by default: the previous run of the same targets and platforms (on
   * the same branch first); else one that built the same targets on all of this run's platforms;
   * else, for a first build on a platform, the previous run of the same targets. A run whose
   * platform is unknown prefers runs whose platform is unknown too.
   */
  findBaseline(id: number): number | undefined {
    const row = this.sql('SELECT targets, platforms, git_branch, baseline_global_id FROM runs WHERE id = ?').get(id) as Pick<RunRow, 'targets' | 'platforms' | 'git_branch' | 'baseline_global_id'> | undefined
    if (!row) return undefined
    // a run pulled from team history: the baseline it was explained against where it ran, when pulled too
    if (row.baseline_global_id) {
      const recorded = this.runIdOfGlobalId(row.baseline_global_id)
      if (recorded !== undefined) return recorded
    }
    const platformCount = (JSON.parse(row.platforms) as string[]).length
    const covers = `NOT EXISTS (SELECT 1 FROM json_each(?) p WHERE p.value NOT IN (SELECT value FROM json_each(runs.platforms)))`
    const candidates: [string, unknown[]][] = [
      ['SELECT id FROM runs WHERE id < ? AND targets = ? AND platforms = ? AND git_branch IS ? ORDER BY id DESC LIMIT 1', [id, row.targets, row.platforms, row.git_branch]],
      ['SELECT id FROM runs WHERE id < ? AND targets = ? AND platforms = ? ORDER BY id DESC LIMIT 1', [id, row.targets, row.platforms]],
    ]
    if (platformCount > 0) {
      candidates.push(
        [`SELECT id FROM runs WHERE id < ? AND targets = ? AND ${covers} AND git_branch IS ? ORDER BY id DESC LIMIT 1`, [id, row.targets, row.platforms, row.git_branch]],
        [`SELECT id FROM runs WHERE id < ? AND targets = ? AND ${covers} ORDER BY id DESC LIMIT 1`, [id, row.targets, row.platforms]],
      )
    }
    candidates.push(
      ['SELECT id FROM runs WHERE id < ? AND targets = ? AND git_branch IS ? ORDER BY id DESC LIMIT 1', [id, row.targets, row.git_branch]],
      ['SELECT id FROM runs WHERE id < ? AND targets = ? ORDER BY id DESC LIMIT 1', [id, row.targets]],
    )
    for (const [sql, params] of candidates) {
      const hit = this.sql(sql).get(...params) as {id: number} | undefined
      if (hit) return hit.id
    }
    return undefined
  }

  /** Latest run of a branch (gate `--baseline branch:NAME`). */
  latestOnBranch(branch: string, beforeId?: number): number | undefined {
    const row = this.sql('SELECT id FROM runs WHERE git_branch = ? AND id < ? ORDER BY id DESC LIMIT 1').get(branch, beforeId ?? Number.MAX_SAFE_INTEGER) as {id: number} | undefined
    return row?.id
  }

  saveCacheSnapshot(ref: string, body: unknown, runId?: number): void {
    this.sql('INSERT INTO cache_snapshots (ref, fetched_at, run_id, body) VALUES (?, ?, ?, ?)').run(ref, Date.now(), runId ?? null, JSON.stringify(body))
  }

  latestCacheSnapshot(ref: string): {fetchedAt: number; body: unknown} | undefined {
    const row = this.sql('SELECT fetched_at, body FROM cache_snapshots WHERE ref = ? ORDER BY fetched_at DESC, id DESC LIMIT 1').get(ref) as {fetched_at: number; body: string} | undefined
    return row ? {fetchedAt: row.fetched_at, body: JSON.parse(row.body)} : undefined
  }

  runIdOfGlobalId(globalId: string): number | undefined {
    return (this.sql('SELECT id FROM runs WHERE global_id = ?').get(globalId) as {id: number} | undefined)?.id
  }

  /**
   * Names this index's secret salt without revealing it (a hash of it): runs whose secret markers
   * were made with another salt cannot be compared secret by secret.
   */
  saltId(): string {
    return oneShotHash('sha256', `bakedoctor salt id\u0000${this.secretSalt()}`, 'hex').slice(0, 16)
  }

  /** A run's global id, and the baseline it was recorded with when it was pulled. */
  historyFacts(id: number): {globalId: string; baselineGlobalId?: string; saltId?: string} {
    const row = this.sql('SELECT global_id, baseline_global_id, salt_id FROM runs WHERE id = ?').get(id) as Pick<RunRow, 'global_id' | 'baseline_global_id' | 'salt_id'> | undefined
    if (!row?.global_id) throw new UsageError(`no run ${formatRunId(id)}`)
    return {globalId: row.global_id, baselineGlobalId: row.baseline_global_id ?? undefined, saltId: row.salt_id ?? undefined}
  }

  /** Every global id in the index (pull fetches only the others). */
  globalIds(): Set<string> {
    return new Set((this.sql('SELECT global_id FROM runs WHERE global_id IS NOT NULL').all() as Array<{global_id: string}>).map((r) => r.global_id))
  }

  /** The runs in id order with what history push needs to pick them, oldest first. */
  runsForHistory(options: {branch?: string; since?: number} = {}): Array<{id: number; globalId: string; createdAt: number; branch?: string; origin?: string}> {
    const rows = this.sql('SELECT id, global_id, created_at, git_branch, origin FROM runs WHERE global_id IS NOT NULL ORDER BY id').all() as Array<Pick<RunRow, 'id' | 'global_id' | 'created_at' | 'git_branch' | 'origin'>>
    return rows
      .filter((r) => (options.branch === undefined || r.git_branch === options.branch) && (options.since === undefined || r.created_at >= options.since))
      .map((r) => ({id: r.id, globalId: r.global_id as string, createdAt: r.created_at, branch: r.git_branch ?? undefined, origin: r.origin ?? undefined}))
  }

  /** The stored totals of a run (as computed when it was saved, or as recorded where it ran). */
  storedTotals(id: number): RecordedRunFacts['totals'] {
    const row = this.sql('SELECT cacheable, hits, served_in_run, spent_ms, saved_ms, time_weighted FROM runs WHERE id = ?').get(id) as Pick<RunRow, 'cacheable' | 'hits' | 'served_in_run' | 'spent_ms' | 'saved_ms' | 'time_weighted'> | undefined
    if (!row) throw new UsageError(`no run ${formatRunId(id)}`)
    return {cacheable: row.cacheable, hits: row.hits, servedInRun: row.served_in_run, spentMs: row.spent_ms, savedMs: row.saved_ms, timeWeighted: row.time_weighted}
  }

  /** Several writes as one: either every run is stored or none (history pull). */
  inTransaction<T>(work: () => T): T {
    try {
      return this.db.transaction(work).immediate()
    } catch (error) {
      this.textIds.clear()
      this.defIds.clear()
      throw error
    }
  }

  runCount(): number {
    return (this.sql('SELECT count(*) AS n FROM runs').get() as {n: number}).n
  }
}

function readProvenance(row: ProvenanceRow, digestByOrd: Map<number, string>): StepProvenance {
  const p: StepProvenance = {
    stepId: row.step_id,
    definition: JSON.parse(row.definition) as StepDefinition,
    // the stored body is the canonical JSON the parser hashed
    hash: sha256(row.definition),
    lineage: Buffer.from(row.lineage).toString('hex'),
    readsContext: row.reads_context === 1,
    parents: row.parents ? row.parents.split(',').map((o) => digestByOrd.get(Number(o))).filter((d): d is string => d !== undefined) : [],
  }
  if (row.location) p.location = JSON.parse(row.location) as StepLocation
  return p
}

function toSummary(row: RunRow): RunSummary {
  const git = row.git_commit || row.git_branch ? {commit: row.git_commit ?? undefined, branch: row.git_branch ?? undefined} : undefined
  return {
    id: formatRunId(row.id),
    createdAt: row.created_at,
    durationMs: row.duration_ms,
    status: row.status,
    error: row.error ?? undefined,
    source: row.source,
    sourceFile: row.source_file ?? undefined,
    targets: JSON.parse(row.targets) as string[],
    platforms: JSON.parse(row.platforms) as string[],
    labels: JSON.parse(row.labels) as Record<string, string>,
    git,
    cacheable: row.cacheable,
    hits: row.hits,
    servedInRun: row.served_in_run,
    hitRate: row.cacheable ? row.hits / row.cacheable : null,
    timeWeightedHitRate: row.time_weighted,
    stepCount: row.step_count,
    planHash: row.plan_hash ?? undefined,
    globalId: row.global_id ?? undefined,
    origin: row.origin ?? undefined,
  }
}

/** The steps whose log tail fits the run's budget, failed (or unfinished) steps first. */
function tailsWithinBudget(steps: readonly Step[]): Set<Step> {
  const kept = new Set<Step>()
  const failedFirst = steps.filter((s) => s.logTail.length).sort((a, b) => Number(!a.error) - Number(!b.error))
  let budget = MAX_LOG_TAIL_BYTES_PER_RUN
  for (const s of failedFirst) {
    const bytes = s.logTail.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)
    if (bytes > budget) continue
    kept.add(s)
    budget -= bytes
  }
  return kept
}

/** The texts table key: the first 16 bytes of the sha256 of the body (one-shot: no Hash object per text). */
function textHash(body: string): Buffer {
  return oneShotHash('sha256', body, 'buffer').subarray(0, 16)
}

/** sha256 digests as 32 raw bytes (half the size of hex); anything else as text. */
function encodeDigest(digest: string): Buffer | string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest)
  return m ? Buffer.from(m[1]!, 'hex') : digest
}
