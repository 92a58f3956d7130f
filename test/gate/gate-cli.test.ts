import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'
import {findAll, parseXml} from './xml.js'

// CLI-level: runs the compiled dist/ (`npm run build` first).
let dir: string
let db: string
const gate = (args: string[], options: {cwd?: string} = {}) => runCli(['gate', '--db', db, ...args], {cwd: options.cwd ?? dir})

/** A run whose only steps are plumbing and FROM: nothing cacheable. */
const EMPTY_RUN = [
  {vertexes: [{digest: 'sha256:' + 'a'.repeat(64), name: '[internal] load metadata for docker.io/library/busybox:1', started: '2026-01-01T00:00:00Z', completed: '2026-01-01T00:00:01Z'}]},
  {vertexes: [{digest: 'sha256:' + 'b'.repeat(64), name: '[1/1] FROM docker.io/library/busybox:1@sha256:' + 'c'.repeat(64), started: '2026-01-01T00:00:01Z', completed: '2026-01-01T00:00:02Z', cached: true}]},
].map((l) => JSON.stringify(l)).join('\n') + '\n'

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-gate-cli-'))
  db = path.join(dir, 'index.db')
  writeFileSync(path.join(dir, 'empty.jsonl'), EMPTY_RUN)
  // r1, r2 on main; r3 on a feature branch; r4 the failed build; r5 a run with nothing cacheable
  const runs: [string, string][] = [
    [capture('r1-cold'), 'main'], [capture('r2-warm-remote'), 'main'], [capture('r3-code-change'), 'feature'],
    [capture('r10-failed'), 'feature'], [path.join(dir, 'empty.jsonl'), 'feature'],
  ]
  for (const [file, branch] of runs) {
    const r = await runCli(['ingest', file, '--target', 'api', '--db', db], {cwd: dir, env: {BAKEDOCTOR_BRANCH: branch}})
    expect(r.exitCode, r.stderr).toBe(0)
  }
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('bakedoctor gate (CLI)', () => {
  it('exits 0 when r2-warm-remote meets --min-hit-rate 80', async () => {
    const r = await gate(['--run', 'r2', '--min-hit-rate', '80'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain('linux/arm64 hit rate 9/9 (100%) >= 80%  PASS')
    expect(r.stdout).toContain('min-hit-rate 80% for all (flag --min-hit-rate)')
  })

  it('exits 1 for r3-code-change, writing a valid JUnit file and appending markdown to the summary file', async () => {
    const summary = path.join(dir, 'summary.md')
    writeFileSync(summary, '# earlier step\n')
    const xmlFile = path.join(dir, 'gate.xml')
    const r = await gate(['--run', 'r3', '--min-hit-rate', '80', '--format', 'junit', '--output', xmlFile, '--summary-file', summary])
    expect(r.exitCode).toBe(1)
    // the text report still goes to stdout, headline first; the headline is not repeated on stderr
    expect(r.stdout).toContain('FAIL  Gate failed for run r3: 3 of 3 rules failed')
    expect(r.stdout).toContain('linux/amd64 hit rate 5/9 (55.6%) < 80%  FAIL')
    expect(r.stdout).toContain('linux/arm64 hit rate 0/9 (0%) < 80%  FAIL')
    expect(r.stdout).toContain('context-changed  [api linux/amd64 build 4/6] COPY api/ ./api/')
    expect(r.stderr).not.toContain('Gate failed for run r3')

    const root = parseXml(readFileSync(xmlFile, 'utf8'))
    expect(root.attrs).toMatchObject({tests: '3', failures: '3'})
    const cases = findAll(root, 'testcase')
    expect(cases.map((c) => c.attrs.name)).toEqual(['overall hit rate >= 80%', 'linux/amd64 hit rate >= 80%', 'linux/arm64 hit rate >= 80%'])
    expect(cases[1]!.children[0]).toMatchObject({name: 'failure', attrs: {message: 'linux/amd64 hit rate 5/9 (55.6%) < 80%'}})
    expect(cases[1]!.children[0]!.text).toContain('context-changed')

    const md = readFileSync(summary, 'utf8')
    expect(md.startsWith('# earlier step\n## ❌ bakedoctor gate: failed')).toBe(true)
    expect(md).toContain('**context-changed** `[api linux/amd64 build 4/6] COPY api/ ./api/`')
    expect(md).toContain('**cache-unavailable**')
    expect(md).toContain('**Advice:**')
    // appending: a second gate adds a second section
    const again = await gate(['--run', 'r2', '--min-hit-rate', '80', '--summary-file', summary])
    expect(again.exitCode).toBe(0)
    const md2 = readFileSync(summary, 'utf8')
    expect(md2.startsWith(md)).toBe(true)
    expect(md2.slice(md.length)).toContain('## ✅ bakedoctor gate: passed')
  })

  it('passes amd64 and fails arm64 in one report with --per platform', async () => {
    const r = await gate(['--run', 'r3', '--min-hit-rate', '50', '--per', 'platform', '--format', 'markdown'])
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain('| linux/amd64 hit rate | 5/9 (55.6%) | &gt;= 50% | ✅ pass |')
    expect(r.stdout).toContain('| linux/arm64 hit rate | 0/9 (0%) | &gt;= 50% | ❌ fail |')
  })

  it('--json prints the typed result and still exits 1 on a failing gate', async () => {
    const r = await gate(['--run', 'r3', '--min-hit-rate', '80', '--json'])
    expect(r.exitCode).toBe(1)
    expect(r.json).toMatchObject({outcome: 'fail', passed: false, run: {id: 'r3'}})
    const ok = await gate(['--run', 'r2', '--min-hit-rate', '80', '--json'])
    expect(ok.exitCode).toBe(0)
    expect(ok.json).toMatchObject({outcome: 'pass', passed: true})
  })

  it('compares against the latest run of a branch', async () => {
    const r = await gate(['--run', 'r3', '--baseline', 'branch:main', '--max-drop', '10', '--per', 'overall'])
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain('overall hit rate dropped 72.2 points (100% in r2 → 27.8%) > 10 points  FAIL')
    expect(r.stdout).toContain('Baseline: r2, branch:main (flag --baseline)')
  })

  it('reports a failed build (exit 1) and a run without cacheable steps (exit 1, or 0 with --allow-empty) distinctly', async () => {
    const failed = await gate(['--run', 'r4', '--min-hit-rate', '10'])
    expect(failed.exitCode).toBe(1)
    expect(failed.stdout).toMatch(/Build r4 failed: the gate fails/)
    expect(failed.stdout).toContain('RUN cat api/*.txt lib.txt missing.txt')
    const empty = await gate(['--run', 'r5', '--min-hit-rate', '80'])
    expect(empty.exitCode).toBe(1)
    expect(empty.stdout).toContain('Run r5 has no cacheable steps, so there is no hit rate to gate (pass --allow-empty to let such runs pass)')
    const allowed = await gate(['--run', 'r5', '--min-hit-rate', '80', '--allow-empty'])
    expect(allowed.exitCode).toBe(0)
    expect(allowed.stdout).toContain('passing because allow-empty is set')
  })

  it('exits 2 on usage and input errors', async () => {
    for (const args of [
      ['--run', 'r3'], // nothing to check
      ['--run', 'r3', '--min-hit-rate', 'eighty'],
      ['--run', 'r99', '--min-hit-rate', '80'],
      ['--run', 'r3', '--min-hit-rate', '80', '--format', 'xml'],
      ['--run', 'r3', '--min-hit-rate', '80', '--platform', 'linux/s390x'],
      ['--run', 'r3', '--min-hit-rate', '80', '--baseline', 'main'],
    ]) {
      const r = await gate(args)
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(2)
    }
    const noIndex = await runCli(['gate', '--min-hit-rate', '80', '--db', path.join(dir, 'nope.db')], {cwd: dir})
    expect(noIndex.exitCode).toBe(2)
    expect(existsSync(path.join(dir, 'nope.db'))).toBe(false)
  })

  it('exits 2 for an unknown config key and for a bad config value, naming the file and the key', async () => {
    const cfgDir = mkdtempSync(path.join(dir, 'cfg-'))
    const file = path.join(cfgDir, 'bakedoctor.config.json')
    writeFileSync(file, JSON.stringify({gate: {minHitRate: 80, targets: {api: {minHitRat: 90}}}}))
    const unknown = await gate(['--run', 'r3'], {cwd: cfgDir})
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain(file)
    expect(unknown.stderr).toContain('unknown key "gate.targets.api.minHitRat"')
    expect(unknown.stderr).toContain('did you mean "minHitRate"?')

    writeFileSync(file, JSON.stringify({gate: {platforms: {'linux/arm64': {minHitRate: '50%'}}}}))
    const bad = await gate(['--run', 'r3'], {cwd: cfgDir})
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain(file)
    expect(bad.stderr).toContain('"gate.platforms["linux/arm64"].minHitRate" must be a percentage: a number from 0 to 100, not string "50%"')
    expect(bad.stderr).toContain('Fix: write it as "minHitRate": 80')

    // and a good file drives the gate, echoing where each threshold came from
    writeFileSync(file, JSON.stringify({gate: {minHitRate: 80, platforms: {'linux/arm64': {minHitRate: 0}}}}))
    const ok = await gate(['--run', 'r2'], {cwd: cfgDir})
    expect(ok.exitCode).toBe(0)
    expect(ok.stdout).toContain(`min-hit-rate 0% for platform linux/arm64 (${file} gate.platforms["linux/arm64"].minHitRate)`)
  })
})
