import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {PassThrough} from 'node:stream'

/**
 * The sha256 of what was ingested, so that the same capture ingested twice is recognised. A file is
 * hashed in its own pass (a read of what the decoders read anyway); stdin is hashed as it flows by.
 */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, {highWaterMark: 1024 * 1024})) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}

/** `stream` passed through unchanged; `digest()` once it has been read to the end. */
export function hashingStream(stream: NodeJS.ReadableStream): {stream: NodeJS.ReadableStream; digest: () => string} {
  const hash = createHash('sha256')
  const through = new PassThrough({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      done(null, chunk)
    },
  } as ConstructorParameters<typeof PassThrough>[0])
  stream.pipe(through)
  let value: string | undefined
  return {stream: through, digest: () => (value ??= `sha256:${hash.digest('hex')}`)}
}
