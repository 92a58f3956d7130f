import {rootCertificates} from 'node:tls'
import type {Dispatcher} from 'undici'
import {loadUndiciCore, type RequestFn} from '../undici-core.js'
import {registerSecret} from '../../lib/redact.js'
import {MANIFEST_ACCEPT} from '../../domain/oci/media-types.js'
import {formatReference, referenceTarget, type ImageReference} from '../../domain/oci/reference.js'
import {parseWwwAuthenticate, pullScope, tokenFromResponse, type AuthChallenge} from './auth.js'
import type {RegistryCredentials} from './docker-config.js'
import {RegistryError} from './errors.js'
import {
  DEFAULT_REQUEST_DEADLINE_MS, ERROR_BODY_BYTES, MAX_REDIRECTS, RETRY_CODES, RETRY_STATUS, answersTls, deadlineFromEnv, fallsBackToPlainHttp, header, tlsError, isLoopbackHost,
  parseRetryAfter, readBounded, registryErrorCode, sha256, speaksTls,
} from './http.js'

export {isLoopbackHost, parseRetryAfter}

export const DEFAULT_LIMITS = {
  /** registries cap manifests at about 4 MiB (cache.md §5, moby/buildkit#4916) */
  manifestBytes: 4 * 1024 * 1024,
  /** cache config blobs */
  configBytes: 64 * 1024 * 1024,
}

export interface RetryPolicy {
  /** retries after the first attempt */
  retries: number
  baseDelayMs: number
  /** upper bound for any single wait, including a server's Retry-After */
  maxDelayMs: number
}

export interface RegistryClientOptions {
  /** injected transport (tests pass a MockAgent); when set, `caPem` and insecure TLS are the caller's business */
  dispatcher?: Dispatcher
  /** extra CA certificates (PEM), trusted in addition to the system roots */
  caPem?: string | Buffer
  /**
   * Registries (host[:port]) the user named with --insecure: plain HTTP when on loopback, otherwise HTTPS
   * without certificate verification. Every other host (token realms, blob storage) is verified.
   */
  insecureHosts?: string[]
  credentials?: {get(host: string): Promise<RegistryCredentials | undefined>}
  retry?: Partial<RetryPolicy>
  headersTimeoutMs?: number
  bodyTimeoutMs?: number
  /**
   * Overall deadline of one request (headers and the whole body): a server that trickles a byte
   * every few seconds never trips the idle timeouts above. Default: BAKEDOCTOR_REGISTRY_TIMEOUT
   * (seconds) or 120 s.
   */
  requestDeadlineMs?: number
  /** injectable for tests of the backoff; default setTimeout */
  sleep?: (ms: number) => Promise<void>
}

export interface FetchedManifest {
  /** sha256 of the bytes (verified against the header / the pinned digest) */
  digest: string
  mediaType: string
  size: number
  bytes: Buffer
}

type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT'

export interface AuthorizedRequest {
  method?: HttpMethod
  accept?: string
  body?: string | Buffer
  contentType?: string
  maxBytes: number
  what: string
}

interface SendOptions {
  method?: HttpMethod
  accept?: string
  authorization?: string
  body?: string | Buffer
  contentType?: string
  maxBytes: number
  what: string
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  url: URL
  bytes: Buffer
}

/**
 * Creates a client for the OCI distribution API. undici is imported here, lazily, so commands that
 * never talk to a registry do not pay for it.
 */
export async function createRegistryClient(options: RegistryClientOptions = {}): Promise<RegistryClient> {
  const undici = loadUndiciCore()
  let verified: Dispatcher
  let unverified: Dispatcher | undefined
  let owned: Dispatcher[] = []
  if (options.dispatcher) {
    verified = options.dispatcher
  } else {
    const common = {headersTimeout: options.headersTimeoutMs ?? 30_000, bodyTimeout: options.bodyTimeoutMs ?? 120_000, keepAliveTimeout: 10_000}
    verified = new undici.Agent({...common, connect: options.caPem ? {ca: [...rootCertificates, options.caPem.toString()]} : {}})
    owned = [verified]
    if ((options.insecureHosts ?? []).some((h) => !isLoopbackHost(h))) {
      unverified = new undici.Agent({...common, connect: {rejectUnauthorized: false}})
      owned.push(unverified)
    }
  }
  return new RegistryClient(undici.request, options, verified, unverified, owned)
}

export class RegistryClient {
  private readonly retry: RetryPolicy
  private readonly insecure: Set<string>
  /** Authorization header per `host repository`, reused so later calls skip the 401 round trip */
  private readonly authCache = new Map<string, string>()
  private readonly sleep: (ms: number) => Promise<void>
  private readonly deadlineMs: number

  constructor(
    private readonly request: RequestFn,
    private readonly options: RegistryClientOptions,
    private readonly verified: Dispatcher,
    private readonly unverified: Dispatcher | undefined,
    private readonly owned: Dispatcher[],
  ) {
    this.retry = {retries: 3, baseDelayMs: 250, maxDelayMs: 10_000, ...options.retry}
    this.insecure = new Set((options.insecureHosts ?? []).map((h) => h.toLowerCase()))
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    this.deadlineMs = options.requestDeadlineMs ?? deadlineFromEnv(process.env.BAKEDOCTOR_REGISTRY_TIMEOUT) ?? DEFAULT_REQUEST_DEADLINE_MS
  }

  async close(): Promise<void> {
    await Promise.all(this.owned.map((d) => d.close()))
  }

  /** Loopback registries found to speak plain HTTP (Docker treats 127.0.0.0/8 as insecure by default). */
  private readonly plainLoopback = new Set<string>()

  /** `https://host/v2/` or, for a loopback registry named by --insecure or found to speak plain HTTP, `http://…`. */
  baseUrl(registry: string): string {
    const plain = [this.insecure, this.plainLoopback].some((hosts) => hosts.has(registry.toLowerCase())) && isLoopbackHost(registry)
    return `${plain ? 'http' : 'https'}://${registry}/v2/`
  }

  private dispatcherFor(url: URL): Dispatcher {
    if (url.protocol === 'https:' && this.unverified && this.insecure.has(url.host.toLowerCase())) return this.unverified
    return this.verified
  }

  /** GET a manifest by tag or digest, bounded and verified (the pinned digest, or `Docker-Content-Digest`). */
  async getManifest(ref: ImageReference, options: {target?: string; maxBytes?: number; accept?: string} = {}): Promise<FetchedManifest> {
    const target = options.target ?? referenceTarget(ref)
    const url = new URL(`${ref.repository}/manifests/${target}`, this.baseUrl(ref.registry))
    const what = `the manifest of ${formatReference({...ref, tag: target.startsWith('sha256:') ? undefined : target, digest: target.startsWith('sha256:') ? target : undefined})}`
    const maxBytes = options.maxBytes ?? DEFAULT_LIMITS.manifestBytes
    const res = await this.authorized(ref, url, {accept: options.accept ?? MANIFEST_ACCEPT, maxBytes, what})
    const digest = sha256(res.bytes)
    const expected = target.startsWith('sha256:') ? target : header(res.headers, 'docker-content-digest')
    if (expected && expected !== digest) {
      throw new RegistryError('digest-mismatch', `${what} does not match its digest: expected ${expected}, got ${digest}`, {
        fix: 'the registry or a proxy in between altered the content; retry, or inspect the registry',
      })
    }
    const mediaType = (header(res.headers, 'content-type') ?? '').split(';')[0]?.trim() ?? ''
    return {digest, mediaType, size: res.bytes.length, bytes: res.bytes}
  }

  /** GET a blob, bounded by `maxBytes` and verified against `digest`. Redirects to blob storage are followed without Authorization. */
  async getBlob(ref: ImageReference, digest: string, options: {maxBytes: number; what?: string}): Promise<Buffer> {
    const url = new URL(`${ref.repository}/blobs/${digest}`, this.baseUrl(ref.registry))
    const what = options.what ?? `blob ${digest} of ${ref.registry}/${ref.repository}`
    const res = await this.authorized(ref, url, {accept: '*/*', maxBytes: options.maxBytes, what})
    const actual = sha256(res.bytes)
    if (actual !== digest) {
      throw new RegistryError('digest-mismatch', `${what} does not match its digest: expected ${digest}, got ${actual}`, {
        fix: 'the registry or a proxy in between altered the content; retry, or inspect the registry',
      })
    }
    return res.bytes
  }

  /**
   * One logical request to `ref`'s registry (history push/pull use it for uploads, manifest PUTs and
   * tag lists): the same auth, TLS, retries and limits as every GET. Non-2xx answers are errors.
   */
  async call(ref: ImageReference, url: URL, o: AuthorizedRequest): Promise<{status: number; headers: RawResponse['headers']; bytes: Buffer}> {
    return this.authorized(ref, url, o)
  }

  /** One logical request: cached auth, then the 401 challenge flow once, then status mapping. */
  private async authorized(ref: ImageReference, url: URL, o: AuthorizedRequest): Promise<RawResponse> {
    const cacheKey = `${ref.registry} ${ref.repository}`
    // an upload URL on other storage (the registry's Location) never sees the registry's credentials
    const sameOrigin = url.origin === new URL(this.baseUrl(ref.registry)).origin
    let auth = sameOrigin ? this.authCache.get(cacheKey) : undefined
    const request = {method: o.method, accept: o.accept, body: o.body, contentType: o.contentType, maxBytes: o.maxBytes, what: o.what}
    let res = await this.send(url, {...request, authorization: auth})
    if (res.status === 401) {
      const challenges = parseWwwAuthenticate(header(res.headers, 'www-authenticate') ?? '')
      const creds = await this.options.credentials?.get(ref.registry)
      if (auth && !challenges.length) throw this.unauthorized(ref, o.what, creds !== undefined)
      auth = await this.answerChallenge(ref, challenges, creds, url, o.what)
      if (auth === undefined) throw this.unauthorized(ref, o.what, creds !== undefined)
      this.authCache.set(cacheKey, auth)
      res = await this.send(url, {...request, authorization: auth})
      if (res.status === 401) throw this.unauthorized(ref, o.what, creds !== undefined)
    }
    if (res.status >= 200 && res.status < 300) return res
    const code = registryErrorCode(res.bytes)
    const suffix = code ? ` (${code})` : ''
    if (res.status === 403) {
      throw new RegistryError('denied', `${ref.registry} denied access to ${o.what}${suffix}`, {status: 403, fix: `check that your account may pull ${ref.repository}`})
    }
    if (res.status === 404) {
      throw new RegistryError('not-found', `${o.what} does not exist on ${ref.registry}${suffix}`, {status: 404, fix: 'check the reference (registry, repository, tag) and that the cache was pushed'})
    }
    if (res.status === 429) throw new RegistryError('rate-limited', `${ref.registry} kept rate-limiting requests for ${o.what} (429)`, {status: 429, fix: 'wait a while and retry, or log in to raise the limit'})
    if (res.status >= 500) throw new RegistryError('server', `${ref.registry} failed to serve ${o.what} (HTTP ${res.status}${suffix})`, {status: res.status, fix: 'retry later'})
    throw new RegistryError('protocol', `${ref.registry} answered HTTP ${res.status} for ${o.what}${suffix}`, {status: res.status})
  }

  private unauthorized(ref: ImageReference, what: string, hadCredentials: boolean): RegistryError {
    return hadCredentials
      ? new RegistryError('unauthorized', `${ref.registry} rejected the stored credentials for ${what} (401)`, {status: 401, fix: `run docker login ${ref.registry} again (DOCKER_CONFIG selects the config directory)`})
      : new RegistryError('unauthorized', `${ref.registry} requires authentication for ${what} and no credentials were found for it (401)`, {
          status: 401,
          fix: `run docker login ${ref.registry}, or point DOCKER_CONFIG at a directory whose config.json has credentials for ${ref.registry}`,
        })
  }

  /** The Authorization header for a challenge: Basic from credentials, or a Bearer token from the realm. */
  private async answerChallenge(ref: ImageReference, challenges: AuthChallenge[], creds: RegistryCredentials | undefined, url: URL, what: string): Promise<string | undefined> {
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    if (bearer) return this.fetchToken(ref, bearer, creds, what)
    const basic = challenges.find((c) => c.scheme === 'basic')
    if (basic) {
      if (!creds || creds.password === undefined) return undefined
      this.assertSafeForCredentials(url, ref.registry)
      const encoded = Buffer.from(`${creds.username}:${creds.password}`).toString('base64')
      registerSecret(encoded)
      return 'Basic ' + encoded
    }
    throw new RegistryError('protocol', `${ref.registry} asked for authentication with a challenge bakedoctor does not support (${challenges.map((c) => c.scheme).join(', ') || 'none'})`, {status: 401})
  }

  /** Credentials go over TLS, or over plain HTTP only to a loopback host. */
  private assertSafeForCredentials(url: URL, registry: string): void {
    if (url.protocol === 'https:' || isLoopbackHost(url.host)) return
    throw new RegistryError('protocol', `refusing to send credentials for ${registry} over plain HTTP to ${url.host}`, {fix: 'use HTTPS for the registry and its token service'})
  }

  /** Docker token flow: GET realm?service&scope (Basic with credentials), or the OAuth2 refresh-token POST for identity tokens. */
  private async fetchToken(ref: ImageReference, challenge: AuthChallenge, creds: RegistryCredentials | undefined, what: string): Promise<string> {
    const realm = challenge.params.realm
    let realmUrl: URL
    try {
      realmUrl = new URL(realm ?? '')
    } catch {
      throw new RegistryError('protocol', `${ref.registry} sent a bearer challenge without a usable realm`, {status: 401})
    }
    const scope = challenge.params.scope || pullScope(ref.repository)
    const service = challenge.params.service
    let res: RawResponse
    if (creds?.identityToken) {
      this.assertSafeForCredentials(realmUrl, ref.registry)
      const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'bakedoctor', scope})
      if (service) form.set('service', service)
      res = await this.send(realmUrl, {method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded', maxBytes: 1024 * 1024, what: `a token for ${what}`})
    } else {
      const tokenUrl = new URL(realmUrl)
      if (service) tokenUrl.searchParams.set('service', service)
      tokenUrl.searchParams.set('scope', scope)
      let authorization: string | undefined
      if (creds && creds.password !== undefined) {
        this.assertSafeForCredentials(tokenUrl, ref.registry)
        const encoded = Buffer.from(`${creds.username}:${creds.password}`).toString('base64')
        registerSecret(encoded)
        authorization = 'Basic ' + encoded
      }
      res = await this.send(tokenUrl, {authorization, maxBytes: 1024 * 1024, what: `a token for ${what}`})
    }
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError('unauthorized', creds
        ? `the token service of ${ref.registry} (${realmUrl.host}) rejected the stored credentials (HTTP ${res.status})`
        : `${ref.registry} requires authentication for ${what} and no credentials were found for it (token service answered HTTP ${res.status})`, {
        status: 401,
        fix: `run docker login ${ref.registry}, or point DOCKER_CONFIG at a directory whose config.json has credentials for ${ref.registry}`,
      })
    }
    if (res.status < 200 || res.status >= 300) throw new RegistryError(res.status >= 500 ? 'server' : 'protocol', `the token service of ${ref.registry} (${realmUrl.host}) answered HTTP ${res.status}`, {status: res.status})
    let body: unknown
    try {
      body = JSON.parse(res.bytes.toString('utf8'))
    } catch {
      throw new RegistryError('protocol', `the token service of ${ref.registry} (${realmUrl.host}) did not answer JSON`)
    }
    const token = tokenFromResponse(body)
    if (!token) throw new RegistryError('protocol', `the token service of ${ref.registry} (${realmUrl.host}) answered without a token`)
    registerSecret(token.token)
    return `Bearer ${token.token}`
  }

  /**
   * One request with redirects and retries. `Authorization` is kept only while the origin stays the
   * same (redirects to blob storage never see it). Bodies are read up to `maxBytes` (error bodies: 64 KiB).
   */
  private async send(
    start: URL,
    o: SendOptions,
  ): Promise<RawResponse> {
    let url = start
    let authorization = o.authorization
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      let res: RawResponse
      try {
        res = await this.sendOnce(url, {...o, authorization})
      } catch (error) {
        if (!fallsBackToPlainHttp(url, error, Boolean(this.options.caPem))) throw error
        url = new URL(url.href.replace(/^https:/, 'http:')) // remembered: later requests go plain at once
        this.plainLoopback.add(url.host.toLowerCase())
        res = await this.sendOnce(url, {...o, authorization})
      }
      if ([301, 302, 303, 307, 308].includes(res.status)) {
        const location = header(res.headers, 'location')
        if (!location) throw new RegistryError('protocol', `a redirect for ${o.what} had no Location header`)
        const next = new URL(location, url)
        if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegistryError('protocol', `a redirect for ${o.what} points to an unsupported URL scheme`)
        if (next.protocol === 'http:' && url.protocol === 'https:' && !isLoopbackHost(next.host)) {
          throw new RegistryError('protocol', `refusing a redirect from HTTPS to plain HTTP (${next.host}) for ${o.what}`)
        }
        if (next.origin !== url.origin) authorization = undefined
        url = next
        continue
      }
      return res
    }
    throw new RegistryError('protocol', `too many redirects (more than ${MAX_REDIRECTS}) for ${o.what}`)
  }

  private async sendOnce(url: URL, o: SendOptions): Promise<RawResponse> {
    const headers: Record<string, string> = {'user-agent': 'bakedoctor'}
    if (o.accept) headers.accept = o.accept
    if (o.authorization) headers.authorization = o.authorization
    if (o.contentType) headers['content-type'] = o.contentType
    for (let attempt = 0; ; attempt++) {
      let status: number
      let resHeaders: RawResponse['headers']
      let bytes: Buffer
      try {
        const deadline = AbortSignal.timeout(this.deadlineMs)
        try {
          const res = await this.request(url, {method: o.method ?? 'GET', headers, body: o.body, dispatcher: this.dispatcherFor(url), signal: deadline})
          status = res.statusCode
          resHeaders = res.headers
          const ok = status >= 200 && status < 300
          bytes = await readBounded(res.body, ok ? o.maxBytes : ERROR_BODY_BYTES, ok, header(resHeaders, 'content-length'), o.what)
        } catch (error) {
          if (deadline.aborted) {
            throw new RegistryError('network', `${url.host} did not finish ${o.what} within ${this.deadlineMs / 1000} s (the deadline of one registry request)`, {
              fix: 'retry later; for a slow registry raise the deadline with BAKEDOCTOR_REGISTRY_TIMEOUT=<seconds>',
            })
          }
          throw error
        }
        if (url.protocol === 'http:' && status === 400 && /HTTP request to an HTTPS server/i.test(bytes.toString('utf8'))) throw speaksTls(url)
      } catch (error) {
        if (error instanceof RegistryError) throw error
        const code = (error as {code?: string}).code ?? ''
        // --insecure on loopback means plain HTTP: a TLS registry then drops the connection
        if (url.protocol === 'http:' && /UND_ERR_SOCKET|ECONNRESET/.test(code) && (await answersTls(url))) throw speaksTls(url)
        const tls = tlsError(url, error, code)
        if (tls) throw tls
        if (RETRY_CODES.has(code) && attempt < this.retry.retries) {
          await this.sleep(this.backoff(attempt))
          continue
        }
        throw new RegistryError('network', `cannot reach ${url.host} for ${o.what} (${code || (error as Error).message})`, {
          fix: url.protocol === 'https:' && isLoopbackHost(url.host) ? 'if the registry speaks plain HTTP, pass --insecure' : 'check the registry address and your network',
          cause: code ? undefined : error,
        })
      }
      if (RETRY_STATUS.has(status) && attempt < this.retry.retries) {
        const retryAfter = parseRetryAfter(header(resHeaders, 'retry-after'))
        await this.sleep(Math.min(retryAfter ?? this.backoff(attempt), this.retry.maxDelayMs))
        continue
      }
      return {status, headers: resHeaders, url, bytes}
    }
  }

  private backoff(attempt: number): number {
    const exp = this.retry.baseDelayMs * 2 ** attempt
    return Math.min(this.retry.maxDelayMs, exp / 2 + Math.random() * (exp / 2))
  }
}
