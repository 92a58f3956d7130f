/**
 * A tiny fake Docker Engine on a unix socket, for fault tests that a real daemon cannot produce on
 * demand: `GET /_ping`, `GET /images/{ref}/json` (always 404), and `POST /build` that replays real
 * response lines (test/fixtures/engine-20.10) in one of several ways. No engine is needed.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {Socket} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {PROJECT_ROOT} from './cli.js'

export const ENGINE_STREAM = path.join(PROJECT_ROOT, 'test/fixtures/engine-20.10/engine-build-stream.jsonl')
export const ENGINE_DOCKERFILE = path.join(PROJECT_ROOT, 'test/fixtures/engine-20.10/engine-build-stream.Dockerfile')

export type BuildBehaviour =
  /** every line of the capture, then a clean end */
  | {kind: 'replay'; file?: string}
  /** HTTP `status` with a JSON `{"message": …}` body, before any stream (a daemon error) */
  | {kind: 'http-error'; status: number; message: string}
  /** the first `lines` lines of the capture, then the socket is destroyed mid-build */
  | {kind: 'cut'; lines: number; file?: string}

export interface BuildRequest {
  query: URLSearchParams
  headers: IncomingMessage['headers']
  /** bytes of the tar context received */
  bodyBytes: number
}

export interface FakeEngine {
  socketPath: string
  dockerHost: string
  /** requests seen, in order: `GET /_ping`, `POST /build?…` … */
  requests: string[]
  builds: BuildRequest[]
  /** what the next /build does */
  behaviour: BuildBehaviour
  close(): Promise<void>
}

/** Lines of a capture, each with its original `\r\n` ending. */
function captureLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => (l.endsWith('\r') ? l : l + '\r') + '\n')
}

export async function startFakeEngine(behaviour: BuildBehaviour = {kind: 'replay'}): Promise<FakeEngine> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bd-fake-engine-'))
  const socketPath = path.join(dir, 'docker.sock')
  const sockets = new Set<Socket>()
  const engine: FakeEngine = {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    requests: [],
    builds: [],
    behaviour,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(dir, {recursive: true, force: true})
    },
  }
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    engine.requests.push(`${req.method} ${url.pathname}`)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, {'content-type': 'application/json', 'api-version': '1.41'})
      res.end(JSON.stringify(body))
    }
    if (req.method === 'GET' && /^(\/v[\d.]+)?\/_ping$/.test(url.pathname)) {
      res.writeHead(200, {'content-type': 'text/plain', 'api-version': '1.41'})
      res.end('OK')
      return
    }
    if (req.method === 'GET' && /\/images\/.+\/json$/.test(url.pathname)) {
      json(404, {message: `No such image: ${decodeURIComponent(url.pathname.replace(/^.*\/images\/|\/json$/g, ''))}`})
      return
    }
    if (req.method === 'POST' && /^(\/v[\d.]+)?\/build$/.test(url.pathname)) {
      let bodyBytes = 0
      req.on('data', (b: Buffer) => (bodyBytes += b.length))
      req.on('end', () => {
        engine.builds.push({query: url.searchParams, headers: req.headers, bodyBytes})
        const b = engine.behaviour
        if (b.kind === 'http-error') {
          json(b.status, {message: b.message})
          return
        }
        const lines = captureLines(b.file ?? ENGINE_STREAM)
        res.writeHead(200, {'content-type': 'application/json', 'api-version': '1.41'})
        if (b.kind === 'replay') {
          for (const l of lines) res.write(l)
          res.end()
          return
        }
        for (const l of lines.slice(0, b.lines)) res.write(l)
        // let the lines reach the client, then cut the connection as a crashing daemon would
        setTimeout(() => res.socket?.destroy(), 100)
      })
      return
    }
    json(404, {message: 'page not found'})
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(socketPath, () => resolve())
  })
  return engine
}
