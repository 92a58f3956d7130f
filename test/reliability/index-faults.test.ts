import {spawn} from 'node:child_process'
import {createWriteStream, mkdtempSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import Database from 'better-sqlite3'
import {BIN, runCli} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'
// @ts-expect-error plain ESM helper shared with the benchmark
import {bakeStreamLines} from '../../bench/synthetic.mjs'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-rel-'))

async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file)
  for (const l of lines) if (!out.write(l + '\n')) await new Promise<void>((r) => out.once('drain', () => r()))
  await new Promise<void>((r) => out.end(() => r()))
}

describe('the index under load and faults', () => {
  it('8 concurrent ingest processes into one index all succeed, no run lost, no "database is locked"', async () => {
    const db = path.join(tmp(), 'shared.db')
    const results = await Promise.all(
      Array.from({length: 8}, (_, i) => runCli(['ingest', capture(i % 2 ? 'r2-warm-remote' : 'r3-code-change'), '--db', db, '--no-git', '--label', `job=${i}`, '--json', '--again'], {timeoutMs: 120_000})),
    )
    for (const r of results) {
      expect(r.exitCode, r.stderr).toBe(0)
      expect(r.stderr).not.toMatch(/locked|busy/i)
    }
    const ids = results.map((r) => (r.json as {run: {id: string}}).run.id)
    expect(new Set(ids).size).toBe(8)
    const conn = new Database(db, {readonly: true})
    expect(conn.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({n: 8})
    const jobs = (conn.prepare('SELECT labels FROM runs').all() as {labels: string}[]).map((r) => JSON.parse(r.labels).job).sort()
    expect(jobs).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'])
    conn.close()
  }, 180_000)

  it('concurrent ingests of one file without --again record it once; the others say which run it is', async () => {
    const db = path.join(tmp(), 'once.db')
    const results = await Promise.all(Array.from({length: 4}, () => runCli(['ingest', capture('r2-warm-remote'), '--db', db, '--no-git', '--json'], {timeoutMs: 120_000})))
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0)
    const json = results.map((r) => r.json as {run: {id: string}; alreadyRecorded?: boolean})
    expect(new Set(json.map((j) => j.run.id))).toEqual(new Set(['r1']))
    expect(json.filter((j) => !j.alreadyRecorded)).toHaveLength(1)
    const conn = new Database(db, {readonly: true})
    expect(conn.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({n: 1})
    conn.close()
  }, 180_000)

  it('a SIGKILL in the middle of a large ingest leaves a clean index and no partial run', async () => {
    const dir = tmp()
    const db = path.join(dir, 'i.db')
    const big = path.join(dir, 'big.json')
    await writeLines(big, bakeStreamLines({targets: 200, stepsPerTarget: 30, logBytesPerRun: 4000}))
    // a first complete run so the index exists and has content
    expect((await runCli(['ingest', capture('r1-cold'), '--db', db, '--no-git'])).exitCode).toBe(0)
    // kills land while decoding, while folding, and inside the write transaction
    for (const delay of [300, 1200, 2000, 2600]) {
      const child = spawn(process.execPath, [BIN, 'ingest', big, '--db', db, '--no-git'], {stdio: 'ignore'})
      const closed = new Promise((r) => child.on('close', r))
      await new Promise((r) => setTimeout(r, delay))
      child.kill('SIGKILL')
      await closed
    }
    const conn = new Database(db)
    expect(conn.pragma('integrity_check', {simple: true})).toBe('ok')
    const runs = conn.prepare('SELECT id, step_count AS n, (SELECT count(*) FROM run_steps WHERE run_id = runs.id) AS stored FROM runs').all() as {id: number; n: number; stored: number}[]
    for (const r of runs) expect(r.stored).toBe(r.n)
    conn.close()
  }, 180_000)

  it('an index from a newer schema version is refused with a clear error (exit 2)', async () => {
    const db = path.join(tmp(), 'i.db')
    expect((await runCli(['ingest', capture('r1-cold'), '--db', db, '--no-git'])).exitCode).toBe(0)
    const conn = new Database(db)
    conn.pragma('user_version = 99')
    conn.close()
    const res = await runCli(['runs', '--db', db])
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toMatch(/schema version 99, newer than this bakedoctor understands/)
    expect(res.stderr).toMatch(/upgrade bakedoctor/)
  })

  it('a corrupt index file is a clear error (exit 2), not a crash', async () => {
    const db = path.join(tmp(), 'i.db')
    writeFileSync(db, Buffer.alloc(8192, 0x5a))
    const res = await runCli(['ingest', capture('r1-cold'), '--db', db, '--no-git'])
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toMatch(/the index .*i\.db is damaged or not a bakedoctor index/)
    expect(res.stderr).toMatch(/Fix: move the file away/)
  })

  it('reading commands do not create an index', async () => {
    const db = path.join(tmp(), 'none.db')
    const res = await runCli(['runs', '--db', db])
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toMatch(/no index at/)
    expect(existsSync(db)).toBe(false)
  })
})
