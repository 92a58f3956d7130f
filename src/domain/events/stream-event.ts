import type {SolveStatus} from './solve-status.js'

/** Where in an input an event or an error came from. Lines are 1-based. */
export interface InputPosition {
  line?: number
  /** byte offset for binary inputs (`.dockerbuild` frames) */
  offset?: number
  /** entry name inside an archive */
  entry?: string
}

/**
 * What a decoder yields, one item per meaningful piece of input.
 * Decoders are pure: they take already-read text/bytes and yield these; they never throw on a
 * single bad line (that becomes `skipped`), only on input that cannot be this format at all
 * (`InputError` from `../errors.js`).
 */
export type StreamEvent =
  | {type: 'status'; status: SolveStatus; position: InputPosition}
  /** the build as a whole failed (`errorDetail` in the Engine stream, ERROR block in plain logs) */
  | {type: 'build-error'; message: string; position: InputPosition}
  /** the build produced an image (`moby.image.id`) */
  | {type: 'result'; imageId: string; position: InputPosition}
  /** a line that is not an event (plain-text error block after a failed build, CLI noise) */
  | {type: 'skipped'; text: string; position: InputPosition; reason?: string}
  /** run-level facts some formats carry (a `.dockerbuild` record: ref, frontend attrs, times, status) */
  | {type: 'record'; record: BuildRecordInfo; position: InputPosition}
  /** an in-toto attestation a record carries (`.dockerbuild`: the SLSA provenance predicate, as JSON text) */
  | {type: 'attestation'; mediaType: string; predicateType?: string; text: string; position: InputPosition}

export interface BuildRecordInfo {
  ref?: string
  target?: string
  platforms?: string[]
  frontendAttrs?: Record<string, string>
  createdAt?: number
  completedAt?: number
  status?: 'completed' | 'failed' | 'cancelled'
  error?: string
}

export {EVENT_FORMATS, type EventFormat} from './formats.js'
