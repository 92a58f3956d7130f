/**
 * A real registry for tests and benchmarks: Debian's `docker-registry` (distribution v2.8) on a free
 * loopback port with a temp storage dir, loaded from fixtures/registry-snapshots/ through the
 * distribution API; optionally behind TLS (test CA), htpasswd basic auth, or a token server.
 *
 *   const reg = await startFixtureRegistry()   // plain HTTP, every snapshot pushed
 *   reg.refs['cache-min']                       // '127.0.0.1:40123/app/buildcache:min'
 *   await reg.stop()
 */
import {execFile} from 'node:child_process'
import {createServer as createHttpsServer, type Server} from 'node:https'
import {createHash, createPrivateKey, randomUUID, sign, X509Certificate} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {loadSnapshot, pushSnapshotTags, snapshotNames, type LayoutSnapshot} from './oci-layout.js'
// @ts-expect-error plain ESM module shared with the benchmark
import * as server from './registry-server.mjs'

const run = promisify(execFile)

export const REGISTRY_BIN: string = server.REGISTRY_BIN

function onPath(bin: string): boolean {
  if (bin.includes('/')) return existsSync(bin)
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, bin)))
}

/**
 * Whether the external tools exist. Tests skip without them, unless BAKEDOCTOR_E2E=1 (CI): then
 * `requireTools` throws so the suite fails loudly instead of silently skipping.
 */
export function toolsAvailable(tools: string[]): {ok: boolean; missing: string[]} {
  const missing = tools.filter((t) => !onPath(t === 'docker-registry' ? REGISTRY_BIN : t))
  return {ok: missing.length === 0, missing}
}

export const E2E = process.env.BAKEDOCTOR_E2E === '1'

/** true when the suite should run; throws when tools are missing under BAKEDOCTOR_E2E=1. */
export function requireTools(tools: string[]): boolean {
  const {ok, missing} = toolsAvailable(tools)
  if (ok) return true
  if (E2E) throw new Error(`BAKEDOCTOR_E2E=1 but required tools are missing: ${missing.join(', ')}`)
  return false
}

/**
 * The `[skipped: …]` note for a suite's title when tools are missing ('' when all are there):
 * `npm test` (scripts/skip-reasons.mjs) prints it as "missing docker-registry: 12 tests skipped".
 */
export function skipNote(tools: string[]): string {
  const {missing} = toolsAvailable(tools)
  return missing.length === 0 ? '' : ` [skipped: missing ${missing.join(', ')} (apt-get install the Debian packages; .ci/run does)]`
}

export const freePort: () => Promise<number> = server.freePort

export interface RegistryOptions {
  /** reuse a storage dir (already loaded); default: a fresh temp dir */
  storageDir?: string
  tls?: {certFile: string; keyFile: string}
  htpasswdFile?: string
  token?: {realm: string; service: string; issuer: string; rootCertBundle: string}
}

export interface RunningRegistry {
  /** host:port */
  host: string
  /** http(s)://host:port */
  url: string
  storageDir: string
  stop(): Promise<void>
}

/** Starts `docker-registry serve config.yml`; resolves once `/v2/` answers. */
export const startRegistry: (options?: RegistryOptions) => Promise<RunningRegistry> = server.startRegistry

/** Pushes one OCI-layout snapshot (blobs via POST/PUT uploads, manifests children first) to a plain-HTTP registry. */
export async function pushSnapshot(registryUrl: string, snap: LayoutSnapshot, repository = snap.repository, tag = snap.tag): Promise<string> {
  const [ref] = await pushSnapshotTags(registryUrl, snap, [tag], repository)
  return ref as string
}

export interface FixtureRegistry extends RunningRegistry {
  /** snapshot name → ref on this registry (`127.0.0.1:PORT/app/buildcache:multi`) */
  refs: Record<string, string>
}

/** A plain-HTTP loopback registry loaded with every snapshot of fixtures/registry-snapshots/ (also used by the benchmark). */
export async function startFixtureRegistry(options: RegistryOptions = {}): Promise<FixtureRegistry> {
  const reg = await startRegistry(options)
  try {
    const refs: Record<string, string> = {}
    for (const name of snapshotNames()) refs[name] = await pushSnapshot(reg.url, loadSnapshot(name))
    return {...reg, refs}
  } catch (error) {
    await reg.stop()
    throw error
  }
}

// --- TLS, htpasswd, token server -------------------------------------------------------------

export interface TestPki {
  dir: string
  caFile: string
  certFile: string
  keyFile: string
  /** token signing: a self-signed cert (the registry's rootcertbundle) and its key */
  signingCertFile: string
  signingKeyFile: string
}

/** A CA and a server cert for 127.0.0.1/localhost, plus a token-signing cert, made with openssl. */
export async function createTestPki(dir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-pki-'))): Promise<TestPki> {
  const f = (n: string) => path.join(dir, n)
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=bakedoctor test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr')])
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n')
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('server.ext'), '-out', f('server.pem')])
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=bakedoctor token signer', '-keyout', f('signing.key'), '-out', f('signing.pem')])
  return {dir, caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key'), signingCertFile: f('signing.pem'), signingKeyFile: f('signing.key')}
}

/** `htpasswd -Bbn user pass` into a file. */
export async function writeHtpasswd(file: string, user: string, password: string): Promise<void> {
  const {stdout} = await run('htpasswd', ['-Bbn', user, password])
  writeFileSync(file, stdout)
}

/** A DOCKER_CONFIG directory with `auths[host]` for user/password. */
export function writeDockerConfig(dir: string, host: string, user: string, password: string): string {
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({auths: {[host]: {auth: Buffer.from(`${user}:${password}`).toString('base64')}}}))
  return dir
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

export interface TokenServer {
  realm: string
  service: string
  issuer: string
  /** requests seen: whether each carried valid credentials */
  requests: Array<{scope?: string; authenticated: boolean}>
  close(): Promise<void>
}

/**
 * The Docker token flow (distribution `auth.token`): GET /token?service&scope with Basic auth →
 * `{token}`; a JWT (RS256, x5c = the signing cert, which is the registry's rootcertbundle) granting
 * the requested pull scope. Without valid credentials: 401.
 */
export async function startTokenServer(o: {pki: TestPki; user: string; password: string; service?: string; issuer?: string}): Promise<TokenServer> {
  const service = o.service ?? 'bakedoctor-test-registry'
  const issuer = o.issuer ?? 'bakedoctor-test-issuer'
  const key = createPrivateKey(readFileSync(o.pki.signingKeyFile))
  const certDer = new X509Certificate(readFileSync(o.pki.signingCertFile)).raw
  const requests: TokenServer['requests'] = []
  const server: Server = createHttpsServer({cert: readFileSync(o.pki.certFile), key: readFileSync(o.pki.keyFile)}, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost')
    const auth = req.headers.authorization ?? ''
    const expected = 'Basic ' + Buffer.from(`${o.user}:${o.password}`).toString('base64')
    const authenticated = auth === expected
    const scope = url.searchParams.get('scope') ?? undefined
    requests.push({scope, authenticated})
    if (url.pathname !== '/token' || !authenticated) {
      res.writeHead(401, {'content-type': 'application/json'})
      res.end(JSON.stringify({errors: [{code: 'UNAUTHORIZED', message: 'authentication required'}]}))
      return
    }
    const access = scope
      ? scope.split(' ').map((s) => {
          const [type, name, actions] = s.split(':')
          return {type, name, actions: (actions ?? '').split(',').filter((a) => a === 'pull')}
        })
      : []
    const now = Math.floor(Date.now() / 1000)
    const header = {alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')]}
    const claims = {iss: issuer, sub: o.user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: createHash('sha256').update(randomUUID()).digest('hex'), access}
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
    const token = `${signingInput}.${b64url(sign('RSA-SHA256', Buffer.from(signingInput), key))}`
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(JSON.stringify({token, access_token: token, expires_in: 300, issued_at: new Date().toISOString()}))
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    realm: `https://127.0.0.1:${port}/token`,
    service,
    issuer,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
