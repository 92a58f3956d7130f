import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {PassThrough} from 'node:stream'
import {Worker} from 'node:worker_threads'

/**
 * The sha256 of what was ingested, so that the same capture ingested twice is recognised. A file is
 * hashed in its own pass (a read of what the decoders read anyway); stdin is hashed as it flows by.
 */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, {highWaterMark: 1024 * 1024})) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}

/**
 * The file's sha256 as `hashFile` gives it, computed on a worker thread that reads the file on its
 * own (from the page cache, as the decoder reads it) while the caller decodes: the hash then costs
 * no time on the main thread (~170 ms for a 165 MB stream). A worker that cannot start or fails
 * falls back to `hashFile`. `cancel()` stops it (the caller failed and will not ask for the digest).
 */
export function hashFileInBackground(file: string): {digest: () => Promise<string>; cancel: () => void} {
  let worker: ReturnType<typeof hashInWorker>
  try {
    worker = hashInWorker(file)
  } catch {
    return {digest: () => hashFile(file), cancel: () => undefined}
  }
  const digest = worker.digest.catch(() => hashFile(file))
  return {
    digest: () => {
      // a worker still hashing keeps the process alive only once its digest is asked for (a failed ingest exits at once)
      worker.ref()
      return digest
    },
    cancel: worker.cancel,
  }
}

/** The worker alone (no fallback), unref'd. */
export function hashInWorker(file: string): {digest: Promise<string>; ref: () => void; cancel: () => void} {
  // plain CommonJS evaluated in the worker: no module file to resolve (works from src/ and dist/)
  const worker = new Worker(HASH_WORKER, {eval: true, workerData: {file}, resourceLimits: {maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2}})
  const digest = new Promise<string>((resolve, reject) => {
    worker.once('message', (value: string) => resolve(value))
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the hashing worker exited (${code})`)))
  })
  worker.unref()
  return {digest, ref: () => worker.ref(), cancel: () => void worker.terminate().catch(() => undefined)}
}

/** hashFile's loop, reading into one reused buffer (the worker's heap stays small). */
const HASH_WORKER = `
const {parentPort, workerData} = require('node:worker_threads')
const {createHash} = require('node:crypto')
const fs = require('node:fs')
const hash = createHash('sha256')
const buf = Buffer.allocUnsafe(1024 * 1024)
const fd = fs.openSync(workerData.file, 'r')
try {
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n))
} finally {
  fs.closeSync(fd)
}
parentPort.postMessage('sha256:' + hash.digest('hex'))
`

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
