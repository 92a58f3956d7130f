import {describe, expect, it} from 'vitest'
import type {InputComponent, Run, Step} from '../../model/run.js'
import {explainRun} from '../explain-run.js'
import {ADVICE, PRECEDENCE} from './index.js'

/** A Dockerfile step of target `api`, stage `build`, linux/amd64; a miss unless told otherwise. */
function step(index: number, instruction: string, extra: Partial<Step> = {}): Step {
  return {
    digest: `sha256:${index}-${instruction}`, name: instruction, target: 'api', platform: 'linux/amd64', stage: 'build', index, total: 3,
    kind: instruction.split(' ')[0] as Step['kind'], instruction, internal: false, cacheable: !instruction.startsWith('FROM'),
    cached: false, servedInRun: false, completed: true, durationMs: 1000, inputs: [], logTail: [], ...extra,
  }
}
const inputs = (...components: InputComponent[]): Step['stepInputs'] => ({components, fingerprint: JSON.stringify(components)})
function run(steps: Step[], extra: Partial<Run> = {}): Run {
  return {source: 'test', createdAt: 0, durationMs: 0, status: 'completed', targets: ['api'], platforms: ['linux/amd64'], steps, labels: {}, skippedLines: 0, ...extra}
}
const verdictAt = (r: Run, b: Run | undefined, index: number) => explainRun(r, b).steps.find((s) => s.index === index)

describe('verdict precedence', () => {
  it('a step that failed is `failed` even though its instruction changed too', () => {
    const base = run([step(1, 'RUN make', {cached: true})])
    const now = run([step(1, 'RUN make all', {error: 'exit code 2'})])
    expect(verdictAt(now, base, 1)?.verdict).toBe('failed')
  })

  it('no-cache outranks new-step: the plan, not the missing baseline, decides', () => {
    const r = run([step(1, 'RUN make')])
    const ex = explainRun(r, undefined, {noCache: {api: {all: true}}})
    expect(ex.steps[0]?.verdict).toBe('no-cache')
  })

  it('a missed parent makes a changed step a cascade, its own change still in the evidence', () => {
    const base = run([step(1, 'COPY . .', {cached: true}), step(2, 'RUN make', {cached: true})])
    const now = run([step(1, 'COPY --chown=1 . .'), step(2, 'RUN make all')])
    const ex = explainRun(now, base)
    const second = ex.steps.find((s) => s.index === 2)!
    expect(second.verdict).toBe('upstream-invalidated')
    expect(second.evidence?.root).toBe(ex.steps.find((s) => s.index === 1)!.key)
    expect(second.evidence?.summary).toContain('instruction RUN make → RUN make all')
    expect(ex.rootCauses.map((c) => [c.verdict, c.invalidatedSteps])).toEqual([['instruction-changed', 2]])
  })

  it('a text change that is a changed build arg expanded into it is arg-changed, not instruction-changed', () => {
    const base = run([step(1, 'RUN install node@18', {cached: true})], {metadata: {buildArgs: {api: {NODE: '18'}}}})
    const now = run([step(1, 'RUN install node@20')], {metadata: {buildArgs: {api: {NODE: '20'}}}})
    const e = verdictAt(now, base, 1)!
    expect(e.verdict).toBe('arg-changed')
    expect(e.evidence?.args).toEqual([{name: 'NODE', old: '18', new: '20'}])
    expect(e.evidence?.instruction).toMatchObject({old: 'RUN install node@18', new: 'RUN install node@20'})
  })

  it('recorded inputs: a moved base image outranks changed files of the same step', () => {
    const was = inputs({kind: 'base-image', name: 'node:20', value: 'sha256:aaa'}, {kind: 'file', name: 'a.ts', value: '1'})
    const now = inputs({kind: 'base-image', name: 'node:20', value: 'sha256:bbb'}, {kind: 'file', name: 'a.ts', value: '2'})
    const e = verdictAt(run([step(1, 'COPY . .', {stepInputs: now})]), run([step(1, 'COPY . .', {cached: true, stepInputs: was})]), 1)!
    expect(e.verdict).toBe('base-image-changed')
    expect(e.evidence?.baseImage).toEqual({ref: 'node:20', old: 'sha256:aaa', new: 'sha256:bbb'})
  })

  it('nothing changed and nothing recorded: cache-unavailable, saying what was not seen', () => {
    const e = verdictAt(run([step(1, 'RUN make')]), run([step(1, 'RUN make', {cached: true})]), 1)!
    expect(e.verdict).toBe('cache-unavailable')
    expect(e.evidence?.cache?.reasons[0]).toMatch(/no cache import in this run/)
    expect(e.evidence?.missing?.[0]).toMatch(/not recorded/)
  })

  it('the last rule always decides, so every miss gets exactly one verdict; every kind has advice', () => {
    expect(PRECEDENCE.at(-1)?.name).toMatch(/^cache-unavailable/)
    expect(Object.keys(ADVICE).sort()).toEqual([
      'arg-changed', 'base-image-changed', 'cache-unavailable', 'context-changed', 'failed', 'instruction-changed', 'new-step',
      'no-cache', 'platform-changed', 'step-removed', 'upstream-invalidated',
    ])
  })
})
