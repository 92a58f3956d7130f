/**
 * A minimal OCI distribution server on loopback (HTTP or HTTPS with the test PKI), serving one
 * snapshot from fixtures/registry-snapshots, with optional Basic auth and injected faults (a status
 * for manifests, a stall before the headers or in the middle of a body). For faults a MockAgent
 * cannot show: real timeouts, real TLS verification, real credentials on the wire.
 */
import {createServer as createHttpServer, type IncomingMessage, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo, Socket} from 'node:net'
import {readFileSync} from 'node:fs'
import {loadSnapshot} from '../helpers/oci-layout.js'

export interface FakeRegistryOptions {
  snapshot?: string
  tls?: {certFile: string; keyFile: string}
  basic?: {user: string; password: string}
  /** answer manifests with this status and a distribution error body */
  manifestStatus?: {status: number; code: string}
  /** never send the headers of manifest responses */
  stallHeaders?: boolean
  /** send the headers and half the manifest body, then stall */
  stallBody?: boolean
  /** send the headers, then the manifest body one byte every this many ms (never idle long enough for a body timeout) */
  trickleBodyMs?: number
}

export interface FakeRegistry {
  host: string
  ref: string
  /** every request: method, path, and the Authorization header as received */
  requests: Array<{method: string; path: string; authorization?: string}>
  close(): Promise<void>
}

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const snap = loadSnapshot(options.snapshot ?? 'cache-min')
  const requests: FakeRegistry['requests'] = []
  const sockets = new Set<Socket>()
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x')
    requests.push({method: req.method ?? 'GET', path: url.pathname, authorization: req.headers.authorization})
    if (options.basic) {
      const expected = 'Basic ' + Buffer.from(`${options.basic.user}:${options.basic.password}`).toString('base64')
      if (req.headers.authorization !== expected) {
        res.writeHead(401, {'www-authenticate': 'Basic realm="fake"', 'content-type': 'application/json'})
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}')
        return
      }
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, {'docker-distribution-api-version': 'registry/2.0'})
      res.end('{}')
      return
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname)
    if (!m || m[1] !== snap.repository) {
      res.writeHead(404, {'content-type': 'application/json'})
      res.end('{"errors":[{"code":"NAME_UNKNOWN"}]}')
      return
    }
    const [, , kind, id] = m
    if (kind === 'manifests') {
      if (options.stallHeaders) return // never answer
      if (options.manifestStatus) {
        res.writeHead(options.manifestStatus.status, {'content-type': 'application/json'})
        res.end(JSON.stringify({errors: [{code: options.manifestStatus.code, message: 'injected'}]}))
        return
      }
      const digest = id === snap.tag ? snap.top.digest : id!
      const body = snap.blob(digest)
      res.writeHead(200, {'content-type': snap.contentTypes[digest] ?? snap.top.mediaType, 'docker-content-digest': digest, 'content-length': body.length})
      if (options.trickleBodyMs) {
        let at = 0
        const timer = setInterval(() => {
          if (res.destroyed || at >= body.length) {
            clearInterval(timer)
            if (!res.destroyed) res.end()
            return
          }
          res.write(body.subarray(at, ++at))
        }, options.trickleBodyMs)
        res.on('close', () => clearInterval(timer))
        return
      }
      if (options.stallBody) {
        res.write(body.subarray(0, body.length >> 1))
        return // the rest never comes
      }
      res.end(body)
      return
    }
    try {
      const body = snap.blob(id!)
      res.writeHead(200, {'content-type': 'application/octet-stream', 'docker-content-digest': id!, 'content-length': body.length})
      res.end(body)
    } catch {
      res.writeHead(404, {'content-type': 'application/json'})
      res.end('{"errors":[{"code":"BLOB_UNKNOWN"}]}')
    }
  }
  const server = options.tls
    ? createHttpsServer({cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile)}, handler)
    : createHttpServer(handler)
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    host,
    ref: `${host}/${snap.repository}:${snap.tag}`,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
