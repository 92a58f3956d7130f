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
