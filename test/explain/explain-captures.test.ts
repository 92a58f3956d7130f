import {describe, expect, it} from 'vitest'
import {explainRun} from '../../src/domain/explain/explain-run.js'
import {renderExplanationText} from '../../src/output/explain-text.js'
import {capture, foldFile} from '../helpers/fixtures.js'

const load = (name: string) => foldFile(capture(name), {target: 'api'})

describe('explain on the real captures', () => {
  it('r3-code-change against r2-warm-remote: amd64 has one root cause at build 4/6 COPY api/, arm64 missed for want of cache', async () => {
    const ex = explainRun(await load('r3-code-change'), await load('r2-warm-remote'))
    const amd = ex.steps.filter((s) => s.platform === 'linux/amd64')
    const at = (stage: string, index: number) => amd.find((s) => s.stage === stage && s.index === index)!
    const rootsAmd = ex.rootCauses.filter((r) => r.key.includes('linux/amd64'))
    expect(rootsAmd).toHaveLength(1)
    expect(rootsAmd[0]!.label).toBe('[api linux/amd64 build 4/6] COPY api/ ./api/')
    expect(rootsAmd[0]!.verdict).toBe('context-changed')
    expect(rootsAmd[0]!.invalidatedSteps).toBe(4)
    for (const [stage, index] of [['build', 5], ['build', 6], ['stage-2', 2]] as const) {
      expect(at(stage, index).verdict).toBe('upstream-invalidated')
      expect(at(stage, index).evidence?.root).toBe(rootsAmd[0]!.key)
    }
    for (const [stage, index] of [['deps', 2], ['deps', 3], ['deps', 4], ['build', 2], ['build', 3]] as const) {
      expect(at(stage, index).cached).toBe(true)
      expect(at(stage, index).verdict).toBeUndefined()
    }

    const arm = ex.steps.filter((s) => s.platform === 'linux/arm64')
    expect(arm.every((s) => !s.cached)).toBe(true)
    const rootsArm = ex.rootCauses.filter((r) => r.key.includes('linux/arm64'))
    expect(rootsArm.map((r) => r.label).sort()).toEqual(['[api linux/arm64 build 2/6] WORKDIR /src', '[api linux/arm64 deps 2/4] WORKDIR /app'])
    expect(rootsArm.every((r) => r.verdict === 'cache-unavailable')).toBe(true)
    const workdir = arm.find((s) => s.stage === 'deps' && s.index === 2)!
    // r2 took these steps from the imported cache and re-exported to the same ref (its args): advice
    // follows that evidence, never "per-platform refs" for a run that built both platforms together (#15 item 10)
    expect(workdir.evidence?.cache?.reasons[0]).toMatch(/^likely cache thinning/)
    expect(workdir.advice).toMatch(/export each build to its own tag.*\(evidence: likely cache thinning\)/)
    expect(workdir.advice).not.toMatch(/per-platform|multi-platform build/)
    expect(arm.filter((s) => !s.root).every((s) => s.verdict === 'upstream-invalidated')).toBe(true)
  })

  it('r6-base-moved against r3-code-change: base-image-changed 269c… → c9ef… on both platforms', async () => {
    const ex = explainRun(await load('r6-base-moved'), await load('r3-code-change'))
    const verdicts = new Set(ex.rootCauses.map((r) => r.verdict))
    expect([...verdicts]).toEqual(['base-image-changed'])
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const roots = ex.rootCauses.filter((r) => r.key.includes(platform))
      expect(roots.length).toBeGreaterThan(0)
      expect(roots[0]!.summary).toMatch(/sha256:269c345739b2.* → sha256:c9ef8b5a60b2/)
    }
    const base = ex.steps.find((s) => s.verdict === 'base-image-changed')!
    expect(base.evidence?.baseImage).toMatchObject({ref: '127.0.0.1:5000/base/busybox:1'})
    expect(base.advice).toMatch(/pin it/)
    // NODE_ENV changed too: the deps RUN is a cascade, but its own change is in the evidence
    const run = ex.steps.find((s) => s.platform === 'linux/amd64' && s.stage === 'deps' && s.index === 4)!
    expect(run.verdict).toBe('upstream-invalidated')
    expect(run.evidence?.summary).toContain('env=development')
  })

  it('without a baseline (the first recorded run) misses are summed up per target and platform, not listed as new', async () => {
    const ex = explainRun(await load('r1-cold'), undefined)
    expect(ex.steps.filter((s) => s.verdict)).toEqual([])
    expect(ex.rootCauses).toEqual([])
    // r1-cold: empty cache, 9 cacheable steps per platform, all executed (capture README)
    expect(ex.firstRun).toEqual([
      {target: 'api', platform: 'linux/amd64', executed: 9, cacheable: 9},
      {target: 'api', platform: 'linux/arm64', executed: 9, cacheable: 9},
    ])
    const text = renderExplanationText(ex)
    expect(text).toContain('first recorded run of api linux/amd64, linux/arm64: nothing to compare; 18 steps executed')
    expect(text).not.toMatch(/new-step|Root causes|Misses/)
    // run, cache, the one first-run line: no "Baseline: none", no "0 root causes"
    expect(text.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^Run .* \(api; linux\/amd64, linux\/arm64\) completed, /),
      'Cache: 0/18 cacheable steps hit (0%), time-weighted 0%',
      'first recorded run of api linux/amd64, linux/arm64: nothing to compare; 18 steps executed',
    ])
  })

  it('a run with a baseline has no first-run summary', async () => {
    const ex = explainRun(await load('r2-warm-remote'), await load('r1-cold'))
    expect(ex.firstRun).toBeUndefined()
    expect(renderExplanationText(ex)).not.toContain('first recorded run')
  })

  it('r10-failed: the failing step gets `failed` with its error and log tail', async () => {
    const ex = explainRun(await load('r10-failed'), await load('r3-code-change'))
    const failed = ex.steps.find((s) => s.verdict === 'failed')!
    expect(failed.instruction).toContain('missing.txt')
    expect(failed.evidence?.error?.logTail.join('\n')).toContain("can't open 'missing.txt'")
  })
})

describe('explain derives arg changes from expanded vertex names', () => {
  it('a RUN whose text differs only by a changed build arg value is arg-changed, not instruction-changed', async () => {
    const r3 = await load('r3-code-change')
    const r6 = await load('r6-base-moved')
    // keep the base image equal so the RUN is judged on its own: drop r6's FROM digest change
    const sameBase = {...r6, steps: r6.steps.map((s) => (s.kind === 'FROM' ? {...s, instruction: s.instruction.replace(/@sha256:[0-9a-f]+/, '@sha256:269c345739b285890e0317eda30f06660a33a8157e0bf1f52ce6b8b409376959')} : s))}
    // only the deps RUN missed: mark everything else as a hit
    const runOnly = {...sameBase, steps: sameBase.steps.map((s) => ({...s, cached: !(s.stage === 'deps' && s.index === 4)})), metadata: {buildArgs: {api: {NODE_ENV: 'development'}}}}
    const base = {...r3, metadata: {buildArgs: {api: {}}}}
    const ex = explainRun(runOnly, base)
    const run = ex.steps.find((s) => s.platform === 'linux/amd64' && s.stage === 'deps' && s.index === 4)!
    expect(run.verdict).toBe('arg-changed')
    expect(run.evidence?.summary).toBe('NODE_ENV: production (default) → development')
    expect(run.advice).toMatch(/declare NODE_ENV right before/)
  })
})

describe('hits that should not be', () => {
  it('flags a hit whose recorded inputs changed, naming the change', async () => {
    const base = await load('r2-warm-remote')
    const run = await load('r2-warm-remote')
    const withInputs = (r: typeof run, hash: string) => ({
      ...r,
      steps: r.steps.map((s) =>
        s.platform === 'linux/amd64' && s.stage === 'build' && s.index === 4
          ? {...s, stepInputs: {fingerprint: `fp-${hash}`, components: [{kind: 'instruction' as const, name: '', value: s.instruction}, {kind: 'file' as const, name: 'api/main.txt', value: hash}]}}
          : s,
      ),
    })
    const ex = explainRun(withInputs(run, 'sha256:new'), withInputs(base, 'sha256:old'))
    const flagged = ex.steps.filter((s) => s.suspiciousHit)
    expect(flagged.map((s) => s.key)).toEqual(['api|linux/amd64|build|4|COPY'])
    expect(flagged[0]!.suspiciousHit).toBe('hit although its recorded inputs changed: modified api/main.txt')
    expect(flagged[0]!.verdict).toBeUndefined()
    expect(ex.notes.join(' ')).toMatch(/1 step\(s\) hit the cache although their recorded inputs changed/)
  })
})
