import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {renderGithubAnnotations} from '../../src/output/annotations.js'
import {runCli} from '../helpers/cli.js'
import {FIXTURES} from '../helpers/fixtures.js'

type Json = any
const captures = path.join(FIXTURES, 'provenance-0.11')
let dir: string
let db: string

// p2-warm then p3-build-mode, each with its SLSA provenance (fixtures/provenance-0.11/README.md).
// p3's CHANGE.md: BUILD_MODE release -> debug, read by the build RUN (amd64 root cause, arg);
// arm64: every step cache-unavailable. Lines from p3's own Dockerfile (in its provenance):
// 2 WORKDIR /opt/shop, 3 COPY shop.lock, 5 deps RUN, 8 WORKDIR /work, 9 COPY --from=deps, 10 COPY src/, 12 build RUN.
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bd-annotations-'))
  db = path.join(dir, 'index.db')
  for (const r of ['p2-warm', 'p3-build-mode']) {
    const c = (f: string) => path.join(captures, r, f)
    const res = await runCli(['ingest', c('rawjson.json'), '--metadata', c('metadata.json'), '--provenance', c('provenance.linux_amd64.json'), '--provenance', c('provenance.linux_arm64.json'), '--no-git', '--db', db])
    expect(res.exitCode, res.stderr).toBe(0)
  }
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const annotations = (stdout: string) =>
  stdout.split('\n').filter((l) => l.startsWith('::warning ')).map((l) => /^::warning file=([^,]+),line=(\d+),title=([^:]+)::(.*)$/.exec(l)!).map((m) => ({file: m[1]!, line: Number(m[2]), title: m[3]!, message: m[4]!}))

describe('PR annotations on the Dockerfile line of each root cause', () => {
  it('gate --format github: the arg change on the build RUN at Dockerfile line 12, the failed gate as an error', async () => {
    const res = await runCli(['gate', '--min-hit-rate', '80', '--format', 'github', '--db', db])
    expect(res.exitCode).toBe(1)
    expect(res.stdout.split('\n')[0]).toMatch(/^::error title=bakedoctor gate::Gate failed for run r2/)
    const arg = annotations(res.stdout).find((a) => a.title === 'bakedoctor%3A arg-changed')!
    expect(arg).toMatchObject({file: 'Dockerfile', line: 12})
    expect(arg.message).toContain('[linux/amd64 build 5/5] RUN cat src/*.txt')
    expect(arg.message).toContain('BUILD_MODE: release → debug')
    expect(arg.message).toContain('%0Aadvice: ')
  })

  it('explain --format github places every root cause on its line', async () => {
    const res = await runCli(['explain', '--format', 'github', '--no-tui', '--db', db])
    expect(res.exitCode, res.stderr).toBe(0)
    const placed = annotations(res.stdout).map((a) => `${a.line} ${a.title.replace('bakedoctor%3A ', '')}`).sort((a, b) => parseInt(a) - parseInt(b))
    expect(placed).toEqual(['2 cache-unavailable', '3 cache-unavailable', '5 cache-unavailable', '8 cache-unavailable', '9 cache-unavailable', '10 cache-unavailable', '12 arg-changed'])
  })

  it('--format codequality: GitLab code-quality issues with path and line', async () => {
    const res = await runCli(['explain', '--format', 'codequality', '--no-tui', '--db', db])
    const issues = JSON.parse(res.stdout) as Json[]
    expect(issues).toHaveLength(7)
    const arg = issues.find((i) => i.check_name === 'bakedoctor/arg-changed')
    expect(arg.location).toEqual({path: 'Dockerfile', lines: {begin: 12}})
    expect(arg.description).toContain('BUILD_MODE: release → debug')
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(7)
    const gate = await runCli(['gate', '--min-hit-rate', '80', '--format', 'codequality', '--output', path.join(dir, 'cq.json'), '--db', db])
    expect(gate.exitCode).toBe(1)
  })

  it('escapes what GitHub would read as command syntax; root causes without a line are counted', () => {
    const out = renderGithubAnnotations([
      {key: 'k', verdict: 'instruction-changed', label: '[a] RUN x', summary: '100% new\nline', invalidatedSteps: 1, invalidatedMs: 5, dockerfile: {file: 'dir,x/Dockerfile:1', line: 4}},
      {key: 'j', verdict: 'cache-unavailable', label: '[a] RUN y', summary: 's', invalidatedSteps: 1, invalidatedMs: 5},
    ])
    expect(out.split('\n')).toEqual([
      '::warning file=dir%2Cx/Dockerfile%3A1,line=4,title=bakedoctor%3A instruction-changed::[a] RUN x%0A100%25 new%0Aline%0Ainvalidated 1 step, 5ms',
      '::notice title=bakedoctor::1 root cause has no Dockerfile line (record provenance or build with bakedoctor build): see bakedoctor explain',
    ])
  })
})
