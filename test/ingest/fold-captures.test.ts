import {describe, expect, it} from 'vitest'
import {computeTotals, totalsBy} from '../../src/domain/model/totals.js'
import {bakeCapture, capture, foldFile} from '../helpers/fixtures.js'

const ratio = (t: {hits: number; cacheable: number}) => `${t.hits}/${t.cacheable}`

describe('real BuildKit v0.11 captures fold into runs with the documented hit rates', () => {
  it.each([
    ['r1-cold', '0/18'],
    ['r2-warm-remote', '18/18'],
    ['r3-code-change', '5/18'],
    ['r6-base-moved', '0/18'],
    ['s1-multi-max', '0/18'],
  ])('%s hits %s cacheable steps', async (name, expected) => {
    const run = await foldFile(capture(name), {target: 'api'})
    expect(ratio(computeTotals(run.steps))).toBe(expected)
    expect(run.status).toBe('completed')
    expect(run.platforms).toEqual(['linux/amd64', 'linux/arm64'])
  })

  it('r2-warm-remote hits 9/9 per platform, r3-code-change 5/9 on amd64 and 0/9 on arm64', async () => {
    const r2 = await foldFile(capture('r2-warm-remote'))
    const r3 = await foldFile(capture('r3-code-change'))
    const per = (run: typeof r2) => Object.fromEntries([...totalsBy(run.steps, (s) => s.platform ?? '')].map(([k, t]) => [k, ratio(t)]))
    expect(per(r2)).toEqual({'linux/amd64': '9/9', 'linux/arm64': '9/9'})
    expect(per(r3)).toEqual({'linux/amd64': '5/9', 'linux/arm64': '0/9'})
  })

  it('parses steps from vertex names: stage, index, kind, instruction with ARG values expanded', async () => {
    const run = await foldFile(capture('r3-code-change'), {target: 'api'})
    const copy = run.steps.find((s) => s.platform === 'linux/amd64' && s.stage === 'build' && s.index === 4)
    expect(copy).toMatchObject({kind: 'COPY', instruction: 'COPY api/ ./api/', total: 6, cached: false, cacheable: true, target: 'api'})
    const deps = run.steps.find((s) => s.platform === 'linux/arm64' && s.stage === 'deps' && s.index === 4)
    expect(deps?.instruction).toContain('echo "env=production"')
    const from = run.steps.find((s) => s.kind === 'FROM' && s.platform === 'linux/amd64')
    expect(from?.cacheable).toBe(false)
    expect(from?.instruction).toContain('@sha256:269c345739b2')
    expect(run.steps.filter((s) => s.internal).map((s) => s.instruction)).toContain('exporting to image')
    // the DAG: COPY api/ depends on the deps COPY and the build context
    expect(copy?.inputs.length).toBeGreaterThanOrEqual(2)
  })

  it('records r10-failed as a failed run with the failing step, its error and its last log lines', async () => {
    const run = await foldFile(capture('r10-failed'), {target: 'api'})
    expect(run.status).toBe('failed')
    const failed = run.steps.find((s) => s.error)
    expect(failed?.instruction).toMatch(/^RUN cat api\/\*\.txt lib\.txt missing\.txt/)
    expect(failed?.error).toContain('did not complete successfully: exit code: 1')
    expect(failed?.logTail.join('\n')).toContain("can't open 'missing.txt'")
    expect(run.error).toContain('exit code: 1')
    // the plain-text error block after the events is skipped and counted, not fatal
    expect(run.skippedLines).toBeGreaterThan(5)
  })
})

describe('real bake captures', () => {
  it('attributes steps to targets and counts sibling-served hits apart (b1-cold)', async () => {
    const run = await foldFile(bakeCapture('b1-cold'))
    expect(run.targets).toEqual(['api', 'worker'])
    const byTarget = totalsBy(run.steps, (s) => `${s.target} ${s.platform}`)
    // api's deps steps were executed moments earlier by worker: served in-run, not cache hits
    expect(byTarget.get('api linux/amd64')).toMatchObject({cacheable: 8, hits: 0, servedInRun: 4})
    expect(byTarget.get('worker linux/arm64')).toMatchObject({cacheable: 8, hits: 0, servedInRun: 0})
    // a digest announced under both targets' names is a step of each target
    const shared = run.steps.filter((s) => s.digest.startsWith('sha256:1141594af4c5'))
    expect(shared.map((s) => s.target).sort()).toEqual(['api', 'worker'])
  })

  it('counts real hits from the registry cache as hits (b3-worker-edit)', async () => {
    const run = await foldFile(bakeCapture('b3-worker-edit'))
    const byTarget = totalsBy(run.steps, (s) => `${s.target} ${s.platform}`)
    expect(byTarget.get('api linux/amd64')).toMatchObject({cacheable: 8, hits: 8, servedInRun: 0})
    expect(byTarget.get('worker linux/amd64')).toMatchObject({cacheable: 8, hits: 5})
  })
})

describe('run status', () => {
  it('a failed cache import (ref not pushed yet) is not a failed build (b1-cold exited 0)', async () => {
    const run = await foldFile(bakeCapture('b1-cold'))
    expect(run.status).toBe('completed')
    const imports = run.steps.filter((s) => s.instruction.startsWith('importing cache manifest from'))
    expect(imports.every((s) => s.error?.includes('failed to configure registry cache importer'))).toBe(true)
  })
})
