/**
 * Hostile event streams through the real CLI: a broken line is skipped with a warning naming it
 * (never a silent truncation), and memory stays bounded whatever the shape of the input.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'
import {writeBig} from '../helpers/input-error.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-hostile-'))
type Json = any

describe('rawjson: one stray "{" line', () => {
  it('is skipped with a warning naming the line; every later event is still read (same run as without it)', async () => {
    const dir = tmp()
    const lines = readFileSync(capture('r1-cold'), 'utf8').split('\n')
    const file = path.join(dir, 'stray.json')
    writeFileSync(file, [...lines.slice(0, 2), '{', ...lines.slice(2)].join('\n'))
    const clean = await runCli(['ingest', capture('r1-cold'), '--db', path.join(dir, 'a.db'), '--no-git', '--json'])
    const res = await runCli(['ingest', file, '--db', path.join(dir, 'b.db'), '--no-git', '--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    const [a, b] = [clean.json as Json, res.json as Json]
    expect(b.run.status).toBe('completed')
    expect(b.run.status).toBe(a.run.status)
    expect(b.run.stepCount).toBe(a.run.stepCount)
    expect(b.run.cacheable).toBe(18)
    expect(b.skippedLines).toBe(a.skippedLines + 1)
    expect(b.brokenLines).toEqual([{line: 3, reason: expect.stringMatching(/never closed/)}])
    const text = await runCli(['ingest', file, '--db', path.join(dir, 'c.db'), '--no-git'])
    expect(text.stderr).toContain(`warning: ${file}:3: skipped: a "{" line that never closed`)
  })

  it('followed by 100 MB that never closes the object: bounded buffering (peak RSS < 250 MB), exit 2 as nothing decodable', async () => {
    const dir = tmp()
    const file = path.join(dir, 'open.json')
    await writeBig(file, '{\n', 100 * 1024 * 1024, '\n', Buffer.from(`  "data": "${'A'.repeat(4000)}",\n`))
    const res = await runCli(['ingest', file, '--db', path.join(dir, 'i.db'), '--no-git'], {measurePeakRss: true, timeoutMs: 120_000})
    expect(res.exitCode, res.stderr).toBe(2)
    expect(res.stderr).toContain(`${file}:1: no build events found: every line was skipped (line 1: an indented object larger than 32 MiB)`)
    expect(res.peakKb, `peak RSS ${res.peakKb} kB`).toBeLessThan(250 * 1024)
  }, 120_000)
})

/** Writes `count` lines made by `line(i)` without holding them in memory. */
async function writeLines(file: string, count: number, line: (i: number) => string, head = ''): Promise<void> {
  const {createWriteStream} = await import('node:fs')
  const out = createWriteStream(file)
  if (head) out.write(head)
  for (let i = 0; i < count; i++) if (!out.write(line(i) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()))
  await new Promise<void>((r) => out.end(() => r()))
}

const hex = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`
const T0 = '2026-11-01T00:00:00Z'
const T1 = '2026-11-01T00:00:01Z'

describe('memory is bounded by limits, not by the input; the run says what a limit cut', () => {
  it('100,000 distinct vertices: the first 20,000 are kept, peak RSS < 300 MB; ingest, show and explain say so', async () => {
    const dir = tmp()
    const file = path.join(dir, 'vertices.json')
    await writeLines(file, 100_000, (i) => JSON.stringify({vertexes: [{digest: hex(i), name: `[stage-0 ${(i % 9) + 1}/9] RUN echo ${i}`, started: T0, completed: T1}]}))
    const db = path.join(dir, 'i.db')
    const res = await runCli(['ingest', file, '--db', db, '--no-git'], {measurePeakRss: true, timeoutMs: 180_000})
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.peakKb, `peak RSS ${res.peakKb} kB`).toBeLessThan(300 * 1024)
    const cut = 'more than 20,000 vertices: 80,000 record(s) of further vertices were dropped'
    expect(res.stderr).toContain(`note: this run was cut by a limit: ${cut}`)
    expect(res.stdout).toMatch(/20000 vertices/)
    const show = await runCli(['show', 'latest', '--db', db])
    expect(show.stdout).toContain(`Cut by a limit: ${cut}`)
    const explain = await runCli(['explain', 'latest', '--db', db, '--json'])
    expect((explain.json as Json).notes).toContainEqual(expect.stringContaining(cut))
  }, 180_000)

  it('300,000 log lines for distinct vertices (never announced): bounded log buffering, peak RSS < 300 MB, the cut is recorded', async () => {
    const dir = tmp()
    const file = path.join(dir, 'logs.json')
    const data = Buffer.from('some output of a step\n').toString('base64')
    await writeLines(file, 300_000, (i) => `{"logs":[{"vertex":"${hex(i)}","stream":1,"data":"${data}","timestamp":"${T0}"}]}`, JSON.stringify({vertexes: [{digest: 'sha256:a', name: '[1/1] RUN x', started: T0}]}) + '\n')
    const db = path.join(dir, 'i.db')
    const res = await runCli(['ingest', file, '--db', db, '--no-git', '--json'], {measurePeakRss: true, timeoutMs: 180_000})
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.peakKb, `peak RSS ${res.peakKb} kB`).toBeLessThan(300 * 1024)
    expect((res.json as Json).notes).toContainEqual(expect.stringMatching(/cut by a limit: log output over the limits \(2,000 running vertices, 64 MiB buffered\): 298,000 chunk\(s\)/))
    const show = await runCli(['show', 'latest', '--db', db])
    expect(show.stdout).toMatch(/Cut by a limit: log output over the limits/)
  }, 180_000)
})
