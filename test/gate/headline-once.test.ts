import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'bd-headline-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

it('a failed gate prints its headline once (the report), not again as an error on stderr; exit 1', async () => {
  const db = path.join(dir, 'index.db')
  // r3-code-change: 5/18 cacheable steps from cache (capture README)
  expect((await runCli(['ingest', capture('r3-code-change'), '--target', 'api', '--no-git', '--db', db])).exitCode).toBe(0)
  const res = await runCli(['gate', '--min-hit-rate', '80', '--db', db])
  expect(res.exitCode).toBe(1)
  const all = res.stdout + res.stderr
  expect(all.match(/Gate failed for run r1/g)).toHaveLength(1)
  expect(res.stdout).toMatch(/^FAIL {2}Gate failed for run r1/)
  expect(res.stderr).toBe('')
})
