import {createHash} from 'node:crypto'
import type {Plan} from '../../domain/bake/plan.js'
import type {Run, RunStatus, Step, StepKind, InputComponent} from '../../domain/model/run.js'
import {computeTotals} from '../../domain/model/totals.js'
import {UsageError} from '../../errors.js'
import {openDatabase, type Database} from './open.js'

/** What `bakedoctor runs` lists: the run row without its steps. */
export interface RunSummary {
  id: string
  createdAt: number
  durationMs: number
  status: RunStatus
  error?: string
  source: string
  sourceFile?: string
  targets: string[]
  platforms: string[]
  labels: Record<string, string>
  git?: {commit?: string; branch?: string}
  cacheable: number
  hits: number
  servedInRun: number
  hitRate: number | null
  timeWeightedHitRate: number | null
  stepCount: number
  planHash?: string
}

const FLAG_CACHED = 1
const FLAG_SERVED_IN_RUN = 2
const FLAG_COMPLETED = 4

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
  cacheable: number
  hits: number
  served_in_run: number
  spent_ms: number
  saved_ms: number
  time_weighted: number | null
  step_count: number
}

interface StepRow {
  ord: number
  flags: number
  duration_ms: number
  start_ms: number | null
  digest: Buffer | string | null
  inputs: string | null
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
  error: string | null
  log: string | null
  fingerprint: string | null
  components: string | null
  dockerfile: string | null
  line: number | null
}

/**
 * The SQLite index (design.md §8). One transaction per saved run: a killed ingest leaves nothing.
 * Safe to share between concurrent processes (WAL + busy timeout + IMMEDIATE write transactions).
 */
export class IndexStore {
  private readonly textIds = new Map<string, number>()
  private readonly defIds = new Map<string, number>()

  private constructor(readonly db: Database, readonly file: string) {}

  static async open(file: string, options: {create?: boolean; readonly?: boolean} = {}): Promise<IndexStore> {
    return new IndexStore(await openDatabase(file, options), file)
  }

  close(): void {
    this.db.close()
  }

  /** Salt for hashing secret-looking values; random per index, never leaves it. */
  secretSalt(): string {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get('secret_salt') as {value: string} | undefined
    return row?.value ?? ''
  }

  private textId(body: string): number {
    const cached = this.textIds.get(body)
    if (cached !== undefined) return cached
    const hash = createHash('sha256').update(body).digest().subarray(0, 16)
    this.db.prepare('INSERT OR IGNORE INTO texts (hash, body) VALUES (?, ?)').run(hash, body)
    const id = (this.db.prepare('SELECT id FROM texts WHERE hash = ?').get(hash) as {id: number}).id
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
    this.db
      .prepare(
        `INSERT OR IGNORE INTO step_defs (target, name_id, platform, stage, idx, total, kind, instruction_id, internal, cacheable)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(target, nameId, step.platform ?? null, step.stage ?? null, step.index ?? null, step.total ?? null, step.kind, this.textId(step.instruction), step.internal ? 1 : 0, step.cacheable ? 1 : 0)
    const id = (this.db.prepare('SELECT id FROM step_defs WHERE name_id = ? AND target = ?').get(nameId, target) as {id: number}).id
    this.defIds.set(key, id)
    return id
  }

  /** Stores a run with its steps (and plan, when given) in one transaction; returns its id. */
  saveRun(run: Run, options: {plan?: {hash: string; json: string}} = {}): string {
    const save = this.db.transaction((): number => {
      if (options.plan) this.db.prepare('INSERT OR IGNORE INTO plans (hash, body) VALUES (?, ?)').run(options.plan.hash, options.plan.json)
      const planHash = options.plan?.hash ?? run.planHash ?? null
      const lastExecuted = this.lastExecutedLookup(Number.MAX_SAFE_INTEGER)
      const totals = computeTotals(run.steps, lastExecuted)
      const info = this.db
        .prepare(
          `INSERT INTO runs (created_at, started_at, finished_at, duration_ms, status, error, source, source_file, targets, platforms, labels,
             git_commit, git_branch, plan_hash, metadata, skipped_lines, cacheable, hits, served_in_run, spent_ms, saved_ms, time_weighted, step_count)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          Math.round(run.createdAt), run.startedAt ?? null, run.finishedAt ?? null, run.durationMs, run.status, run.error ?? null,
          run.source, run.sourceFile ?? null, JSON.stringify(run.targets), JSON.stringify(run.platforms), JSON.stringify(run.labels),
          run.git?.commit ?? null, run.git?.branch ?? null, planHash, run.metadata ? JSON.stringify(run.metadata) : null, run.skippedLines,
          totals.cacheable, totals.hits, totals.servedInRun, totals.spentMs, totals.savedMs, totals.timeWeightedHitRate, run.steps.length,
        )
      const runId = Number(info.lastInsertRowid)
      const ordByDigest = new Map<string, number>()
      run.steps.forEach((s, i) => {
        if (!ordByDigest.has(s.digest)) ordByDigest.set(s.digest, i)
      })
      const insertStep = this.db.prepare(
        'INSERT INTO run_steps (run_id, ord, def_id, flags, duration_ms, start_ms, digest, inputs, error_id, log_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      const insertInputs = this.db.prepare('INSERT INTO step_inputs (run_id, ord, fingerprint, components_id, dockerfile, line) VALUES (?, ?, ?, ?, ?, ?)')
      const origin = run.startedAt ?? 0
      run.steps.forEach((s, ord) => {
        const flags = (s.cached ? FLAG_CACHED : 0) | (s.servedInRun ? FLAG_SERVED_IN_RUN : 0) | (s.completed ? FLAG_COMPLETED : 0)
        const inputs = s.inputs.map((d) => ordByDigest.get(d)).filter((o): o is number => o !== undefined)
        insertStep.run(
          runId, ord, this.defId(s), flags, Math.round(s.durationMs),
          s.started !== undefined ? Math.round(s.started - origin) : null,
          encodeDigest(s.digest), inputs.length ? inputs.join(',') : null,
          s.error ? this.textId(s.error) : null, s.logTail.length ? this.textId(s.logTail.join('\n')) : null,
        )
        if (s.stepInputs) {
          insertInputs.run(runId, ord, s.stepInputs.fingerprint, this.textId(JSON.stringify(s.stepInputs.components)), s.stepInputs.dockerfile ?? null, s.stepInputs.line ?? null)
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
    const stmt = this.db.prepare(
      `SELECT rs.duration_ms AS d FROM run_steps rs JOIN step_defs sd ON sd.id = rs.def_id JOIN texts t ON t.id = sd.name_id
       WHERE t.hash = ? AND sd.target = ? AND rs.run_id < ? AND (rs.flags & ${FLAG_CACHED}) = 0 AND (rs.flags & ${FLAG_COMPLETED}) != 0
       ORDER BY rs.run_id DESC LIMIT 1`,
    )
    return (step) => {
      const hash = createHash('sha256').update(step.name).digest().subarray(0, 16)
      const row = stmt.get(hash, step.target ?? '', beforeRunId) as {d: number} | undefined
      return row?.d
    }
  }

  /** `latest`, `latest~N`, `rN`, `N` → numeric id. */
  resolveRunRef(ref: string): number {
    const trimmed = ref.trim()
    const latest = /^latest(?:~(\d+))?$/.exec(trimmed)
    if (latest) {
      const offset = Number(latest[1] ?? 0)
      const row = this.db.prepare('SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?').get(offset) as {id: number} | undefined
      if (!row) throw new UsageError(offset ? `there is no run ${trimmed}: the index holds fewer than ${offset + 1} runs` : 'the index holds no runs yet', {fix: 'ingest or build a run first'})
      return row.id
    }
    const m = /^r?(\d+)$/.exec(trimmed)
    if (!m) throw new UsageError(`"${ref}" is not a run id`, {fix: 'use an id from `bakedoctor runs` (e.g. r12), `latest` or `latest~1`'})
    const id = Number(m[1])
    if (!this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id)) {
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
    return (this.db.prepare(sql).all(...params) as RunRow[]).map(toSummary)
  }

  getSummary(id: number): RunSummary {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    if (!row) throw new UsageError(`no run ${formatRunId(id)}`)
    return toSummary(row)
  }

  /** The full run with steps, as it was ingested. */
  getRun(id: number): Run {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    if (!row) throw new UsageError(`no run ${formatRunId(id)}`, {fix: 'list the runs with `bakedoctor runs`'})
    const stepRows = this.db
      .prepare(
        `SELECT rs.ord, rs.flags, rs.duration_ms, rs.start_ms, rs.digest, rs.inputs,
                d.target, d.platform, d.stage, d.idx, d.total, d.kind, d.internal, d.cacheable,
                tn.body AS name, ti.body AS instruction, te.body AS error, tl.body AS log,
                si.fingerprint, tc.body AS components, si.dockerfile, si.line
         FROM run_steps rs
         JOIN step_defs d ON d.id = rs.def_id
         JOIN texts tn ON tn.id = d.name_id
         JOIN texts ti ON ti.id = d.instruction_id
         LEFT JOIN texts te ON te.id = rs.error_id
         LEFT JOIN texts tl ON tl.id = rs.log_id
         LEFT JOIN step_inputs si ON si.run_id = rs.run_id AND si.ord = rs.ord
         LEFT JOIN texts tc ON tc.id = si.components_id
         WHERE rs.run_id = ? ORDER BY rs.ord`,
      )
      .all(id) as StepRow[]
    const digests = stepRows.map((r) => decodeDigest(r.digest))
    const origin = row.started_at ?? 0
    const steps: Step[] = stepRows.map((r, i) => {
      const step: Step = {
        digest: digests[i]!,
        name: r.name,
        platform: r.platform ?? undefined,
        stage: r.stage ?? undefined,
        index: r.idx ?? undefined,
        total: r.total ?? undefined,
        kind: r.kind,
        instruction: r.instruction,
        internal: r.internal === 1,
        cacheable: r.cacheable === 1,
        cached: (r.flags & FLAG_CACHED) !== 0,
        servedInRun: (r.flags & FLAG_SERVED_IN_RUN) !== 0,
        completed: (r.flags & FLAG_COMPLETED) !== 0,
        started: r.start_ms !== null ? origin + r.start_ms : undefined,
        finished: r.start_ms !== null ? origin + r.start_ms + r.duration_ms : undefined,
        durationMs: r.duration_ms,
        error: r.error ?? undefined,
        inputs: r.inputs ? r.inputs.split(',').map((o) => digests[Number(o)]!).filter(Boolean) : [],
        logTail: r.log ? r.log.split('\n') : [],
      }
      if (r.target) step.target = r.target
      if (r.fingerprint && r.components) {
        step.stepInputs = {fingerprint: r.fingerprint, components: JSON.parse(r.components) as InputComponent[], dockerfile: r.dockerfile ?? undefined, line: r.line ?? undefined}
      }
      return step
    })
    const summary = toSummary(row)
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
    return (this.db.prepare('SELECT body FROM plans WHERE hash = ?').get(hash) as {body: string} | undefined)?.body
  }

  /**
   * The run to compare against by default: the previous run of the same targets and platforms on
   * the same branch; failing that, of the same targets.
   */
  findBaseline(id: number): number | undefined {
    const row = this.db.prepare('SELECT targets, platforms, git_branch FROM runs WHERE id = ?').get(id) as Pick<RunRow, 'targets' | 'platforms' | 'git_branch'> | undefined
    if (!row) return undefined
    const candidates = [
      ['SELECT id FROM runs WHERE id < ? AND targets = ? AND platforms = ? AND git_branch IS ? ORDER BY id DESC LIMIT 1', [id, row.targets, row.platforms, row.git_branch]],
      ['SELECT id FROM runs WHERE id < ? AND targets = ? AND git_branch IS ? ORDER BY id DESC LIMIT 1', [id, row.targets, row.git_branch]],
      ['SELECT id FROM runs WHERE id < ? AND targets = ? ORDER BY id DESC LIMIT 1', [id, row.targets]],
    ] as const
    for (const [sql, params] of candidates) {
      const hit = this.db.prepare(sql).get(...params) as {id: number} | undefined
      if (hit) return hit.id
    }
    return undefined
  }

  /** Latest run of a branch (gate `--baseline branch:NAME`). */
  latestOnBranch(branch: string, beforeId?: number): number | undefined {
    const row = this.db.prepare('SELECT id FROM runs WHERE git_branch = ? AND id < ? ORDER BY id DESC LIMIT 1').get(branch, beforeId ?? Number.MAX_SAFE_INTEGER) as {id: number} | undefined
    return row?.id
  }

  saveCacheSnapshot(ref: string, body: unknown, runId?: number): void {
    this.db.prepare('INSERT INTO cache_snapshots (ref, fetched_at, run_id, body) VALUES (?, ?, ?, ?)').run(ref, Date.now(), runId ?? null, JSON.stringify(body))
  }

  latestCacheSnapshot(ref: string): {fetchedAt: number; body: unknown} | undefined {
    const row = this.db.prepare('SELECT fetched_at, body FROM cache_snapshots WHERE ref = ? ORDER BY fetched_at DESC, id DESC LIMIT 1').get(ref) as {fetched_at: number; body: string} | undefined
    return row ? {fetchedAt: row.fetched_at, body: JSON.parse(row.body)} : undefined
  }

  runCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM runs').get() as {n: number}).n
  }
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
  }
}

/** sha256 digests as 32 raw bytes (half the size of hex); anything else as text. */
function encodeDigest(digest: string): Buffer | string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest)
  return m ? Buffer.from(m[1]!, 'hex') : digest
}

function decodeDigest(value: Buffer | string | null): string {
  if (value === null) return ''
  if (typeof value === 'string') return value
  return `sha256:${value.toString('hex')}`
}
