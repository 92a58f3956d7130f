import type {StreamEvent} from '../../domain/events/stream-event.js'
import type {Explanation} from '../../domain/explain/types.js'
import type {GateResult} from '../../domain/gate/types.js'
import type {RunStatus, RunTotals} from '../../domain/model/run.js'
import type {GateRuleInput} from '../gate.js'

export type BuildDriver = 'auto' | 'buildx' | 'engine'

export interface BuildOptions {
  targets: string[]
  /** -f: bake files, or a Dockerfile for a plain single build */
  files: string[]
  set: string[]
  driver: BuildDriver
  /** --context: build a Dockerfile in this directory without a bake file */
  context?: string
  cwd: string
  db?: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  /** every decoded event, tagged with the target it belongs to (progress views) */
  onEvent?: (event: StreamEvent, target: string | undefined) => void
  /** the docker CLI (buildx driver); default `docker` on PATH */
  dockerBin?: string
  /** explain every recorded run's misses against its baseline (or `against`) */
  explain?: boolean
  against?: string
  /** gate every recorded run of a build that succeeded (`--min-hit-rate` …) */
  gate?: GateRuleInput
}

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

/** What the drivers get: the options with the environment, the index and its secret salt settled. */
export interface DriverOptions extends BuildOptions {
  env: NodeJS.ProcessEnv
  dockerBin: string
  db: string
  salt: string
}
