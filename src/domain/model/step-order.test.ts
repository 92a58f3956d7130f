import {describe, expect, it} from 'vitest'
import type {Run, Step} from './run.js'
import {sortSteps, stepOrder} from './step-order.js'

/** A Dockerfile step as BuildKit names it; `line` as provenance would place it. */
function step(target: string, platform: string, stage: string, index: number, instruction: string, more: Partial<Step> & {line?: number} = {}): Step {
  const {line, ...rest} = more
  const kind = instruction.split(' ')[0] as Step['kind']
  const s: Step = {
    digest: `sha256:${target}-${platform}-${stage}-${index}`, name: `[${target} ${platform} ${stage} ${index}/3] ${instruction}`, target, platform, stage, index, total: 3, kind, instruction,
    internal: false, cacheable: kind !== 'FROM', cached: false, servedInRun: false, completed: true, durationMs: 1, inputs: [], logTail: [], ...rest,
  }
  if (line !== undefined) s.provenance = {stepId: `step${line}`, definition: {kind: 'exec', inputs: []}, hash: '', lineage: '', readsContext: false, parents: [], location: {file: 'Dockerfile', startLine: line, endLine: line, text: []}}
  return s
}

const run = (steps: Step[], metadata?: Run['metadata']): Pick<Run, 'steps' | 'metadata'> => ({steps, metadata})
const places = (steps: Step[]) => steps.map((s) => `${s.target} ${s.platform} ${s.stage} ${s.index}`)

// Dockerfile: `FROM busybox AS zeta` (line 1), RUN (2), RUN (3); `FROM busybox AS alpha` (line 5), RUN (6), RUN (7).
// The two stages share nothing, so only a line or the Dockerfile can say zeta comes first; BuildKit
// reported alpha first. Expected order written from that Dockerfile.
const DOCKERFILE = 'FROM busybox AS zeta\nRUN echo z1\nRUN echo z2\n\nFROM busybox AS alpha\nRUN echo a1\nRUN echo a2\n'
const reported = (lines: boolean) => [
  step('api', 'linux/amd64', 'alpha', 3, 'RUN echo a2', lines ? {line: 7} : {}),
  step('api', 'linux/amd64', 'alpha', 2, 'RUN echo a1', lines ? {line: 6} : {}),
  step('api', 'linux/amd64', 'zeta', 3, 'RUN echo z2', lines ? {line: 3} : {}),
  step('api', 'linux/amd64', 'zeta', 2, 'RUN echo z1', lines ? {line: 2} : {}),
]

describe('step order: target, platform, Dockerfile stage order, index', () => {
  it('provenance lines place the stages (zeta before alpha although BuildKit reported alpha first and alpha sorts first by name)', () => {
    const r = run(reported(true))
    expect(places(sortSteps(r))).toEqual(['api linux/amd64 zeta 2', 'api linux/amd64 zeta 3', 'api linux/amd64 alpha 2', 'api linux/amd64 alpha 3'])
    expect(stepOrder(r).sources.get('api')).toBe('dockerfile-lines')
  })

  it('without lines, the Dockerfile recorded with the run places the stages by its FROM lines', () => {
    const r = run(reported(false), {dockerfile: {file: 'Dockerfile', text: DOCKERFILE}})
    expect(places(sortSteps(r))).toEqual(['api linux/amd64 zeta 2', 'api linux/amd64 zeta 3', 'api linux/amd64 alpha 2', 'api linux/amd64 alpha 3'])
    expect(stepOrder(r).sources.get('api')).toBe('recorded-dockerfile')
  })

  it('a recorded Dockerfile that does not name every stage of the target is not used', () => {
    const r = run(reported(false), {dockerfile: {file: 'Dockerfile', text: 'FROM busybox AS zeta\nRUN echo z1\n'}})
    expect(stepOrder(r).sources.get('api')).toBe('build-graph')
  })

  it('without lines or Dockerfile, unrelated stages keep the order BuildKit first reported them in', () => {
    const r = run(reported(false))
    expect(places(sortSteps(r))).toEqual(['api linux/amd64 alpha 2', 'api linux/amd64 alpha 3', 'api linux/amd64 zeta 2', 'api linux/amd64 zeta 3'])
    expect(stepOrder(r).sources.get('api')).toBe('build-graph')
  })

  it('the build graph puts a stage after the stage it copies from, whatever order BuildKit reported them in', () => {
    // `FROM x AS zz-deps` / RUN; `FROM x AS app` / COPY --from=zz-deps: app reads zz-deps' RUN
    const deps = step('api', 'linux/amd64', 'zz-deps', 2, 'RUN make')
    const copy = step('api', 'linux/amd64', 'app', 2, 'COPY --from=zz-deps /out /out', {inputs: [deps.digest]})
    const r = run([copy, step('api', 'linux/amd64', 'app', 3, 'RUN test'), deps])
    expect(places(sortSteps(r))).toEqual(['api linux/amd64 zz-deps 2', 'api linux/amd64 app 2', 'api linux/amd64 app 3'])
  })

  it('a base image vertex shared by several stages orders nothing (its name carries one stage only)', () => {
    const from = step('api', 'linux/amd64', 'zeta', 1, 'FROM busybox')
    const r = run([step('api', 'linux/amd64', 'alpha', 2, 'RUN echo a1', {inputs: [from.digest]}), from, step('api', 'linux/amd64', 'zeta', 2, 'RUN echo z1', {inputs: [from.digest]})])
    expect(places(sortSteps(r))).toEqual(['api linux/amd64 alpha 2', 'api linux/amd64 zeta 1', 'api linux/amd64 zeta 2'])
  })

  it('targets and platforms come first, by name; plumbing follows the Dockerfile steps of its target', () => {
    const internal: Step = {...step('api', 'linux/amd64', 'x', 1, 'RUN x'), stage: undefined, index: undefined, internal: true, cacheable: false, kind: 'internal', instruction: '[internal] load build definition from Dockerfile', digest: 'sha256:internal'}
    const r = run([step('worker', 'linux/amd64', 'zeta', 2, 'RUN echo z1'), internal, step('api', 'linux/arm64', 'zeta', 2, 'RUN echo z1'), step('api', 'linux/amd64', 'zeta', 2, 'RUN echo z1')])
    expect(sortSteps(r).map((s) => s.index === undefined ? 'internal' : `${s.target} ${s.platform}`)).toEqual(['api linux/amd64', 'internal', 'api linux/arm64', 'worker linux/amd64'])
  })
})
