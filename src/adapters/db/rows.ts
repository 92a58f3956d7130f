import type {RunStatus, StepKind} from '../../domain/model/run.js'
import type {RunSummary} from '../../domain/model/run-summary.js'

/** `run_steps.flags` bits. */
export const FLAG_CACHED = 1
export const FLAG_SERVED_IN_RUN = 2
export const FLAG_COMPLETED = 4

/** `r12` — short, stable, never reused. */
export const formatRunId = (n: number | bigint) => `r${n}`

/** A `runs` row. */
export interface RunRow {
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

/** A `step_defs` row with its name and instruction texts. */
export interface DefRow {
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

/** A `runs` row as the summary `runs` lists. */
export function toSummary(row: RunRow): RunSummary {
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
