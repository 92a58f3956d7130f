import type {EventFormat} from './events/stream-event.js'
import type {StepServeCheck} from './explain/cache-evidence.js'
import type {Explanation} from './explain/types.js'
import type {GateResult} from './gate/types.js'
import type {Run, RunStatus, RunTotals} from './model/run.js'
import type {RunSummary} from './model/run-summary.js'
import type {CacheSummary} from './oci/cache-summary.js'

/**
 * The typed results services return and presenters render (text, markdown, JSON, TUI): domain
 * types, so presenters depend on the domain, never on the services that computed them.
 */

export interface BuildPlatformTotals {
  platform: string
  totals: RunTotals
}

export interface BuildTargetRun {
  /** run id in the index */
  id: string
  targets: string[]
  /** platform requested for this run (engine driver builds one platform per run) */
  platform?: string
  status: RunStatus
  error?: string
  durationMs: number
  totals: RunTotals
  byTarget: Array<{target: string; totals: RunTotals}>
  byPlatform: BuildPlatformTotals[]
  imageId?: string
  /** steps that carry recorded inputs */
  stepsWithInputs: number
}

export interface BuildResult {
  driver: 'engine' | 'buildx'
  db: string
  runs: BuildTargetRun[]
  /** every run completed */
  ok: boolean
  cancelled: boolean
  /** with `explain`: one explanation per recorded run */
  explanations?: Explanation[]
  /** with `gate` rules: one gate result per recorded run */
  gates?: GateResult[]
}

export interface RunDetail {
  run: Run
  totals: RunTotals
  byTarget: Record<string, RunTotals>
  byPlatform: Record<string, RunTotals>
  byTargetPlatform: Record<string, RunTotals>
}

export interface IngestResult {
  run: RunSummary
  /** Dockerfile steps that got a definition from provenance */
  definitions: number
  notes: string[]
  format: EventFormat
  skippedLines: number
  /** the first lines skipped for being broken (not merely non-event text), with why: for a warning */
  brokenLines: {line: number; reason: string}[]
  db: string
  /** the same bytes were ingested before as this run: nothing was recorded */
  alreadyRecorded?: boolean
  /** sha256 of the ingested bytes */
  sourceSha256: string
}

export interface CacheCheckResult {
  run: string
  refs: string[]
  caches: CacheSummary[]
  /** refs that could not be read (lenient mode) */
  errors: {ref: string; message: string}[]
  steps: StepServeCheck[]
  facts: Record<string, string[]>
}
