import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {renderGithubAnnotations} from '../../src/output/annotations.js'
import {runCli} from '../helpers/cli.js'
import {capture, FIXTURES} from '../helpers/fixtures.js'

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

// Without provenance: the line comes from the Dockerfile the run was built from (`ingest --dockerfile`).
// buildkit-0.11-rawjson (its README): r6-base-moved re-pushed the base image under r3-code-change.
// Lines from app-context/api/Dockerfile: 3 WORKDIR /app (deps 2/4), 5 the deps RUN (deps 4/4, NODE_ENV
// expanded), 8 WORKDIR /src (build 2/6), 10 COPY api/ (build 4/6).
describe('PR annotations from the recorded Dockerfile (no provenance)', () => {
  const context = path.join(FIXTURES, 'buildkit-0.11-rawjson', 'app-context')
  let plainDb: string
  const ingest = (run: string, db: string, dockerfile: string) =>
    runCli(['ingest', capture(run), '--target', 'api', '--metadata', path.join(FIXTURES, 'buildkit-0.11-rawjson', run, 'metadata.json'), '--dockerfile', dockerfile, '--no-git', '--db', db], {cwd: context})

  beforeAll(async () => {
    plainDb = path.join(dir, 'plain.db')
    for (const r of ['r2-warm-remote', 'r3-code-change', 'r6-base-moved']) {
      const res = await ingest(r, plainDb, 'api/Dockerfile')
      expect(res.exitCode, res.stderr).toBe(0)
    }
  })

  it('gate --format github on r3 → r6: the moved base image on each stage\'s first step, per platform, in api/Dockerfile', async () => {
    const res = await runCli(['gate', '--min-hit-rate', '80', '--format', 'github', '--db', plainDb])
    expect(res.exitCode).toBe(1)
    const placed = annotations(res.stdout)
    expect(placed.map((a) => `${a.file}:${a.line} ${a.title.replace('bakedoctor%3A ', '')} ${/linux\/\w+/.exec(a.message)![0]}`)).toEqual([
      'api/Dockerfile:3 base-image-changed linux/amd64',
      'api/Dockerfile:8 base-image-changed linux/amd64',
      'api/Dockerfile:3 base-image-changed linux/arm64',
      'api/Dockerfile:8 base-image-changed linux/arm64',
    ])
    expect(res.stdout).not.toContain('no Dockerfile line')
  })

  it('explain r3 (github, codequality, --json): the code change on COPY api/, the unserved arm64 cache on the WORKDIRs; a build-arg-expanded RUN keeps its line', async () => {
    const gh = await runCli(['explain', 'r2', '--format', 'github', '--no-tui', '--db', plainDb])
    expect(annotations(gh.stdout).map((a) => `${a.line} ${a.title.replace('bakedoctor%3A ', '')}`)).toEqual(['10 context-changed', '3 cache-unavailable', '8 cache-unavailable'])
    const cq = JSON.parse((await runCli(['explain', 'r2', '--format', 'codequality', '--no-tui', '--db', plainDb])).stdout) as Json[]
    expect(cq.map((i) => i.location)).toEqual([10, 3, 8].map((begin) => ({path: 'api/Dockerfile', lines: {begin}})))
    const json = (await runCli(['explain', 'r3', '--json', '--no-tui', '--all', '--db', plainDb])).json as Json
    const deps4 = json.steps.filter((st: Json) => st.stage === 'deps' && st.index === 4)
    expect(deps4.map((st: Json) => st.instruction)).toEqual(Array(2).fill('RUN mkdir -p deps && cat lockfile.txt | tr a-z A-Z > deps/installed && echo "env=development" >> deps/installed'))
    expect(deps4.map((st: Json) => st.dockerfileLine)).toEqual([5, 5])
  })

  it('a Dockerfile that did not build the run places nothing', async () => {
    const otherDb = path.join(dir, 'other.db')
    for (const r of ['r3-code-change', 'r6-base-moved']) expect((await ingest(r, otherDb, path.join(FIXTURES, 'provenance-0.11', 'app-context', 'Dockerfile'))).exitCode).toBe(0)
    const res = await runCli(['explain', '--format', 'github', '--no-tui', '--db', otherDb])
    expect(annotations(res.stdout)).toEqual([])
    expect(res.stdout).toContain('4 root causes have no Dockerfile line')
  })
})
