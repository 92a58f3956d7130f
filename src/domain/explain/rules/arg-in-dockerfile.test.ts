import {describe, expect, it} from 'vitest'
import type {Run, Step} from '../../model/run.js'
import {explainRun} from '../explain-run.js'

const DOCKERFILE = 'FROM busybox AS base\nARG GREETING=hello\nRUN echo "base $GREETING"\n'
function step(instruction: string, extra: Partial<Step> = {}): Step {
  return {
    digest: `sha256:${instruction}`, name: instruction, stage: undefined, index: 2, total: 2, kind: 'RUN', instruction, internal: false, cacheable: true,
    cached: false, servedInRun: false, completed: true, durationMs: 1, inputs: [], logTail: [], ...extra,
  }
}
const run = (s: Step, dockerfile?: string): Run => ({
  source: 'test', createdAt: 0, durationMs: 0, status: 'completed', targets: [], platforms: [], steps: [s], labels: {}, skippedLines: 0,
  ...(dockerfile ? {metadata: {dockerfile: {file: 'Dockerfile', text: dockerfile}}} : {}),
})

describe('arg-changed from the recorded Dockerfile (ingest --dockerfile)', () => {
  it('a text change that is exactly the ARG expanded into the instruction is arg-changed, the old value marked as the default', () => {
    const e = explainRun(run(step('RUN echo "base bonjour"'), DOCKERFILE), run(step('RUN echo "base hello"', {cached: true}), DOCKERFILE)).steps[0]!
    expect(e.verdict).toBe('arg-changed')
    expect(e.evidence?.summary).toBe('GREETING: hello (default) → bonjour')
  })

  it('an edit of the instruction stays instruction-changed, even with the Dockerfile known', () => {
    const e = explainRun(run(step('RUN echo "base hello" && true'), DOCKERFILE.replace('"base $GREETING"', '"base $GREETING" && true')), run(step('RUN echo "base hello"', {cached: true}), DOCKERFILE)).steps[0]!
    expect(e.verdict).toBe('instruction-changed')
  })

  it('without the baseline\'s Dockerfile it says what it assumed', () => {
    const e = explainRun(run(step('RUN echo "base bonjour"'), DOCKERFILE), run(step('RUN echo "base hello"', {cached: true}))).steps[0]!
    expect(e.verdict).toBe('arg-changed')
    expect(e.evidence?.missing).toEqual(["the baseline's Dockerfile (not recorded): its instruction is taken to be the run's"])
  })
})
