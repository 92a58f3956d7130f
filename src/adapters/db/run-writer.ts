import {nodeCrypto} from '../../domain/lazy-crypto.js'
import {canonicalPlanJson, planHash as hashPlan, type Plan} from '../../domain/bake/plan.js'
import type {Run, Step} from '../../domain/model/run.js'
import {computeTotals} from '../../domain/model/totals.js'
import {canonicalJson} from '../../domain/provenance/canonical.js'
import {makeGlobalId} from '../../domain/history/global-id.js'
import type {IndexConnection} from './connection.js'
import {FLAG_CACHED, FLAG_COMPLETED, FLAG_SERVED_IN_RUN, formatRunId, type RecordedRunFacts} from './rows.js'
import type {TextTable} from './texts.js'

/**
 * Log-tail text one run may store, failed steps' tails first: with `--keep-logs all` a big bake's
 * tails would otherwise add up to megabytes per run (output differs on every build, so the
 * content-addressed texts cannot share it).
 */
export const MAX_LOG_TAIL_BYTES_PER_RUN = 256 * 1024

/** What `saveRun` takes besides the run. */
export interface SaveRunOptions {
  plan?: {hash: string; json: string}
  /** values known to be secret, replaced wherever they appear */
  secretValues?: readonly string[]
  /** a run pulled from team history keeps its global id and totals */
  recorded?: RecordedRunFacts
  /** the sha256 of the capture it was ingested from (`saveRunOnce`) */
  sourceSha256?: string
}

/**
 * The write path of the index (docs/architecture.md, "The index"): one IMMEDIATE transaction per
 * saved run, so a killed ingest leaves nothing, and concurrent writers queue on the busy timeout.
 */
export class RunWriter {
  /** step definition ids by target and name: a bake's steps are mostly known already */
  private readonly defIds = new Map<string, number>()

  constructor(
    private readonly conn: IndexConnection,
    private readonly texts: TextTable,
    /** what a step cost when it last executed (the time-weighted rate of the totals stored with the run) */
    private readonly lastExecuted: () => (step: Step) => number | undefined,
  ) {}

  /**
   * Stores a run with its steps (and plan, when given) in one transaction; returns its id. Every
   * text, label, arg and the plan pass through the redaction policy first; a plan with secrets is
   * stored, and keyed, by its redacted form.
   */
  saveRun(unredacted: Run, options: SaveRunOptions = {}): string {
    const redactor = this.conn.redactor(options.secretValues)
    const run = redactor.run(unredacted)
    let plan = options.plan
    if (plan) {
      const redacted = redactor.plan(JSON.parse(plan.json) as Plan)
      const json = canonicalPlanJson(redacted)
      if (json !== plan.json) plan = {hash: hashPlan(redacted), json}
    }
    const save = this.conn.db.transaction((): number => {
      if (plan) this.conn.sql('INSERT OR IGNORE INTO plans (hash, body) VALUES (?, ?)').run(plan.hash, plan.json)
      const runId = this.insertRun(run, plan?.hash ?? run.planHash ?? null, options)
      this.insertSteps(runId, run)
      return runId
    })
    try {
      return formatRunId(save.immediate())
    } catch (error) {
      this.forgetIds()
      throw error
    }
  }

  /**
   * `ingest` counts a capture once: saves the run unless a run from the same bytes is recorded. The
   * look-up and the insert are one write transaction, so concurrent ingests of one file record one run.
   */
  saveRunOnce(run: Run, options: SaveRunOptions & {sourceSha256: string}): {id: string; alreadyRecorded: boolean} {
    const once = this.conn.db.transaction(() => {
      const earlier = this.findRunBySource(options.sourceSha256)
      return earlier ? {id: earlier, alreadyRecorded: true} : {id: this.saveRun(run, options), alreadyRecorded: false}
    })
    return once.immediate()
  }

  /** The first run ingested from exactly these bytes. */
  findRunBySource(sha256: string): string | undefined {
    const row = this.conn.sql('SELECT id FROM runs WHERE source_sha256 = ? ORDER BY id LIMIT 1').get(sha256) as {id: number} | undefined
    return row ? formatRunId(row.id) : undefined
  }

  /** After a rollback: the in-memory id caches may name rows it removed. */
  forgetIds(): void {
    this.texts.forgetIds()
    this.defIds.clear()
  }

  private insertRun(run: Run, planHash: string | null, options: SaveRunOptions): number {
    const recorded = options.recorded
    const totals = recorded ? {...recorded.totals, timeWeightedHitRate: recorded.totals.timeWeighted} : computeTotals(run.steps, this.lastExecuted())
    const globalId = recorded?.globalId ?? makeGlobalId(run.createdAt, nodeCrypto().randomBytes(8).toString('hex'))
    const info = this.conn
      .sql(
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
    return Number(info.lastInsertRowid)
  }

  /** A run's steps, their recorded inputs and provenance; parents and inputs as ordinals in the run. */
  private insertSteps(runId: number, run: Run): void {
    const ordByDigest = new Map<string, number>()
    run.steps.forEach((s, i) => {
      if (!ordByDigest.has(s.digest)) ordByDigest.set(s.digest, i)
    })
    const insertStep = this.conn.sql(
      'INSERT INTO run_steps (run_id, ord, def_id, flags, duration_ms, start_ms, digest, inputs, error_id, log_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const insertInputs = this.conn.sql('INSERT INTO step_inputs (run_id, ord, fingerprint, components_id, dockerfile, line) VALUES (?, ?, ?, ?, ?, ?)')
    const insertProvenance = this.conn.sql(
      'INSERT INTO step_provenance (run_id, ord, step_id, definition_id, location_id, lineage, reads_context, parents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const texts = this.texts
    const origin = run.startedAt ?? 0
    const keptTails = tailsWithinBudget(run.steps)
    run.steps.forEach((s, ord) => {
      const flags = (s.cached ? FLAG_CACHED : 0) | (s.servedInRun ? FLAG_SERVED_IN_RUN : 0) | (s.completed ? FLAG_COMPLETED : 0)
      const inputs = s.inputs.map((d) => ordByDigest.get(d)).filter((o): o is number => o !== undefined)
      insertStep.run(
        runId, ord, this.defId(s), flags, Math.round(s.durationMs),
        s.started !== undefined ? Math.round(s.started - origin) : null,
        encodeDigest(s.digest), inputs.length ? inputs.join(',') : null,
        s.error ? texts.idOf(s.error) : null, keptTails.has(s) ? texts.idOf(s.logTail.join('\n')) : null,
      )
      if (s.stepInputs) {
        insertInputs.run(runId, ord, s.stepInputs.fingerprint, texts.idOf(JSON.stringify(s.stepInputs.components)), s.stepInputs.dockerfile ?? null, s.stepInputs.line ?? null)
      }
      const p = s.provenance
      if (p) {
        const parents = p.parents.map((d) => ordByDigest.get(d)).filter((o): o is number => o !== undefined)
        insertProvenance.run(
          runId, ord, p.stepId, texts.idOf(canonicalJson(p.definition)), p.location ? texts.idOf(canonicalJson(p.location)) : null,
          Buffer.from(p.lineage, 'hex'), p.readsContext ? 1 : 0, parents.length ? parents.join(',') : null,
        )
      }
    })
  }

  private defId(step: Step): number {
    const key = `${step.target ?? ''}\u0000${step.name}`
    const cached = this.defIds.get(key)
    if (cached !== undefined) return cached
    const nameId = this.texts.idOf(step.name)
    const target = step.target ?? ''
    // a bake's steps are mostly known already: look first, insert only what is new
    const found = this.conn.sql('SELECT id FROM step_defs WHERE name_id = ? AND target = ?').get(nameId, target) as {id: number} | undefined
    const id = found
      ? found.id
      : Number(
          this.conn.sql(
            `INSERT INTO step_defs (target, name_id, platform, stage, idx, total, kind, instruction_id, internal, cacheable)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(target, nameId, step.platform ?? null, step.stage ?? null, step.index ?? null, step.total ?? null, step.kind, this.texts.idOf(step.instruction), step.internal ? 1 : 0, step.cacheable ? 1 : 0).lastInsertRowid,
        )
    this.defIds.set(key, id)
    return id
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

/** sha256 digests as 32 raw bytes (half the size of hex); anything else as text. */
function encodeDigest(digest: string): Buffer | string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest)
  return m ? Buffer.from(m[1]!, 'hex') : digest
}
