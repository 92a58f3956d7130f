import {BakedoctorError} from '../errors.js'

/**
 * A manifest, cache config or image config that is not what its media type promises.
 * Pure (domain); the service attaches the ref and turns it into an ExternalError (exit 1):
 * the registry content is broken, not the user's input.
 */
export class OciFormatError extends BakedoctorError {
  readonly kind = 'external'
}
