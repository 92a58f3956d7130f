/**
 * The run model (docs/architecture.md, "Steps, identity and the hit rate"): what one build (or one bake of several targets) did, step by step.
 * Built from decoded events by `../steps/fold-run.ts`; stored by the index; read by explain/diff/gate.
 */

/** Dockerfile instruction keywords a vertex name can start with (`LINK` is the merge half of `COPY --link`). */
import type {StepProvenance} from '../provenance/types.js'

export const INSTRUCTION_KEYWORDS = [
  'FROM', 'RUN', 'COPY', 'ADD', 'WORKDIR', 'LINK',
  'ENV', 'ARG', 'LABEL', 'USER', 'EXPOSE', 'VOLUME', 'SHELL', 'CMD', 'ENTRYPOINT', 'ONBUILD', 'HEALTHCHECK', 'STOPSIGNAL',
] as const

/** An instruction keyword, or `internal` for plumbing vertices. */
export type StepKind = (typeof INSTRUCTION_KEYWORDS)[number] | 'internal'

export type RunStatus = 'completed' | 'failed' | 'cancelled' | 'incomplete'

/** One plaintext component of a step's cache key (docs/architecture.md, "Recorded inputs"). Stored so runs can be diffed part by part. */
export interface InputComponent {
  kind: 'instruction' | 'platform' | 'arg' | 'env' | 'file' | 'base-image' | 'from-stage' | 'mount'
  /** ARG/ENV name, file path (context-relative), image ref, stage name; '' where there is none */
  name: string
  /** the value, or for a secret-looking ARG a salted hash (`secret:<hex>`): never the plaintext */
  value: string
  secret?: boolean
}

/** The inputs behind a step's cache key, when the build context was seen (engine driver, `--context`). */
export interface StepInputs {
  components: InputComponent[]
  /** sha256 over the components and the parents' fingerprints */
  fingerprint: string
  /** Dockerfile path and 1-based line of the instruction */
  dockerfile?: string
  line?: number
}

export interface Step {
  /** vertex digest (NOT a stable identity across runs: see docs/architecture.md, "Steps, identity and the hit rate") */
  digest: string
  /** the vertex name with any bake target prefix */
  name: string
  /** bake target (from the `[target …]` prefix, or the run's single target) */
  target?: string
  /** `linux/amd64`; undefined when the build was single-platform and the name carries none */
  platform?: string
  /** stage name; `stage-N` for unnamed stages; undefined for single-stage Dockerfiles */
  stage?: string
  index?: number
  total?: number
  kind: StepKind
  /** instruction text without the bracket prefix, e.g. `COPY api/ ./api/` (ARG values already expanded) */
  instruction: string
  /** plumbing: `[internal] …`, exporting, cache import/export, auth … */
  internal: boolean
  /** a Dockerfile instruction other than FROM (docs/architecture.md, "Steps, identity and the hit rate") */
  cacheable: boolean
  cached: boolean
  /** cached only because a sibling bake target executed the same work earlier in this run */
  servedInRun: boolean
  /** started but never completed (cancelled or cut stream) */
  completed: boolean
  started?: number
  finished?: number
  /** union of the vertex's start/complete intervals, ms */
  durationMs: number
  error?: string
  /** vertex digests this one depends on */
  inputs: string[]
  /**
   * the last lines of the step's output, bounded (see MAX_LOG_LINES); empty when not kept (see
   * KeepLogs) or not read from the index
   */
  logTail: string[]
  /** recorded inputs (docs/architecture.md, "Recorded inputs") when known */
  stepInputs?: StepInputs
  /** the builder's own definition of the step (SLSA provenance, mode=max) when known */
  provenance?: StepProvenance
}

export interface RunTotals {
  cacheable: number
  hits: number
  servedInRun: number
  misses: number
  /** hits / cacheable, or null when nothing is cacheable */
  hitRate: number | null
  /** seconds saved / (saved + spent), or null when unknown */
  timeWeightedHitRate: number | null
  savedMs: number
  spentMs: number
  /** cacheable steps that never started (the build failed or was cancelled first): not in `cacheable` */
  notRun?: number
}

export interface Run {
  /** short stable id (first 12 hex of the content hash + sequence), assigned by the index */
  id?: string
  source: string
  /** file name the events came from */
  sourceFile?: string
  createdAt: number
  startedAt?: number
  finishedAt?: number
  durationMs: number
  status: RunStatus
  error?: string
  targets: string[]
  platforms: string[]
  steps: Step[]
  labels: Record<string, string>
  git?: {commit?: string; branch?: string}
  /** lines the decoder skipped (non-event text), counted not fatal */
  skippedLines: number
  /** what the memory limits (FOLD_LIMITS) cut from this run, in words; absent when nothing was cut */
  cutByLimits?: string[]
  /** build args / refs from a metadata file, secrets already masked */
  metadata?: RunMetadata
  /** content hash of the resolved bake plan, when one was recorded */
  planHash?: string
}

export interface RunMetadata {
  buildRefs?: Record<string, string>
  /** per target: build args as the frontend saw them (secret-looking ones masked) */
  buildArgs?: Record<string, Record<string, string>>
  /** per target × platform: base image pins `{ref: digest}` */
  baseImages?: Record<string, Record<string, string>>
  imageNames?: Record<string, string>
  cacheFrom?: Record<string, string[]>
  cacheTo?: Record<string, string[]>
  /** the Dockerfile the build used (`ingest --dockerfile`): tells an ARG expanded into a step's text from an edit */
  dockerfile?: {file: string; text: string}
  /** per target: the platforms the metadata file names (`containerimage.descriptor.platform`, `containerimage.buildinfo/<platform>`) */
  platforms?: Record<string, string[]>
  /** what SLSA provenance was recorded, per statement (platform) */
  provenance?: {platform?: string; predicateType: 'v0.2' | 'v1'; mode: 'max' | 'min'; steps: number; materials: {uri: string; digest: string}[]; buildArgs: Record<string, string>}[]
}

export const MAX_LOG_LINES = 20
export const MAX_LOG_LINE_LENGTH = 500

/**
 * Which steps keep a log tail (in the run, hence in the index): `failed` (default) — steps that
 * failed or never finished, the only ones whose output explains anything; `all`; `none`. Output is
 * most of a stream's bytes and differs on every build, so keeping every step's tail would make the
 * index grow by kilobytes per executed step per run.
 */
export type KeepLogs = 'failed' | 'all' | 'none'
export const KEEP_LOGS: readonly KeepLogs[] = ['failed', 'all', 'none']
