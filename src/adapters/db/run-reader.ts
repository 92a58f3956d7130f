import type {InputComponent, Run, Step} from '../../domain/model/run.js'
import type {RunSummary} from '../../domain/model/run-summary.js'
import {sha256} from '../../domain/provenance/canonical.js'
import type {StepDefinition, StepLocation, StepProvenance} from '../../domain/provenance/types.js'
import {UsageError} from '../../errors.js'
import type {IndexConnection} from './connection.js'
import {FLAG_CACHED, FLAG_COMPLETED, FLAG_SERVED_IN_RUN, formatRunId, toSummary, type DefRow, type RunRow} from './rows.js'
import type {TextTable} from './texts.js'

/** Which steps' log tails `getRun` reads: those of failed (or unfinished) steps, all, none. */
export type LogTailsToRead = 'failed' | 'all' | 'none'

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
 * The read path of the index: runs with their steps, summaries, the run list. Runs never change
 * once saved, so a run read twice (gate, then its explanation) is read once, and step definitions
 * (shared by every run of a bake) once per store.
 */
export class RunReader {
  private readonly runs = new Map<number, Run>()
  /** step definitions read so far (rows are never changed once written) */
  private readonly defRows = new Map<number, DefRow>()
  /** the log-tail text id of each step getRun returned whose tail is not read yet */
  private readonly logIds = new WeakMap<Step, number>()
  /** the definition of each step getRun returned (for lastExecutedLookup) */
  private readonly stepDefs = new WeakMap<Step, DefRow>()

  constructor(
    private readonly conn: IndexConnection,
    private readonly texts: TextTable,
  ) {}

  /**
   * The full run with steps, as it was ingested. Log tails are read only for the steps `logs` names
   * (default all): most commands print none, and reading them was most of the cost of explain.
   */
  getRun(id: number, options: {logs?: LogTailsToRead} = {}): Run {
    let run = this.runs.get(id)
    if (!run) this.runs.set(id, (run = this.readRun(id)))
    this.readLogTails(run, options.logs ?? 'all')
    return run
  }

  getSummary(id: number): RunSummary {
    const row = this.conn.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    if (!row) throw new UsageError(`no run ${formatRunId(id)}`)
    return toSummary(row)
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
    return (this.conn.sql(sql).all(...params) as RunRow[]).map(toSummary)
  }

  /** The stored definition of a step `getRun` returned. */
  readonly definitionOf = (step: Step): DefRow | undefined => this.stepDefs.get(step)

  private readLogTails(run: Run, which: LogTailsToRead): void {
    if (which === 'none') return
    for (const step of run.steps) {
      const logId = this.logIds.get(step)
      if (logId === undefined || (which === 'failed' && !step.error && !(step.started !== undefined && !step.completed))) continue
      const body = this.texts.bodyOf(logId)
      step.logTail = body ? body.split('\n') : []
      this.logIds.delete(step)
    }
  }

  private readRun(id: number): Run {
    const row = this.conn.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    if (!row) throw new UsageError(`no run ${formatRunId(id)}`, {fix: 'list the runs with `bakedoctor runs`'})
    const stepRows = this.stepRows(id)
    const inputRows = new Map<number, InputRow>()
    for (const r of this.conn.sql(
      'SELECT si.ord, si.fingerprint, tc.body AS components, si.dockerfile, si.line FROM step_inputs si JOIN texts tc ON tc.id = si.components_id WHERE si.run_id = ?',
    ).all(id) as InputRow[]) inputRows.set(r.ord, r)
    const provenanceRows = new Map<number, ProvenanceRow>()
    for (const r of this.conn.sql(
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
      const error = r.error_id !== null ? this.texts.bodyOf(r.error_id) : undefined
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

  /**
   * A run's step rows, without joins: their definitions come from the per-store cache, so loading
   * a run and its baseline reads each definition once. A step whose definition is gone is left
   * out, as the former inner join did.
   */
  private stepRows(id: number): StepRow[] {
    // digests come back as text from SQLite (cheaper than a Buffer per row turned into hex here)
    const allRows = this.conn.sql(
      `SELECT ord, flags, duration_ms, start_ms, CASE typeof(digest) WHEN 'blob' THEN 'sha256:' || lower(hex(digest)) WHEN 'null' THEN '' ELSE digest END AS digest,
              inputs, def_id, error_id, log_id
       FROM run_steps WHERE run_id = ? ORDER BY ord`,
    ).all(id) as StepRow[]
    const missing = new Set<number>()
    for (const r of allRows) if (!this.defRows.has(r.def_id)) missing.add(r.def_id)
    if (missing.size) {
      // a baseline shares nearly all its definitions with the run read before it: read only the
      // ones not read yet (a second run used to read all 2,720 of a 2,400-step bake again)
      const columns = `SELECT d.id, d.target, d.platform, d.stage, d.idx, d.total, d.kind, d.internal, d.cacheable, tn.body AS name, ti.body AS instruction
         FROM step_defs d JOIN texts tn ON tn.id = d.name_id JOIN texts ti ON ti.id = d.instruction_id`
      const defs = (this.defRows.size === 0
        ? this.conn.sql(`${columns} WHERE d.id IN (SELECT def_id FROM run_steps WHERE run_id = ?)`).all(id)
        : this.conn.sql(`${columns} WHERE d.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify([...missing]))) as DefRow[]
      for (const d of defs) this.defRows.set(d.id, d)
    }
    return allRows.every((r) => this.defRows.has(r.def_id)) ? allRows : allRows.filter((r) => this.defRows.has(r.def_id))
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
