/** HTTP details of the registry client: retries, deadlines, bounded bodies, TLS probing, error codes. */
import {createHash} from 'node:crypto'
import {isIP} from 'node:net'
import type {Dispatcher} from 'undici'
import type {RawResponse} from './client.js'
import {RegistryError} from './errors.js'

export const MAX_REDIRECTS = 5
export const ERROR_BODY_BYTES = 64 * 1024
export const RETRY_STATUS = new Set([429, 500, 502, 503, 504])
export const RETRY_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
])
export const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_|HOSTNAME_MISMATCH)/

export function isLoopbackHost(host: string): boolean {
  const bracketed = /^\[(.*)\](?::\d+)?$/.exec(host)
  const name = bracketed ? (bracketed[1] as string) : host.replace(/:\d+$/, '')
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  if (isIP(name) === 4) return name.startsWith('127.')
  return name === '::1'
}

export function header(headers: RawResponse['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

/** `Retry-After` in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export function sha256(bytes: Buffer): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex')
}

/** The registry's own error code (`MANIFEST_UNKNOWN`, `DENIED`, …) from an error body, for messages. */
export function registryErrorCode(bytes: Buffer): string | undefined {
  try {
    const body = JSON.parse(bytes.toString('utf8')) as {errors?: Array<{code?: unknown}>}
    const code = body.errors?.[0]?.code
    return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? code : undefined
  } catch {
    return undefined
  }
}

export const DEFAULT_REQUEST_DEADLINE_MS = 120_000

export function deadlineFromEnv(value: string | undefined): number | undefined {
  const seconds = Number(value)
  return value && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined
}

export function speaksTls(url: URL): RegistryError {
  return new RegistryError('tls', `${url.host} speaks HTTPS, but --insecure made bakedoctor talk plain HTTP to it (--insecure means plain HTTP for a registry on this machine)`, {
    fix: 'drop --insecure (and pass --ca-file with the CA of its certificate if it is self-signed)',
  })
}

/** Whether host:port completes a TLS handshake (certificate not checked: only the protocol matters). */
/** The TLS failure of a request, in words with the fix; undefined when the failure is not about TLS. */
export function tlsError(url: URL, error: unknown, code: string): RegistryError | undefined {
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG/.test(code) || /wrong version number/i.test((error as Error).message ?? '')) {
    return new RegistryError('tls', `${url.host} does not speak TLS (${code || 'wrong version number'})`, {
      fix: isLoopbackHost(url.host) ? 'for a plain-HTTP registry on this machine, pass --insecure' : 'check the registry address and port',
    })
  }
  if (TLS_CODES.test(code)) {
    return new RegistryError('tls', `the TLS certificate of ${url.host} could not be verified (${code})`, {
      fix: `pass --ca-file with the CA that signed it${isLoopbackHost(url.host) ? ', or --insecure for a plain-HTTP registry on this machine' : ''}`,
    })
  }
  return undefined
}

/** HTTPS to a loopback registry that does not speak TLS is retried over plain HTTP, as Docker does (no --insecure needed). */
export function fallsBackToPlainHttp(url: URL, error: unknown, hasCa: boolean): boolean {
  return url.protocol === 'https:' && isLoopbackHost(url.host) && !hasCa
    && error instanceof RegistryError && error.code === 'tls' && / does not speak TLS /.test(error.message)
}

export async function answersTls(url: URL): Promise<boolean> {
  const {connect} = await import('node:tls')
  return new Promise((resolve) => {
    const socket = connect({host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), rejectUnauthorized: false, timeout: 3000})
    const done = (result: boolean) => {
      socket.destroy()
      resolve(result)
    }
    socket.once('secureConnect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

/** Reads a body up to `max` bytes; beyond that it aborts (successful responses) or truncates (error bodies). */
export async function readBounded(body: Dispatcher.ResponseData['body'], max: number, strict: boolean, contentLength: string | undefined, what: string): Promise<Buffer> {
  const declared = contentLength !== undefined ? Number(contentLength) : undefined
  if (strict && declared !== undefined && declared > max) {
    body.destroy()
    throw new RegistryError('too-large', `${what} is too large (${declared} bytes > limit ${max})`, {fix: 'raise the limit (--max-manifest-size / --max-config-size) if the content is expected'})
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of body) {
    const buf = chunk as Buffer
    total += buf.length
    if (total > max) {
      body.destroy()
      if (!strict) break
      throw new RegistryError('too-large', `${what} is too large (more than ${max} bytes)`, {fix: 'raise the limit (--max-manifest-size / --max-config-size) if the content is expected'})
    }
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}
