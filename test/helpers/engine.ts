import {request} from 'node:http'
import {describe} from 'vitest'

/**
 * End-to-end tests need a Docker Engine (`scripts/engine.sh start`, then `eval "$(scripts/engine.sh env)"`).
 * Without one they are skipped, unless BAKEDOCTOR_E2E=1 says they must run (CI): then they fail loudly.
 */

/** `unix:///path` → socket path; default /var/run/docker.sock. tcp:// hosts → {host, port}. */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): {socketPath?: string; host?: string; port?: number} {
  const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock'
  if (host.startsWith('unix://')) return {socketPath: host.slice('unix://'.length)}
  const url = new URL(host.replace(/^tcp:/, 'http:'))
  return {host: url.hostname, port: Number(url.port || 2375)}
}

/** Whether the engine at DOCKER_HOST answers `GET /_ping` with `OK` within `timeoutMs`. */
export async function engineAvailable(timeoutMs = 2000, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const endpoint = engineEndpoint(env)
  return await new Promise<boolean>((resolve) => {
    const req = request({...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'OK'))
      res.on('error', () => resolve(false))
    })
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.on('error', () => resolve(false))
    req.end()
  })
}

const available = await engineAvailable()
const required = process.env.BAKEDOCTOR_E2E === '1'

if (required && !available) {
  throw new Error(
    `BAKEDOCTOR_E2E=1 but no Docker Engine answers at ${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}. ` +
      'Start one with `scripts/engine.sh start` and `eval "$(scripts/engine.sh env)"`.',
  )
}

/** The engine is reachable (computed once when this module loads). */
export const ENGINE_AVAILABLE = available

/** `describe` that runs only when an engine is reachable (or fails when BAKEDOCTOR_E2E=1 and none is). */
export const describeEngine: typeof describe = (available
  ? describe
  : // the reason goes into the suite title, where `npm test` (scripts/skip-reasons.mjs) reads it
    (name: string, ...rest: unknown[]) => (describe.skip as (...a: unknown[]) => unknown)(`${name} [skipped: no Docker engine at ${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'} (scripts/engine.sh start)]`, ...rest)) as typeof describe
