import type {InputPosition} from './events/stream-event.js'

/**
 * A user-fixable problem with something the user handed us (a stream, a bake file, a flag value).
 * Exit code 2. The message must say what is wrong; `fix` says what to do; `file` and `position`
 * say where. Pure: lives in domain so decoders and resolvers can throw it.
 */
export class InputError extends Error {
  readonly file?: string
  readonly position?: InputPosition
  readonly fix?: string

  constructor(message: string, options: {file?: string; position?: InputPosition; fix?: string; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = 'InputError'
    this.file = options.file
    this.position = options.position
    this.fix = options.fix
  }

  /** The same error, attributed to a file (decoders do not know file names). */
  withFile(file: string): InputError {
    if (this.file) return this
    return new InputError(this.message, {file, position: this.position, fix: this.fix, cause: this.cause})
  }
}

/** `file:line` / `file@offset` / `file!entry` for messages. */
export function formatLocation(file: string | undefined, position: InputPosition | undefined): string {
  let where = file ?? '<input>'
  if (position?.entry) where += `!${position.entry}`
  if (position?.line !== undefined) where += `:${position.line}`
  else if (position?.offset !== undefined) where += `@${position.offset}`
  return where
}
