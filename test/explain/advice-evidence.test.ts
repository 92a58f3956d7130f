import {describe, expect, it} from 'vitest'
import {explainRun} from '../../src/domain/explain/explain-run.js'
import {bakeCapture, capture, foldFile} from '../helpers/fixtures.js'

/** Issue #15 items 8 and 10: a failed or absent cache import is the evidence, and advice follows the run's own configuration. */
describe('cache import evidence and advice derived from the run', () => {
  it('b1-cold: the failed import (HTTP vs HTTPS) is said in the notes and is the evidence and advice of each cache-unavailable', async () => {
    const ex = explainRun(await foldFile(bakeCapture('b1-cold')), await foldFile(bakeCapture('b3-worker-edit')))
    expect(ex.notes.filter((n) => /importing cache from/.test(n))).toEqual([
      expect.stringMatching(/^\[api\] importing cache from 127\.0\.0\.1:5000\/kloudvin\/buildcache:api failed: .*server gave HTTP response to HTTPS client — nothing in this run came from that cache\.$/),
      expect.stringMatching(/^\[worker\] importing cache from 127\.0\.0\.1:5000\/kloudvin\/buildcache:worker failed: /),
    ])
    const unavailable = ex.steps.filter((s) => s.verdict === 'cache-unavailable')
    expect(unavailable.length).toBeGreaterThan(0)
    for (const s of unavailable) {
      expect(s.evidence?.cache?.imports).toEqual([{ref: `127.0.0.1:5000/kloudvin/buildcache:${s.target}`, error: expect.stringContaining('HTTP response to HTTPS client')}])
      expect(s.advice).toMatch(new RegExp(`^127\\.0\\.0\\.1:5000/kloudvin/buildcache:${s.target} is served over plain HTTP: add registry\\.insecure=true .*\\(evidence: importing cache from .* failed: `))
    }
  })

  it('s1-multi-max imported no cache: advice says so, never per-platform refs or mode=max it already uses', async () => {
    const ex = explainRun(await foldFile(capture('s1-multi-max'), {target: 'api'}), await foldFile(capture('r6-base-moved'), {target: 'api'}))
    const roots = ex.steps.filter((s) => s.root)
    expect(roots.map((s) => s.verdict)).toEqual(roots.map(() => 'cache-unavailable'))
    for (const s of roots) {
      expect(s.evidence?.cache?.imports).toEqual([])
      expect(s.advice).toMatch(/^This run imported no cache.*\(evidence: no cache import in this run\)\.$/)
    }
  })

  it('every advice line names its evidence', async () => {
    const pairs = [
      [capture('r3-code-change'), capture('r2-warm-remote')],
      [capture('r6-base-moved'), capture('r3-code-change')],
      [capture('r10-failed'), capture('r6-base-moved')],
    ]
    for (const [run, base] of pairs) {
      const ex = explainRun(await foldFile(run!, {target: 'api'}), await foldFile(base!, {target: 'api'}))
      for (const s of ex.steps.filter((x) => x.advice)) expect(s.advice, s.key).toMatch(/\(evidence: .+\)\.?$/)
    }
  })
})
