import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {capture, FIXTURES} from '../helpers/fixtures.js'

let dir: string
let db: string
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bd-diff-'))
  db = path.join(dir, 'index.db')
  // r3-code-change then r6-base-moved: NODE_ENV production → development is expanded into the deps RUN (capture README)
  for (const r of ['r3-code-change', 'r6-base-moved']) {
    const res = await runCli(['ingest', capture(r), '--target', 'api', '--metadata', path.join(FIXTURES, 'buildkit-0.11-rawjson', r, 'metadata.json'), '--no-git', '--db', db])
    expect(res.exitCode, res.stderr).toBe(0)
  }
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('diff speaks in step places and word diffs, never internal keys', () => {
  it('an edited instruction shows where it is and its word diff; no `target|platform|stage|index|kind` key anywhere', async () => {
    const res = await runCli(['diff', 'r1', 'r2', '--no-tui', '--db', db])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.stdout).toContain('[api linux/amd64 deps 4/4]  instruction: RUN mkdir -p deps && cat lockfile.txt | tr a-z A-Z > deps/installed && echo "env=[-production-]{+development+}" >> deps/installed')
    expect(res.stdout).toContain('api build-arg  arg NODE_ENV:')
    // internal step keys look like `api|linux/amd64|deps|4|RUN` or `||base|2|RUN`
    expect(res.stdout).not.toMatch(/\|[\w/.-]*\|[\w.-]*\|\d+\|[A-Z]+/)
    const md = await runCli(['diff', 'r1', 'r2', '--no-tui', '--format', 'markdown', '--db', db])
    expect(md.stdout).toContain('| [api linux/amd64 deps 4/4] | instruction')
    expect(md.stdout).not.toMatch(/\|[\w/.-]*\|[\w.-]*\|\d+\|[A-Z]+/)
  })

  it('explain (text, markdown, annotations) and show name steps by place too', async () => {
    for (const args of [['explain', 'r2', '--no-tui', '--all'], ['explain', 'r2', '--format', 'markdown'], ['explain', 'r2', '--format', 'github'], ['show', 'r2', '--internal']]) {
      const res = await runCli([...args, '--db', db])
      expect(res.exitCode, res.stderr).toBe(0)
      if (args[0] === 'explain' && !args.includes('github')) expect(res.stdout, args.join(' ')).toContain('[api linux/amd64 deps 4/4]')
      expect(res.stdout, args.join(' ')).not.toMatch(/\|[\w/.-]*\|[\w.-]*\|\d+\|[A-Z]+/)
    }
  })
})
