import {mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, copyFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {capture, FIXTURES} from '../helpers/fixtures.js'

type Json = any
const plainLog = path.join(FIXTURES, '..', 'test', 'fixtures', 'engine-20.10', 'cli-session-run1.plain.txt')

let dir: string
let db: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bd-ingest-'))
  db = path.join(dir, 'index.db')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const runIds = async () => (((await runCli(['runs', '--json', '--db', db])).json as Json).runs as Json[]).map((r) => r.id)

describe('ingest recognises a capture it already recorded', () => {
  it('the same file twice: "already recorded as r1", exit 0, no second run; --again records it', async () => {
    const first = await runCli(['ingest', capture('r2-warm-remote'), '--target', 'api', '--no-git', '--db', db])
    expect(first.exitCode, first.stderr).toBe(0)
    const again = await runCli(['ingest', capture('r2-warm-remote'), '--target', 'api', '--no-git', '--db', db])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/is already recorded as r1 \(same content, sha256:[0-9a-f]{12}…\): nothing recorded; pass --again to record it once more/)
    expect(await runIds()).toEqual(['r1'])
    // the same bytes under another name, and through stdin, are the same capture
    const copy = path.join(dir, 'copy.json')
    copyFileSync(capture('r2-warm-remote'), copy)
    expect((await runCli(['ingest', copy, '--target', 'api', '--no-git', '--db', db])).stdout).toContain('already recorded as r1')
    expect((await runCli(['ingest', '-', '--target', 'api', '--no-git', '--db', db], {input: readFileSync(copy)})).stdout).toContain('already recorded as r1')
    const forced = await runCli(['ingest', capture('r2-warm-remote'), '--target', 'api', '--no-git', '--again', '--db', db])
    expect(forced.stdout).toContain('Recorded r2')
    expect(await runIds()).toEqual(['r2', 'r1'])
    // a different capture is a new run
    expect((await runCli(['ingest', capture('r3-code-change'), '--target', 'api', '--no-git', '--db', db])).stdout).toContain('Recorded r3')
  })

  it('stdin twice is recognised too; --json says alreadyRecorded', async () => {
    const input = readFileSync(capture('r1-cold'))
    expect((await runCli(['ingest', '-', '--target', 'api', '--no-git', '--db', db], {input})).exitCode).toBe(0)
    const second = await runCli(['ingest', '-', '--target', 'api', '--no-git', '--db', db, '--json'], {input})
    expect(second.exitCode).toBe(0)
    expect(second.json).toMatchObject({alreadyRecorded: true, run: {id: 'r1'}})
    expect(await runIds()).toEqual(['r1'])
  })
})

describe('ingest --plan records the bake plan', () => {
  const plan = (nodeEnv: string) => ({
    group: {default: {targets: ['api']}},
    target: {api: {context: '.', dockerfile: 'api/Dockerfile', args: {NODE_ENV: nodeEnv}, platforms: ['linux/amd64', 'linux/arm64']}},
  })

  it('diff compares the plans of two ingested runs', async () => {
    writeFileSync(path.join(dir, 'plan-a.json'), JSON.stringify(plan('production')))
    writeFileSync(path.join(dir, 'plan-b.json'), JSON.stringify(plan('development')))
    expect((await runCli(['ingest', capture('r2-warm-remote'), '--target', 'api', '--no-git', '--plan', path.join(dir, 'plan-a.json'), '--db', db])).exitCode).toBe(0)
    expect((await runCli(['ingest', capture('r3-code-change'), '--target', 'api', '--no-git', '--plan', path.join(dir, 'plan-b.json'), '--db', db])).exitCode).toBe(0)
    const diff = await runCli(['diff', 'r1', 'r2', '--json', '--db', db])
    expect(diff.exitCode, diff.stderr).toBe(0)
    expect((diff.json as Json).plan).toEqual([{target: 'api', attribute: 'args.NODE_ENV', old: 'production', new: 'development'}])
    const text = await runCli(['diff', 'r1', 'r2', '--no-tui', '--db', db])
    expect(text.stdout).toContain('api.args.NODE_ENV: production → development')
  })

  it('a --plan that is not a bake plan is an input error naming the file; nothing is recorded', async () => {
    const bad = path.join(dir, 'plan.json')
    writeFileSync(bad, '{"group": {}, "target": ')
    const res = await runCli(['ingest', capture('r2-warm-remote'), '--target', 'api', '--no-git', '--plan', bad, '--db', db])
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toContain(bad)
    expect(res.stderr).toContain('docker buildx bake --print')
    writeFileSync(bad, '[1, 2]')
    const notPlan = await runCli(['ingest', capture('r2-warm-remote'), '--target', 'api', '--no-git', '--plan', bad, '--db', db])
    expect(notPlan.exitCode).toBe(2)
    expect(notPlan.stderr).toContain('not a bake plan')
    expect((await runCli(['runs', '--json', '--db', db])).exitCode).not.toBe(0) // no index was even created
  })
})

describe('plain-log runs get a real time', () => {
  it('from the file (when it was written), never the synthetic 2000-01-01 clock', async () => {
    const log = path.join(dir, 'build.log')
    copyFileSync(plainLog, log)
    const written = Date.UTC(2026, 10, 20, 9, 30, 0)
    utimesSync(log, written / 1000, written / 1000)
    expect((await runCli(['ingest', log, '--no-git', '--db', db])).exitCode).toBe(0)
    const run = ((await runCli(['runs', '--json', '--db', db])).json as Json).runs[0]
    expect(run.createdAt).toBe(written)
    expect((await runCli(['runs', '--db', db])).stdout).toContain('2026-11-20 09:30:00Z')
  })

  it('from the ingest time when it comes from stdin', async () => {
    const before = Date.now()
    expect((await runCli(['ingest', '-', '--no-git', '--db', db], {input: readFileSync(plainLog)})).exitCode).toBe(0)
    const after = Date.now()
    const run = ((await runCli(['runs', '--json', '--db', db])).json as Json).runs[0]
    expect(run.createdAt).toBeGreaterThanOrEqual(before - 1000)
    expect(run.createdAt).toBeLessThanOrEqual(after)
    expect(new Date(run.createdAt).getUTCFullYear()).not.toBe(2000)
  })
})
