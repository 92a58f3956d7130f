/**
 * Docker Engine faults for `bakedoctor build --driver engine`, against a fake Engine on a unix
 * socket (test/helpers/fake-engine.ts) or no engine at all; no real daemon is needed:
 * socket missing, permission denied, not a socket, a daemon error (HTTP 500 on /build), and the
 * response stream cut mid-build (the run must be recorded as `incomplete`, not lost).
 *
 * Related: test/e2e/cli.test.ts ("an unreachable engine", real engine only),
 * src/adapters/engine/engine.test.ts (DOCKER_HOST parsing).
 */
import {spawn} from 'node:child_process'
import {chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import {afterEach, describe, expect, it} from 'vitest'
import {BIN, PROJECT_ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {ENGINE_DOCKERFILE, startFakeEngine, type FakeEngine} from '../helpers/fake-engine.js'

/** A temp project: the Dockerfile of the captured engine build and its hello.txt. */
function project(): {dir: string; db: string} {
  const dir = mkdtempSync(path.join(tmpdir(), 'bd-engine-faults-'))
  copyFileSync(ENGINE_DOCKERFILE, path.join(dir, 'Dockerfile'))
  writeFileSync(path.join(dir, 'hello.txt'), 'hello\n')
  return {dir, db: path.join(dir, 'idx', 'index.db')}
}

const build = (p: {dir: string; db: string}, dockerHost: string, more: string[] = []) =>
  runCli(['build', '--driver', 'engine', '--context', p.dir, '--db', p.db, ...more], {cwd: p.dir, env: {DOCKER_HOST: dockerHost}, timeoutMs: 60_000})

function storedRuns(db: string): Array<{status: string; error: string | null}> {
  if (!existsSync(db)) return []
  const conn = new Database(db, {readonly: true})
  try {
    return conn.prepare('SELECT status, error FROM runs ORDER BY id').all() as Array<{status: string; error: string | null}>
  } finally {
    conn.close()
  }
}

let engine: FakeEngine | undefined
afterEach(async () => {
  await engine?.close()
  engine = undefined
})

describe('engine faults: a sentence naming DOCKER_HOST and the fix, exit 1, no run invented', () => {
  it('socket missing', async () => {
    const p = project()
    const sock = path.join(p.dir, 'nope', 'docker.sock')
    const res = await build(p, `unix://${sock}`)
    expect(res.exitCode, res.stderr).toBe(1)
    expect(res.stderr).toContain(`no Docker Engine socket at ${sock} (DOCKER_HOST=unix://${sock})`)
    expect(res.stderr).toMatch(/Fix: start Docker, or point DOCKER_HOST at a running engine/)
    expect(res.stderr).not.toMatch(/at .*\.js:\d+/) // no stack trace
    expect(storedRuns(p.db)).toEqual([])
  })

  it('a path that is not a socket (a regular file)', async () => {
    const p = project()
    const file = path.join(p.dir, 'not-a-socket')
    writeFileSync(file, 'just a file')
    const res = await build(p, `unix://${file}`)
    expect(res.exitCode, res.stderr).toBe(1)
    expect(res.stderr).toMatch(new RegExp(`Error: the Docker Engine at ${file} refused the connection \\(DOCKER_HOST=unix://${file}\\)`))
    expect(res.stderr).toMatch(/Fix: check that dockerd is running and DOCKER_HOST points at it/)
    expect(storedRuns(p.db)).toEqual([])
  })

  it.skipIf(process.getuid?.() !== 0)(`permission denied: a mode-000 socket owned by another uid (the CLI runs as nobody)${process.getuid?.() === 0 ? '' : ' [skipped: needs root to run the CLI as nobody]'}`, async () => {
    engine = await startFakeEngine()
    // a socket the unprivileged user cannot open: owned by root, mode 000, in a directory it can traverse
    chmodSync(path.dirname(engine.socketPath), 0o755)
    chmodSync(engine.socketPath, 0o000)
    const p = project()
    chmodSync(p.dir, 0o777)
    mkdirSync(path.dirname(p.db), {recursive: true})
    chownSync(path.dirname(p.db), 65534, 65534)
    const res: CliResult = await new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, 'build', '--driver', 'engine', '--context', p.dir, '--db', p.db], {
        cwd: p.dir, uid: 65534, gid: 65534,
        env: {PATH: process.env.PATH, HOME: p.dir, DOCKER_HOST: engine!.dockerHost, NO_COLOR: '1'},
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (b) => (stdout += b))
      child.stderr.on('data', (b) => (stderr += b))
      child.on('close', (code) => resolve({stdout, stderr, exitCode: code ?? 137}))
    })
    expect(res.exitCode, res.stderr).toBe(1)
    expect(res.stderr).toContain(`permission denied on the Docker Engine socket ${engine.socketPath} (DOCKER_HOST=${engine.dockerHost})`)
    expect(res.stderr).toMatch(/Fix: add your user to the `docker` group/)
    expect(engine.requests).toEqual([])
    expect(storedRuns(p.db)).toEqual([])
  })

  it('a socket nobody listens on (stale socket file)', async () => {
    const p = project()
    const sock = path.join(p.dir, 'stale.sock')
    const server = createServer()
    await new Promise<void>((r) => server.listen(sock, r))
    // closing a listening unix server removes the file; re-create a dead one by binding and killing a child
    await new Promise<void>((r) => server.close(() => r()))
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`])
    await new Promise((r) => child.on('exit', r))
    expect(existsSync(sock)).toBe(true)
    const res = await build(p, `unix://${sock}`)
    expect(res.exitCode, res.stderr).toBe(1)
    expect(res.stderr).toContain(`the Docker Engine at ${sock} refused the connection`)
    expect(storedRuns(p.db)).toEqual([])
  })

  it('a daemon error (HTTP 500 JSON on /build) is exit 1 with the engine\'s message', async () => {
    engine = await startFakeEngine({kind: 'http-error', status: 500, message: 'failed to create LLB definition: no space left on device'})
    const p = project()
    const res = await build(p, engine.dockerHost)
    expect(res.exitCode, res.stderr).toBe(1)
    expect(res.stderr).toMatch(/Error: the Docker Engine rejected the build \(HTTP 500\): failed to create LLB definition: no space left on device/)
    expect(res.stderr).toMatch(/Fix: /)
    expect(engine.requests).toContain('GET /_ping')
    expect(engine.builds).toHaveLength(1)
    expect(engine.builds[0]!.bodyBytes).toBeGreaterThan(512) // the context tar was sent
    expect(storedRuns(p.db)).toEqual([])
  })
})

describe('the response stream cut mid-build', () => {
  it('records the run as incomplete with what was seen (not lost), exit 1', async () => {
    // 12 of the 25 real lines: several steps started, the RUN steps not finished
    engine = await startFakeEngine({kind: 'cut', lines: 12})
    const p = project()
    const res = await build(p, engine.dockerHost, ['--json'])
    expect(res.exitCode, res.stderr).toBe(1)
    const json = res.json as {ok: boolean; runs: Array<{id: string; status: string; error?: string; totals: {cacheable: number}}>}
    expect(json.ok).toBe(false)
    expect(json.runs).toHaveLength(1)
    expect(json.runs[0]!.status).toBe('incomplete')
    expect(json.runs[0]!.error).toMatch(/stream .*(cut|ended|closed)/i)
    const stored = storedRuns(p.db)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.status).toBe('incomplete')

    // what was seen is there: show lists the steps that started
    const show = await runCli(['show', json.runs[0]!.id, '--db', p.db, '--json'], {cwd: p.dir})
    expect(show.exitCode, show.stderr).toBe(0)
    const text = JSON.stringify(show.json)
    expect(text).toContain('COPY hello.txt /hello.txt')
    expect(text).toContain('"incomplete"')
  })

  it('the same stream, complete, records a completed run (control)', async () => {
    engine = await startFakeEngine({kind: 'replay'})
    const p = project()
    const res = await build(p, engine.dockerHost, ['--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    const json = res.json as {ok: boolean; runs: Array<{status: string; totals: {cacheable: number; hits: number}}>}
    expect(json.ok).toBe(true)
    expect(json.runs[0]!.status).toBe('completed')
    expect(json.runs[0]!.totals.cacheable).toBe(3)
  })
})

export {PROJECT_ROOT}
