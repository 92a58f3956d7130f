import {ExternalError} from '../../errors.js'

export type RegistryErrorCode =
  | 'unauthorized' // 401 after trying the credentials we have (or none)
  | 'denied' // 403
  | 'not-found' // 404 manifest / blob
  | 'rate-limited' // 429 after the retries
  | 'server' // 5xx after the retries
  | 'network' // connection refused / reset / timeout after the retries
  | 'tls' // certificate problem
  | 'digest-mismatch'
  | 'too-large'
  | 'protocol' // redirect loop, missing header, unexpected status, unusable auth challenge
  | 'credentials' // docker config / credential helper problem

/**
 * A registry call failed. Exit 1 (external). Messages name the registry, the repository and what to
 * do, and never contain a credential: they are built from our own words, never from request headers.
 */
export class RegistryError extends ExternalError {
  readonly code: RegistryErrorCode
  readonly status?: number
  constructor(code: RegistryErrorCode, message: string, options: {fix?: string; status?: number; cause?: unknown} = {}) {
    super(message, {fix: options.fix, cause: options.cause})
    this.name = 'RegistryError'
    this.code = code
    this.status = options.status
  }
}
