import {describe, expect, it} from 'vitest'
import type {Run, Step} from '../../model/run.js'
import {explainRun} from '../explain-run.js'

function step(index: number, total: number, instruction: string, extra: Partial<Step> = {}): Step {
  return {
    digest: `sha256:${index}-${instruction}`, name: instruction, target: 'app', platform: 'linux/amd64', stage: 'build', index, total,
    kind: instruction.split(' ')[0] as Step['kind'], instruction, internal: false, cacheable: true,
    cached: false, servedInRun: false, completed: true, durationMs: 1000, inputs: [], logTail: [], ...extra,
  }
}
const run = (steps: Step[]): Run => ({source: 'test', createdAt: 0, durationMs: 0, status: 'completed', targets: ['app'], platforms: ['linux/amd64'], steps, labels: {}, skippedLines: 0})

describe('step-removed', () => {
  it('a RUN deleted from the middle of a stage is the root cause of the next miss; the rest cascade', () => {
    const base = run([step(1, 4, 'WORKDIR /app', {cached: true}), step(2, 4, 'RUN make deps', {cached: true}), step(3, 4, 'RUN make lint', {cached: true}), step(4, 4, 'RUN make', {cached: true})])
    const now = run([step(1, 3, 'WORKDIR /app', {cached: true}), step(2, 3, 'RUN make deps', {cached: true}), step(3, 3, 'RUN make lint')].map((s, i) => (i === 2 ? {...s, instruction: 'RUN make', name: 'RUN make'} : s)))
    const ex = explainRun(now, base)
    const next = ex.steps.find((s) => s.index === 3)!
    expect(next.verdict).toBe('step-removed')
    expect(next.root).toBe(true)
    expect(next.evidence?.summary).toBe('the step before it was removed: [app linux/amd64 build 3/4] RUN make lint')
    expect(next.evidence?.removed).toEqual([{key: 'app|linux/amd64|build|3|RUN', instruction: 'RUN make lint'}])
    expect(next.advice).toMatch(/re-run once/)
    expect(ex.rootCauses.map((r) => r.verdict)).toEqual(['step-removed'])
  })

  it('an inserted step is new-step and the step after it cascades (nothing was removed)', () => {
    const base = run([step(1, 2, 'WORKDIR /app', {cached: true}), step(2, 2, 'RUN make', {cached: true})])
    const now = run([step(1, 3, 'WORKDIR /app', {cached: true}), step(2, 3, 'RUN make deps'), step(3, 3, 'RUN make')])
    const ex = explainRun(now, base)
    expect(ex.steps.filter((s) => s.verdict).map((s) => `${s.index} ${s.verdict}`)).toEqual(['2 new-step', '3 upstream-invalidated'])
  })
})
