import {spawn} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {registerSecret} from '../../lib/redact.js'
import {RegistryError} from './errors.js'

/** Credentials for one registry host. `identityToken` is an OAuth2 refresh token (`docker login` with a token). */
export type RegistryCredentials = {username: string; password: string; identityToken?: undefined} | {username?: string; password?: undefined; identityToken: string}

interface DockerConfigFile {
  auths?: Record<string, {auth?: string; username?: string; password?: string; identitytoken?: string}>
  credsStore?: string
  credHelpers?: Record<string, string>
}

/** Docker Hub's historical key in config.json. */
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io']

/** `https://host:5000/v1/` → `host:5000` (Docker normalises `auths` keys the same way). */
export function normalizeAuthKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase()
}

function keysFor(host: string): string[] {
  const h = host.toLowerCase()
  return h === 'registry-1.docker.io' || h === 'docker.io' || h === 'index.docker.io' ? DOCKER_HUB_KEYS : [h]
}

/** The name a credential helper expects for a host (Docker Hub: the v1 URL). */
function helperServerName(host: string): string {
  const keys = keysFor(host)
  return keys === DOCKER_HUB_KEYS ? 'https://index.docker.io/v1/' : host
}

export interface CredentialStoreOptions {
  /** the directory holding config.json: `$DOCKER_CONFIG` or `~/.docker` (resolved by the caller) */
  configDir?: string
  /** PATH used to find `docker-credential-*` helpers; default: the process PATH */
  env?: Record<string, string | undefined>
  /** helper timeout, ms */
  helperTimeoutMs?: number
}

/**
 * Reads registry credentials the way the docker CLI does: `credHelpers[host]`, then `credsStore`,
 * then `auths[host]` (base64 `auth` or username/password, or `identitytoken`). Every secret it loads is
 * registered for redaction. A missing config file means anonymous access, not an error.
 */
export class DockerCredentialStore {
  private config: DockerConfigFile | undefined
  private loaded = false
  private readonly cache = new Map<string, RegistryCredentials | undefined>()

  constructor(private readonly options: CredentialStoreOptions) {}

  private async load(): Promise<DockerConfigFile> {
    if (this.loaded) return this.config ?? {}
    this.loaded = true
    if (!this.options.configDir) return {}
    const file = path.join(this.options.configDir, 'config.json')
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new RegistryError('credentials', `cannot read the docker config ${file}: ${(error as Error).message}`)
    }
    try {
      this.config = JSON.parse(text) as DockerConfigFile
    } catch {
      // never echo the file: it holds credentials
      throw new RegistryError('credentials', `the docker config ${file} is not valid JSON`, {fix: 'fix the file or point DOCKER_CONFIG at another directory'})
    }
    return this.config
  }

  async get(host: string): Promise<RegistryCredentials | undefined> {
    const key = host.toLowerCase()
    if (this.cache.has(key)) return this.cache.get(key)
    const found = await this.resolve(host)
    if (found?.password) registerSecret(found.password)
    if (found?.identityToken) registerSecret(found.identityToken)
    this.cache.set(key, found)
    return found
  }

  private async resolve(host: string): Promise<RegistryCredentials | undefined> {
    const config = await this.load()
    const keys = keysFor(host)
    const helpers = config.credHelpers ?? {}
    for (const [k, helper] of Object.entries(helpers)) {
      if (keys.includes(normalizeAuthKey(k))) return this.runHelper(helper, helperServerName(host))
    }
    if (config.credsStore) {
      const fromStore = await this.runHelper(config.credsStore, helperServerName(host))
      if (fromStore) return fromStore
    }
    for (const [k, entry] of Object.entries(config.auths ?? {})) {
      if (!keys.includes(normalizeAuthKey(k)) || !entry) continue
      if (entry.identitytoken) return {username: entry.username, identityToken: entry.identitytoken}
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
        const colon = decoded.indexOf(':')
        if (colon < 0) throw new RegistryError('credentials', `the docker config entry for ${k} has a malformed "auth" value`, {fix: `run docker login ${host} again`})
        return {username: decoded.slice(0, colon), password: decoded.slice(colon + 1)}
      }
      if (entry.username && entry.password) return {username: entry.username, password: entry.password}
    }
    return undefined
  }

  /** `docker-credential-<name> get` with the server URL on stdin; "credentials not found" means none. */
  private async runHelper(name: string, serverUrl: string): Promise<RegistryCredentials | undefined> {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new RegistryError('credentials', `the docker config names an invalid credential helper "${name}"`)
    const program = `docker-credential-${name}`
    const env = this.options.env ? {...this.options.env} : process.env
    const {code, stdout, stderr, spawnError} = await new Promise<{code: number | null; stdout: string; stderr: string; spawnError?: Error}>((resolve) => {
      const child = spawn(program, ['get'], {env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe']})
      const out: Buffer[] = []
      const err: Buffer[] = []
      const timer = setTimeout(() => child.kill('SIGKILL'), this.options.helperTimeoutMs ?? 15_000)
      child.stdout.on('data', (b: Buffer) => out.push(b))
      child.stderr.on('data', (b: Buffer) => err.push(b))
      child.on('error', (e) => {
        clearTimeout(timer)
        resolve({code: null, stdout: '', stderr: '', spawnError: e})
      })
      child.on('close', (c) => {
        clearTimeout(timer)
        resolve({code: c, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')})
      })
      child.stdin.on('error', () => {})
      child.stdin.end(serverUrl)
    })
    if (spawnError) {
      throw new RegistryError('credentials', `the docker config uses the credential helper "${name}" but ${program} could not be run (${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message})`, {
        fix: `install ${program} on PATH, or remove "${name}" from credsStore/credHelpers in the docker config`,
      })
    }
    const output = (stdout + stderr).trim()
    if (code !== 0) {
      if (/credentials not found/i.test(output)) return undefined
      // helper output can contain secrets in odd failure modes: report only the exit code
      throw new RegistryError('credentials', `the credential helper ${program} failed for ${serverUrl} (exit ${code})`, {fix: `run \`echo ${serverUrl} | ${program} get\` to see why`})
    }
    let parsed: {Username?: string; Secret?: string}
    try {
      parsed = JSON.parse(stdout) as {Username?: string; Secret?: string}
    } catch {
      throw new RegistryError('credentials', `the credential helper ${program} printed something that is not JSON`)
    }
    if (!parsed.Secret) return undefined
    registerSecret(parsed.Secret)
    // docker's convention: the username "<token>" marks an identity (refresh) token
    if (parsed.Username === '<token>') return {identityToken: parsed.Secret}
    return {username: parsed.Username ?? '', password: parsed.Secret}
  }
}
