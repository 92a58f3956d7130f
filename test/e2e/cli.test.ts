import {randomBytes} from 'node:crypto'
import {appendFile, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {describeEngine} from '../helpers/engine.js'
import {copyProject, importBase, removeImage} from './helpers.js'

/** `bakedoctor build` as a user runs it (compiled CLI: `npm run build` first), against a real engine. */
describeEngine('bakedoctor build (CLI, real engine)', () => {
  const id = randomBytes(4).toString('hex')
  const base = `bakedoctor-test/busybox:cli-${id}`
  let project: Awaited<ReturnType<typeof copyProject>>
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(['build', '--driver', 'engine', '--context', project.dir, '--db', project.db, '--set', `*.args.BASE=${base}`, ...args], {cwd: project.dir, env, timeoutMs: 120_000})

  beforeAll(async () => {
    project = await copyProject()
    await importBase(base, `cli ${id}`)
  })
  afterAll(async () => {
    removeImage(base)
    await project?.cleanup()
  })

  it('prints one line per finished step on a pipe, a summary, and exits 0', async () => {
    const r = await cli([])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/^DONE {3}\[base 2\/3\] RUN echo "hello" > \/greeting.txt/m)
    expect(r.stderr).toMatch(/^DONE {3}\[build 1\/2\] COPY src\/ \.\/src\//m)
    expect(r.stdout).toMatch(/^r1 default: completed/m)
    expect(r.stdout).toMatch(/total: 0\/7 cacheable steps from cache \(0(\.0)?%\)/)
    const again = await cli([])
    expect(again.stderr).toMatch(/^CACHED \[build 1\/2\] COPY src\/ \.\/src\//m)
    expect(again.stdout).toMatch(/total: 7\/7 cacheable steps from cache \(100(\.0)?%\)/)
  })

  it('--json returns the typed result; --explain names the changed file', async () => {
    await appendFile(path.join(project.dir, 'src/b.txt'), 'edit\n')
    const r = await cli(['--json', '--explain'])
    expect(r.exitCode, r.stderr).toBe(0)
    const json = r.json as {driver: string; ok: boolean; runs: Array<{id: string; totals: {cacheable: number; hits: number}}>; explanations: unknown[]}
    expect(json).toMatchObject({driver: 'engine', ok: true})
    expect(json.runs[0]!.totals).toMatchObject({cacheable: 7, hits: 2})
    expect(JSON.stringify(json.explanations)).toContain('src/b.txt')
  })

  it('a failing RUN exits 1 and records the run as failed', async () => {
    const dockerfile = path.join(project.dir, 'Dockerfile')
    await writeFile(dockerfile, (await readFile(dockerfile, 'utf8')).replace('RUN cat /sum.txt /config.txt', 'RUN cat /missing.txt'))
    const r = await cli([])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/^ERROR +\[stage-2 4\/4\] RUN cat \/missing.txt.*exit code: 1/m)
    expect(r.stdout).toMatch(/: failed/)
    const runs = await runCli(['runs', '--db', project.db, '--json'], {cwd: project.dir})
    expect(JSON.stringify(runs.json)).toContain('"failed"')
  })

  it('an unreachable engine is exit 1 with a sentence naming DOCKER_HOST', async () => {
    const r = await cli([], {DOCKER_HOST: `unix://${path.join(project.dir, 'no.sock')}`})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain('DOCKER_HOST=unix://')
    expect(r.stderr).toContain('Fix:')
  })
})
