import {describe, expect, it} from 'vitest'
import {parseDockerfile} from '../dockerfile/parse.js'
import {planSteps} from '../dockerfile/steps.js'
import type {Run, Step} from '../model/run.js'
import {attachInputs, computeStepInputs} from './compute.js'
import {goPatternToRegExp, resolveSources, type ContextEntry} from './sources.js'

const file = (p: string, hash = `sha256:${p}`): ContextEntry => ({path: p, type: 'file', hash, mode: 0o644, size: 1})
const dir = (p: string): ContextEntry => ({path: p, type: 'dir', hash: '', mode: 0o755, size: 0})
const CONTEXT = [file('Dockerfile'), dir('api'), file('api/main.txt'), file('api/routes.txt'), dir('api/sub'), file('api/sub/x.txt'), file('package.json'), file('package-lock.json'), file('lib.txt')]

describe('resolveSources', () => {
  it('directories bring everything below; wildcards match whole paths without crossing /', () => {
    expect(resolveSources(CONTEXT, ['api/']).matched.map((e) => e.path)).toEqual(['api/main.txt', 'api/routes.txt', 'api/sub/x.txt'])
    expect(resolveSources(CONTEXT, ['package*.json']).matched.map((e) => e.path)).toEqual(['package-lock.json', 'package.json'])
    expect(resolveSources(CONTEXT, ['api/*.txt']).matched.map((e) => e.path)).toEqual(['api/main.txt', 'api/routes.txt'])
    expect(resolveSources(CONTEXT, ['./lib.txt', '/lib.txt']).matched.map((e) => e.path)).toEqual(['lib.txt'])
    expect(resolveSources(CONTEXT, ['.']).matched).toHaveLength(7)
    expect(resolveSources(CONTEXT, ['nope.txt']).unmatched).toEqual(['nope.txt'])
  })
  it('Go pattern classes', () => {
    expect(goPatternToRegExp('a[0-9].txt').test('a5.txt')).toBe(true)
    expect(goPatternToRegExp('a[^0-9].txt').test('a5.txt')).toBe(false)
    expect(goPatternToRegExp('*').test('a/b')).toBe(false)
  })
})

const DOCKERFILE = `FROM base:1 AS deps
ARG NPM_TOKEN
ARG MODE=prod
COPY package*.json ./
RUN install --mode=$MODE

FROM deps AS build
COPY api/ ./api/
RUN build

FROM base:1
COPY --from=build /out /out
`

function inputs(options: {context?: ContextEntry[]; args?: Record<string, string>; base?: string; salt?: string} = {}) {
  const plan = planSteps(parseDockerfile(DOCKERFILE), {buildArgs: options.args ?? {NPM_TOKEN: 'npm_supersecretvalue'}})
  return computeStepInputs({
    plan, dockerfile: 'Dockerfile', platform: 'linux/amd64', context: options.context ?? CONTEXT,
    baseImages: {'base:1': options.base ?? 'sha256:' + 'a'.repeat(64)}, secretSalt: options.salt ?? 'salt',
  })
}

describe('computeStepInputs', () => {
  it('records components per step kind, keyed by step slot, with Dockerfile lines', () => {
    const all = inputs()
    expect([...all.keys()]).toEqual([
      '||deps|1|FROM', '||deps|2|COPY', '||deps|3|RUN', '||build|1|COPY', '||build|2|RUN', '||stage-2|1|FROM', '||stage-2|2|COPY',
    ])
    expect(all.get('||deps|1|FROM')!.components).toContainEqual({kind: 'base-image', name: 'base:1', value: 'sha256:' + 'a'.repeat(64)})
    expect(all.get('||deps|2|COPY')!.components.filter((c) => c.kind === 'file').map((c) => c.name)).toEqual(['package-lock.json', 'package.json'])
    expect(all.get('||deps|2|COPY')!.line).toBe(4)
    const run = all.get('||deps|3|RUN')!.components
    expect(run).toContainEqual({kind: 'arg', name: 'MODE', value: 'prod'})
    expect(run).toContainEqual({kind: 'platform', name: '', value: 'linux/amd64'})
    expect(all.get('||stage-2|2|COPY')!.components).toContainEqual({kind: 'from-stage', name: 'build', value: all.get('||build|2|RUN')!.fingerprint})
  })

  it('never stores a secret-looking ARG value: a salted hash, marked secret, that still shows a change', () => {
    const a = inputs()
    const token = a.get('||deps|3|RUN')!.components.find((c) => c.name === 'NPM_TOKEN')!
    expect(token.secret).toBe(true)
    expect(token.value).toMatch(/^secret:[0-9a-f]+$/)
    expect(JSON.stringify([...a.values()])).not.toContain('supersecretvalue')
    const b = inputs({args: {NPM_TOKEN: 'npm_othersecretvalue'}})
    expect(b.get('||deps|3|RUN')!.components.find((c) => c.name === 'NPM_TOKEN')!.value).not.toBe(token.value)
    const otherSalt = inputs({salt: 'pepper'})
    expect(otherSalt.get('||deps|3|RUN')!.components.find((c) => c.name === 'NPM_TOKEN')!.value).not.toBe(token.value)
  })

  it('fingerprints chain: a changed file changes its COPY and every descendant, not the steps before', () => {
    const a = inputs()
    const b = inputs({context: CONTEXT.map((e) => (e.path === 'api/main.txt' ? {...e, hash: 'sha256:changed'} : e))})
    const changed = [...a.keys()].filter((k) => a.get(k)!.fingerprint !== b.get(k)!.fingerprint)
    expect(changed).toEqual(['||build|1|COPY', '||build|2|RUN', '||stage-2|2|COPY'])
    const c = inputs({base: 'sha256:' + 'b'.repeat(64)})
    expect([...a.keys()].filter((k) => a.get(k)!.fingerprint === c.get(k)!.fingerprint)).toEqual([])
  })
})

describe('attachInputs', () => {
  const step = (over: Partial<Step>): Step => ({
    digest: 'sha256:x', name: '', kind: 'RUN', instruction: '', internal: false, cacheable: true, cached: false, servedInRun: false,
    completed: true, durationMs: 0, inputs: [], logTail: [], ...over,
  })
  it('matches by slot, falling back to inputs computed without target/platform', () => {
    const all = inputs()
    const run: Run = {
      source: 'engine', createdAt: 0, durationMs: 0, status: 'completed', targets: ['api'], platforms: [], labels: {}, skippedLines: 0,
      steps: [step({target: 'api', stage: 'deps', index: 3, kind: 'RUN'}), step({stage: 'build', index: 9, kind: 'RUN'}), step({internal: true, kind: 'internal'})],
    }
    const out = attachInputs(run, all)
    expect(out.steps[0]!.stepInputs).toBe(all.get('||deps|3|RUN'))
    expect(out.steps[1]!.stepInputs).toBeUndefined()
    expect(out.steps[2]!.stepInputs).toBeUndefined()
    expect(run.steps[0]!.stepInputs).toBeUndefined()
  })
})
