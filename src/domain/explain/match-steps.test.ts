import {describe, expect, it} from 'vitest'
import type {Step} from '../model/run.js'
import {matchSteps} from './match-steps.js'

const step = (stage: string, index: number, kind: Step['kind'], instruction: string): Step => ({
  digest: `sha256:${stage}${index}${instruction}`, name: `[${stage} ${index}/3] ${instruction}`, stage, index, total: 3, kind, instruction,
  internal: false, cacheable: kind !== 'FROM', cached: false, servedInRun: false, completed: true, durationMs: 1, inputs: [], logTail: [],
})

describe('matchSteps', () => {
  it('matches a changed RUN even when the shared FROM was announced under this stage in one run only', () => {
    // Given BuildKit named the FROM shared by two stages after `base` in the baseline and after the other stage now
    const baseline = [step('base', 1, 'FROM', 'FROM img'), step('base', 2, 'RUN', 'RUN echo "hello"'), step('base', 3, 'WORKDIR', 'WORKDIR /app')]
    const run = [step('base', 2, 'RUN', 'RUN echo "bonjour"'), step('base', 3, 'WORKDIR', 'WORKDIR /app')]
    const m = matchSteps(run, baseline)
    expect(m.get(run[0]!)).toEqual({baseline: baseline[1], kind: 'changed'})
    expect(m.get(run[1]!)).toEqual({baseline: baseline[2], kind: 'same'})
  })

  it('aligns around an inserted step instead of shifting every later one', () => {
    const baseline = [step('b', 2, 'COPY', 'COPY a .'), step('b', 3, 'RUN', 'RUN make')]
    const run = [step('b', 2, 'COPY', 'COPY a .'), step('b', 3, 'RUN', 'RUN apt-get update'), step('b', 4, 'RUN', 'RUN make')]
    const m = matchSteps(run, baseline)
    expect(m.get(run[0]!)?.kind).toBe('same')
    expect(m.get(run[2]!)).toEqual({baseline: baseline[1], kind: 'same'})
    expect(m.has(run[1]!)).toBe(false)
  })
})
