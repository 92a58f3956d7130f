import {InputError, formatLocation} from './domain/errors.js'

export {InputError, formatLocation}

/** A user-fixable problem that is not about an input file (unknown run id, missing engine). Exit 2. */
export class UsageError extends Error {
  readonly fix?: string
  constructor(message: string, options: {fix?: string; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = 'UsageError'
    this.fix = options.fix
  }
}

/** Something outside bakedoctor failed: the engine, a registry, a child process. Exit 1. */
export class ExternalError extends Error {
  readonly fix?: string
  constructor(message: string, options: {fix?: string; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = 'ExternalError'
    this.fix = options.fix
  }
}

/** A rule failed (gate) or the build failed: not an error of bakedoctor's, but exit 1. */
export class FailedCheck extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FailedCheck'
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof InputError || error instanceof UsageError) return 2
  const oclifExit = (error as {oclif?: {exit?: number}})?.oclif?.exit
  if (typeof oclifExit === 'number') return oclifExit
  return 1
}

/** One sentence (or two) for stderr: what is wrong, where, what to do. */
export function renderError(error: unknown): string {
  if (error instanceof InputError) {
    const where = formatLocation(error.file, error.position)
    return `Error: ${where}: ${error.message}${error.fix ? `\n  Fix: ${error.fix}` : ''}`
  }
  if (error instanceof UsageError || error instanceof ExternalError) {
    return `Error: ${error.message}${error.fix ? `\n  Fix: ${error.fix}` : ''}`
  }
  if (error instanceof Error) return `Error: ${error.message}`
  return `Error: ${String(error)}`
}
