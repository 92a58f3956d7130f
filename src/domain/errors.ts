import type {InputPosition} from './events/stream-event.js'

/**
 * What kind of problem an error is. The kind alone decides the exit code, here and nowhere else:
 * 2 for what the user can fix in what they handed us (input, usage), 1 for what failed outside
 * bakedoctor or a check that did not pass.
 */
export type ErrorKind = 'input' | 'usage' | 'external' | 'failed-check'

export const EXIT_CODES: Readonly<Record<ErrorKind, 1 | 2>> = {input: 2, usage: 2, external: 1, 'failed-check': 1}

export interface ErrorOptions {
  /** what to do about it */
  fix?: string
  /** the file (or flag, e.g. `--set`) the problem is in */
  file?: string
  position?: InputPosition
  cause?: unknown
  /** the command's typed result, when there is one to show with the error (`--json` prints it) */
  result?: unknown
  /** the report on stdout already said it (the gate's headline): not repeated on stderr */
  reported?: boolean
}

/**
 * The one base of bakedoctor's errors: the message says what is wrong, `file` and `position` say
 * where, `fix` says what to do; `kind` decides the exit code (EXIT_CODES). Pure: lives in domain so
 * decoders, parsers and resolvers can throw these.
 */
export abstract class BakedoctorError extends Error {
  abstract readonly kind: ErrorKind
  readonly fix?: string
  readonly file?: string
  readonly position?: InputPosition
  readonly result?: unknown
  readonly reported?: boolean

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.fix = options.fix
    this.file = options.file
    this.position = options.position
    this.result = options.result
    this.reported = options.reported
  }

  get exitCode(): 1 | 2 {
    return EXIT_CODES[this.kind]
  }
}

/** A user-fixable problem with something the user handed us (a stream, a bake file, a flag value). Exit 2. */
export class InputError extends BakedoctorError {
  readonly kind = 'input'

  /** The same error, attributed to a file (decoders do not know file names). */
  withFile(file: string): InputError {
    if (this.file) return this
    return new InputError(this.message, {file, position: this.position, fix: this.fix, cause: this.cause})
  }
}

/** A user-fixable problem that is not about an input file (unknown run id, missing engine, bad flag combination). Exit 2. */
export class UsageError extends BakedoctorError {
  readonly kind = 'usage'
}

/** Something outside bakedoctor failed: the engine, a registry, a child process. Exit 1. */
export class ExternalError extends BakedoctorError {
  readonly kind = 'external'
}

/** A rule failed (gate) or the build failed: not an error of bakedoctor's, but exit 1. */
export class FailedCheck extends BakedoctorError {
  readonly kind = 'failed-check'
}

/** `file:line` / `file@offset` / `file!entry` for messages. */
export function formatLocation(file: string | undefined, position: InputPosition | undefined): string {
  let where = file ?? '<input>'
  if (position?.entry) where += `!${position.entry}`
  if (position?.line !== undefined) where += `:${position.line}`
  else if (position?.offset !== undefined) where += `@${position.offset}`
  return where
}
