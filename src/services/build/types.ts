import type {StreamEvent} from '../../domain/events/stream-event.js'
import type {GateRuleInput} from '../gate.js'

export type {BuildPlatformTotals, BuildResult, BuildTargetRun} from '../../domain/results.js'

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

/** What the drivers get: the options with the environment, the index and its secret salt settled. */
export interface DriverOptions extends BuildOptions {
  env: NodeJS.ProcessEnv
  dockerBin: string
  db: string
  salt: string
}
