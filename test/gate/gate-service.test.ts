import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {InputError} from '../../src/domain/errors.js'
import type {Explanation} from '../../src/domain/explain/types.js'
import {UsageError} from '../../src/errors.js'
import {gateRun, runGate, type GateExplainFn} from '../../src/services/gate.js'
import {ingestFile} from '../../src/services/ingest.js'
import {bakeCapture, capture} from '../helpers/fixtures.js'

let dir: string
let db: string

beforeAll(async () => {
  // Given the bundled real captures recorded in order: r1 cold, r2 warm, r3 code change, r4 = r10-failed
  dir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-gate-'))
  db = path.join(dir, 'index.db')
  for (const name of ['r1-cold', 'r2-warm-remote', 'r3-code-change', 'r10-failed']) {
    await ingestFile({file: capture(name), target: 'api', db, cwd: dir, git: false})
  }
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

const rule = (result: Awaited<ReturnType<typeof runGate>>, id: string) => result.rules.find((r) => r.id === id)

describe('runGate on the real captures', () => {
  it('passes r2-warm-remote at --min-hit-rate 80', async () => {
    const result = await runGate({db, cwd: dir, run: 'r2', rules: {minHitRate: '80'}})
    expect(result.outcome).toBe('pass')
    expect(result.passed).toBe(true)
    expect(result.rules.map((r) => [r.label, r.hits, r.cacheable, r.status])).toEqual([
      ['overall', 18, 18, 'pass'], ['linux/amd64', 9, 9, 'pass'], ['linux/arm64', 9, 9, 'pass'],
    ])
    expect(result.rootCauses).toEqual([])
  })

  it('overall-only rules read the totals stored with the run and agree with the step-level computation', async () => {
    for (const run of ['r1', 'r2', 'r3', 'r4']) {
      const fast = await runGate({db, cwd: dir, run, rules: {minHitRate: 50, per: ['overall']}})
      const full = await runGate({db, cwd: dir, run, rules: {minHitRate: 50, per: ['overall', 'target']}})
      const overall = (r: typeof fast) => r.rules.filter((x) => x.id.startsWith('hit-rate:overall')).map((x) => [x.hits, x.cacheable, x.status])
      // r4 is the failed build: reported as such, no hit-rate rule is judged
      expect(overall(fast)).toHaveLength(run === 'r4' ? 0 : 1)
      expect(overall(fast)).toEqual(overall(full))
      expect(fast.outcome).toBe(full.outcome)
    }
  })

  it('fails r3-code-change at 80 with per-platform figures and names the real root causes', async () => {
    const result = await runGate({db, cwd: dir, run: 'r3', rules: {minHitRate: 80}})
    expect(result.outcome).toBe('fail')
    expect(rule(result, 'hit-rate:target-platform:api:linux/amd64')).toMatchObject({hits: 5, cacheable: 9, status: 'fail'})
    expect(rule(result, 'hit-rate:target-platform:api:linux/arm64')).toMatchObject({hits: 0, cacheable: 9, status: 'fail', message: 'linux/arm64 hit rate 0/9 (0%) < 80%'})
    // from the real explanation (against r2): the edited file on amd64, the unserved cache on arm64
    const causes = result.rootCauses.map((c) => [c.verdict, c.label, c.platform])
    expect(causes).toContainEqual(['context-changed', '[api linux/amd64 build 4/6] COPY api/ ./api/', 'linux/amd64'])
    expect(causes.filter(([v, , p]) => v === 'cache-unavailable' && p === 'linux/arm64').length).toBeGreaterThan(0)
    expect(result.rootCauses.every((c) => c.summary.length > 0 && c.invalidatedSteps > 0)).toBe(true)
    expect(result.rootCauses.find((c) => c.verdict === 'context-changed')?.advice).toMatch(/dockerignore|COPY/)
  })

  it('passes amd64 and fails arm64 in one report with per-platform rules at 50', async () => {
    const result = await runGate({db, cwd: dir, run: 'r3', rules: {minHitRate: '50%', per: ['platform']}})
    expect(result.rules.map((r) => [r.id, r.status])).toEqual([
      ['hit-rate:platform:linux/amd64', 'pass'], ['hit-rate:platform:linux/arm64', 'fail'],
    ])
    // only the failing group's causes are listed
    expect(result.rootCauses.length).toBeGreaterThan(0)
    expect(result.rootCauses.every((c) => c.platform === 'linux/arm64')).toBe(true)
    expect(result.headline).toBe('Gate failed for run r3: 1 of 2 rules failed')
  })

  it('gates one platform alone with --platform', async () => {
    const result = await runGate({db, cwd: dir, run: 'r3', platform: 'linux/amd64', rules: {minHitRate: 50}})
    expect(result.totals).toMatchObject({hits: 5, cacheable: 9})
    expect(result.outcome).toBe('pass')
    await expect(runGate({db, cwd: dir, run: 'r3', target: 'worker', rules: {minHitRate: 50}})).rejects.toThrow('run r3 did not build target "worker"')
  })

  it('uses an injected explain function and survives one that fails', async () => {
    const calls: unknown[] = []
    const stub: GateExplainFn = async (o) => {
      calls.push(o)
      return {
        run: {targets: ['api'], platforms: [], status: 'completed', durationMs: 0, createdAt: 0},
        totals: {cacheable: 0, hits: 0, servedInRun: 0, misses: 0, hitRate: null, timeWeightedHitRate: null, savedMs: 0, spentMs: 0},
        rootCauses: [{key: 'k', verdict: 'arg-changed', label: 'L', summary: 'NODE_ENV: production → development', invalidatedSteps: 2, invalidatedMs: 5}],
        steps: [], removedSteps: [], notes: [],
      } satisfies Explanation
    }
    const result = await runGate({db, cwd: dir, run: 'r3', rules: {minHitRate: 80}, explain: stub})
    expect(calls).toEqual([{db, cwd: dir, run: 'r3', against: undefined}])
    expect(result.rootCauses.map((c) => c.summary)).toEqual(['NODE_ENV: production → development'])
    const broken = await runGate({db, cwd: dir, run: 'r3', rules: {minHitRate: 80}, explain: async () => { throw new Error('boom') }})
    expect(broken.outcome).toBe('fail')
    expect(broken.notes).toContain('root causes unavailable: boom')
  })

  it('fails a failed build with its own message and the failing step as the cause', async () => {
    const result = await runGate({db, cwd: dir, run: 'r4', rules: {minHitRate: 10}})
    expect(result.outcome).toBe('build-failed')
    expect(result.headline).toMatch(/^Build r4 failed: the gate fails and its hit rate is not judged \(.*exit code: 1\)$/)
    expect(result.rootCauses.map((c) => c.verdict)).toEqual(['failed'])
  })

  it('checks the drop against a baseline run, and skips it when a branch has no run', async () => {
    const vsR2 = await runGate({db, cwd: dir, run: 'r3', rules: {maxDrop: 10, baseline: 'r2', per: ['overall']}})
    expect(vsR2.baseline).toMatchObject({id: 'r2', ref: 'r2', source: {kind: 'flag', flag: '--baseline'}})
    expect(rule(vsR2, 'max-drop:overall')).toMatchObject({status: 'fail', baselineRate: 100})
    expect(rule(vsR2, 'max-drop:overall')?.message).toBe('overall hit rate dropped 72.2 points (100% in r2 → 27.8%) > 10 points')
    const previous = await runGate({db, cwd: dir, run: 'r2', rules: {maxDrop: 0, per: ['overall']}})
    expect(previous.baseline).toMatchObject({id: 'r1', ref: 'previous run', source: {kind: 'default'}})
    expect(rule(previous, 'max-drop:overall')?.status).toBe('pass')
    const noBranch = await runGate({db, cwd: dir, run: 'r3', rules: {maxDrop: 10, baseline: 'branch:main'}})
    expect(noBranch.outcome).toBe('not-evaluable')
    expect(noBranch.rules.every((r) => r.status === 'skip')).toBe(true)
    expect(noBranch.baseline?.missing).toBe('no run of branch main before r3 in the index')
  })

  it('refuses a gate with nothing to check, a baseline without --max-drop, and bad values', async () => {
    await expect(runGate({db, cwd: dir, run: 'r3'})).rejects.toThrow(UsageError)
    await expect(runGate({db, cwd: dir, run: 'r3'})).rejects.toThrow('the gate has nothing to check')
    await expect(runGate({db, cwd: dir, run: 'r3', rules: {minHitRate: 80, baseline: 'r2'}})).rejects.toThrow('no --max-drop')
    await expect(runGate({db, cwd: dir, run: 'r3', rules: {minHitRate: 'lots'}})).rejects.toThrow('--min-hit-rate "lots" is not a percentage')
    await expect(runGate({db, cwd: dir, run: 'r3', rules: {minHitRate: 80, per: ['everywhere']}})).rejects.toThrow('--per "everywhere" is not a scope')
    await expect(runGate({db, cwd: dir, run: 'r99', rules: {minHitRate: 80}})).rejects.toThrow('no run r99')
  })

  it('reads thresholds from bakedoctor.config.json found from cwd upward, with overrides and sources', async () => {
    const project = path.join(dir, 'project')
    const sub = path.join(project, 'services', 'api')
    mkdirSync(sub, {recursive: true})
    const file = path.join(project, 'bakedoctor.config.json')
    writeFileSync(file, JSON.stringify({gate: {minHitRate: 80, platforms: {'linux/arm64': {minHitRate: 0}}, targets: {api: {platforms: {'linux/amd64': {minHitRate: 50}}}}}}))
    const result = await runGate({db, cwd: sub, run: 'r3', rules: {}})
    expect(rule(result, 'hit-rate:overall')).toMatchObject({status: 'fail', required: {value: 80, source: {kind: 'config', file, path: 'gate.minHitRate'}}})
    expect(rule(result, 'hit-rate:target-platform:api:linux/amd64')).toMatchObject({status: 'pass', required: {value: 50}})
    expect(rule(result, 'hit-rate:target-platform:api:linux/arm64')).toMatchObject({status: 'pass', required: {value: 0}})
    // a flag replaces the file's global value only
    const flagged = await runGate({db, cwd: sub, run: 'r3', rules: {minHitRate: 20}})
    expect(rule(flagged, 'hit-rate:overall')).toMatchObject({status: 'pass', required: {value: 20, source: {kind: 'flag'}}})
    expect(rule(flagged, 'hit-rate:target-platform:api:linux/amd64')?.required.value).toBe(50)
    // --config names another file; package.json "bakedoctor" key works too
    const pkg = path.join(dir, 'pkg', 'package.json')
    mkdirSync(path.dirname(pkg))
    writeFileSync(pkg, JSON.stringify({name: 'x', bakedoctor: {gate: {minHitRate: 0}}}))
    const fromPkg = await runGate({db, cwd: sub, run: 'r3', config: pkg})
    expect(fromPkg.outcome).toBe('pass')
    expect(fromPkg.thresholds[0]).toEqual({name: 'min-hit-rate', appliesTo: 'all', value: '0%', source: {kind: 'config', file: pkg, path: 'bakedoctor.gate.minHitRate'}})
    // a bad file is an InputError naming file and key
    writeFileSync(file, JSON.stringify({gate: {minHitRate: 80, platform: {}}}))
    const error = await runGate({db, cwd: sub, run: 'r3', rules: {}}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect(error).toMatchObject({file, message: 'unknown key "gate.platform"'})
    await expect(runGate({db, cwd: sub, run: 'r3', config: 'missing.json'})).rejects.toThrow('config file not found')
  })

  it('gateRun: the entry point for `bakedoctor build --min-hit-rate`', async () => {
    const result = await gateRun({db, runId: 'r2', rules: {minHitRate: 80}})
    expect(result).toMatchObject({outcome: 'pass', run: {id: 'r2'}})
  })
})

describe('runGate on a real bake of two targets', () => {
  it('checks each target × platform, labelled with the target', async () => {
    const bakeDir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-gate-bake-'))
    try {
      const bakeDb = path.join(bakeDir, 'index.db')
      await ingestFile({file: bakeCapture('b3-worker-edit'), db: bakeDb, cwd: bakeDir, git: false})
      const result = await runGate({db: bakeDb, cwd: bakeDir, rules: {minHitRate: 70}})
      expect(result.rules.map((r) => [r.message, r.status])).toEqual([
        ['overall hit rate 26/32 (81.3%) >= 70%', 'pass'],
        ['api linux/amd64 hit rate 8/8 (100%) >= 70%', 'pass'],
        ['api linux/arm64 hit rate 8/8 (100%) >= 70%', 'pass'],
        ['worker linux/amd64 hit rate 5/8 (62.5%) < 70%', 'fail'],
        ['worker linux/arm64 hit rate 5/8 (62.5%) < 70%', 'fail'],
      ])
      // the only run of this bake: nothing to compare its misses with, so no cause is blamed
      expect(result.rootCauses).toEqual([])
      expect(result.notes).toContain('first recorded run of these targets and platforms: nothing to compare its misses with; 6 steps executed')
      const onlyApi = await runGate({db: bakeDb, cwd: bakeDir, target: 'api', rules: {minHitRate: 70}})
      expect(onlyApi).toMatchObject({outcome: 'pass', totals: {hits: 16, cacheable: 16}})
    } finally {
      rmSync(bakeDir, {recursive: true, force: true})
    }
  })
})
