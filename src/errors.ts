import {BakedoctorError, EXIT_CODES, ExternalError, FailedCheck, InputError, UsageError, formatLocation} from './domain/errors.js'

export {BakedoctorError, ExternalError, FailedCheck, InputError, UsageError, formatLocation}

/** The exit code of whatever a command threw (EXIT_CODES for ours; oclif's parse errors carry 2). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof BakedoctorError) return error.exitCode
  const oclifExit = (error as {oclif?: {exit?: number}})?.oclif?.exit
  if (typeof oclifExit === 'number') return oclifExit
  return EXIT_CODES.external
}

/** One sentence (or two) for stderr: what is wrong, where, what to do. */
export function renderError(error: unknown): string {
  if (error instanceof BakedoctorError) {
    const where = error.kind === 'input' || error.file ? `${formatLocation(error.file, error.position)}: ` : ''
    return `Error: ${where}${error.message}${error.fix ? `\n  Fix: ${error.fix}` : ''}`
  }
  if (error instanceof Error) return `Error: ${error.message}`
  return `Error: ${String(error)}`
}
