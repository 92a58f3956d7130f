import type {Readable} from 'node:stream'
import {ExternalError} from '../../errors.js'
import {connectionError, parseDockerHost, type EngineEndpoint} from './host.js'

type Undici = typeof import('undici')
type Dispatcher = import('undici').Dispatcher

export interface ImageInfo {
  /** image id (config digest) */
  id: string
  repoDigests: string[]
  repoTags: string[]
  os?: string
  architecture?: string
  variant?: string
}

export interface EngineBuildParams {
  tags?: string[]
  /** path of the Dockerfile inside the context tar */
  dockerfile?: string
  target?: string
  buildArgs?: Record<string, string>
  labels?: Record<string, string>
  /** `none` (default), `host`, `default` */
  networkMode?: string
  platform?: string
  noCache?: boolean
  pull?: boolean
  cacheFrom?: string[]
}

/** The Engine's `/build` query string for BuildKit (`version=2`), events.md §3.1. */
export function buildQuery(params: EngineBuildParams): string {
  const q = new URLSearchParams()
  q.set('version', '2')
  for (const tag of params.tags ?? []) q.append('t', tag)
  if (params.dockerfile) q.set('dockerfile', params.dockerfile)
  if (params.target) q.set('target', params.target)
  q.set('buildargs', JSON.stringify(params.buildArgs ?? {}))
  if (params.labels && Object.keys(params.labels).length) q.set('labels', JSON.stringify(params.labels))
  q.set('networkmode', params.networkMode ?? 'none')
  if (params.platform) q.set('platform', params.platform)
  if (params.noCache) q.set('nocache', '1')
  if (params.pull) q.set('pull', '1')
  if (params.cacheFrom?.length) q.set('cachefrom', JSON.stringify(params.cacheFrom))
  return q.toString()
}

async function readText(body: AsyncIterable<Buffer | Uint8Array>, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    if (size < limit) chunks.push(Buffer.from(chunk))
    size += chunk.length
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit)
}

function engineMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as {message?: unknown}
    if (typeof parsed.message === 'string') return parsed.message
  } catch {
    // plain text error
  }
  return text.trim()
}

/**
 * A small Docker Engine API client over undici: one dispatcher on the unix socket
 * (or a plain tcp address). undici is imported lazily, on first use.
 */
export class EngineClient {
  readonly endpoint: EngineEndpoint
  private undici?: Undici
  private dispatcher?: Dispatcher

  constructor(dockerHost: string | undefined = process.env.DOCKER_HOST) {
    this.endpoint = parseDockerHost(dockerHost)
  }

  private async setup(): Promise<{undici: Undici; dispatcher: Dispatcher; origin: string}> {
    if (!this.undici) {
      this.undici = await import('undici')
      this.dispatcher =
        this.endpoint.kind === 'unix'
          ? new this.undici.Agent({connect: {socketPath: this.endpoint.socketPath}, headersTimeout: 0, bodyTimeout: 0})
          : new this.undici.Agent({headersTimeout: 0, bodyTimeout: 0})
    }
    const origin = this.endpoint.kind === 'unix' ? 'http://localhost' : this.endpoint.origin
    return {undici: this.undici, dispatcher: this.dispatcher!, origin}
  }

  private async request(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    options: {body?: Readable | AsyncIterable<Uint8Array>; headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number} = {},
  ): Promise<{statusCode: number; headers: Record<string, string | string[] | undefined>; body: AsyncIterable<Buffer> & {dump?: () => Promise<void>}}> {
    const {undici, dispatcher, origin} = await this.setup()
    try {
      const response = await undici.request(`${origin}${pathAndQuery}`, {
        method,
        dispatcher,
        headers: options.headers,
        body: options.body as Readable | undefined,
        signal: options.signal,
        headersTimeout: options.timeoutMs ?? 0,
        bodyTimeout: options.timeoutMs ?? 0,
      })
      return response as never
    } catch (error) {
      if ((error as Error).name === 'AbortError' || options.signal?.aborted) throw error
      throw connectionError(this.endpoint, error)
    }
  }

  /** `GET /_ping`: the engine's API version; throws ExternalError when unreachable. */
  async ping(timeoutMs = 5000): Promise<{apiVersion?: string}> {
    const r = await this.request('GET', '/_ping', {timeoutMs})
    const text = await readText(r.body)
    if (r.statusCode !== 200) throw new ExternalError(`the Docker Engine at ${this.endpoint.display} answered /_ping with HTTP ${r.statusCode}: ${text.trim()}`)
    const v = r.headers['api-version']
    return {apiVersion: Array.isArray(v) ? v[0] : v}
  }

  /** `GET /version`: the platform the engine builds for by default (`linux/amd64`). */
  async platform(): Promise<string | undefined> {
    const r = await this.request('GET', '/version', {timeoutMs: 5000})
    const text = await readText(r.body)
    if (r.statusCode !== 200) return undefined
    const v = JSON.parse(text) as {Os?: unknown; Arch?: unknown}
    return typeof v.Os === 'string' && typeof v.Arch === 'string' && v.Os && v.Arch ? `${v.Os}/${v.Arch}` : undefined
  }

  /** `GET /images/{ref}/json`; undefined when the engine does not have the image. */
  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    const r = await this.request('GET', `/images/${encodeURIComponent(ref).replace(/%2F/g, '/')}/json`, {timeoutMs: 30_000})
    const text = await readText(r.body, 16 * 1024 * 1024)
    if (r.statusCode === 404) return undefined
    if (r.statusCode !== 200) throw new ExternalError(`inspecting image ${ref} failed: HTTP ${r.statusCode}: ${engineMessage(text)}`)
    const raw = JSON.parse(text) as {Id: string; RepoDigests?: string[] | null; RepoTags?: string[] | null; Os?: string; Architecture?: string; Variant?: string}
    return {
      id: raw.Id,
      repoDigests: raw.RepoDigests ?? [],
      repoTags: raw.RepoTags ?? [],
      os: raw.Os,
      architecture: raw.Architecture,
      variant: raw.Variant,
    }
  }

  /**
   * `POST /build?version=2` with a tar body (no session needed, events.md §3.3). Returns the response
   * body (JSON lines ending in `\r\n`). An HTTP error before the stream starts becomes an ExternalError
   * carrying the engine's message.
   */
  async build(params: EngineBuildParams, tar: Readable | AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const r = await this.request('POST', `/build?${buildQuery(params)}`, {
      body: tar,
      headers: {'content-type': 'application/x-tar', 'x-registry-config': Buffer.from('{}').toString('base64')},
      signal,
    })
    if (r.statusCode !== 200) {
      const text = await readText(r.body)
      throw new ExternalError(`the Docker Engine rejected the build (HTTP ${r.statusCode}): ${engineMessage(text)}`, {
        fix: r.statusCode === 400 || r.statusCode === 500 ? 'check the Dockerfile, the target and the build args' : undefined,
      })
    }
    return r.body
  }

  async close(): Promise<void> {
    await this.dispatcher?.close()
    this.dispatcher = undefined
    this.undici = undefined
  }
}
