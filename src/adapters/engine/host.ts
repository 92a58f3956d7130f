import {ExternalError, UsageError} from '../../errors.js'

export type EngineEndpoint = {kind: 'unix'; socketPath: string; display: string} | {kind: 'tcp'; origin: string; display: string}

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'

/** DOCKER_HOST → where to connect. Supports `unix://` and plain `tcp://` (no TLS). */
export function parseDockerHost(value: string | undefined): EngineEndpoint {
  const host = value && value.trim() !== '' ? value.trim() : DEFAULT_DOCKER_HOST
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length)
    if (socketPath === '') throw new UsageError(`DOCKER_HOST=${host} names no socket path`, {fix: 'set DOCKER_HOST=unix:///var/run/docker.sock'})
    return {kind: 'unix', socketPath, display: host}
  }
  if (host.startsWith('tcp://') || host.startsWith('http://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'))
    return {kind: 'tcp', origin: `http://${url.hostname}:${url.port || '2375'}`, display: host}
  }
  throw new UsageError(`DOCKER_HOST=${host} is not supported by the engine driver`, {
    fix: 'use a unix:// socket or a plain tcp:// address, or `--driver buildx`',
  })
}

function errorCode(error: unknown): string | undefined {
  let e: unknown = error
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as {code?: unknown}).code
    if (typeof code === 'string' && !code.startsWith('UND_ERR_') ) return code
    e = (e as {cause?: unknown}).cause
  }
  return (error as {code?: string})?.code
}

/** A connection failure as a sentence that names DOCKER_HOST and the fix. */
export function connectionError(endpoint: EngineEndpoint, error: unknown): ExternalError {
  const code = errorCode(error)
  const where = endpoint.kind === 'unix' ? endpoint.socketPath : endpoint.origin
  if (code === 'ENOENT') {
    return new ExternalError(`no Docker Engine socket at ${where} (DOCKER_HOST=${endpoint.display})`, {
      cause: error,
      fix: 'start Docker, or point DOCKER_HOST at a running engine (e.g. DOCKER_HOST=unix:///run/user/1000/docker.sock)',
    })
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ExternalError(`permission denied on the Docker Engine socket ${where} (DOCKER_HOST=${endpoint.display})`, {
      cause: error,
      fix: 'add your user to the `docker` group (then log in again), or run with access to the socket',
    })
  }
  if (code === 'ECONNREFUSED') {
    return new ExternalError(`the Docker Engine at ${where} refused the connection (DOCKER_HOST=${endpoint.display})`, {
      cause: error,
      fix: 'check that dockerd is running and DOCKER_HOST points at it',
    })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new ExternalError(`cannot reach the Docker Engine at ${where} (DOCKER_HOST=${endpoint.display}): ${message}`, {
    cause: error,
    fix: 'check that dockerd is running and DOCKER_HOST points at it',
  })
}
