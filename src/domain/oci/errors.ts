/**
 * A manifest, cache config or image config that is not what its media type promises.
 * Pure (domain); the service attaches the ref and turns it into an ExternalError (exit 1):
 * the registry content is broken, not the user's input.
 */
export class OciFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OciFormatError'
  }
}
