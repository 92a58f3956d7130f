import {describe, expect, it} from 'vitest'
import {InputError} from '../errors.js'
import {expandVariables} from './expand.js'
import {parseDockerfile} from './parse.js'
import {planSteps} from './steps.js'

const MULTI = `# syntax=docker/dockerfile:1
ARG BASE=busybox:1
ARG TOKEN_SECRET
FROM \${BASE} AS Deps
ARG NODE_ENV=production
ENV APP=/srv MODE="a b"
WORKDIR /app
COPY shared/lockfile.txt ./
RUN echo "env=$NODE_ENV" \\
    && echo $APP
ARG LATE=1
RUN echo late

FROM deps AS build
COPY --from=deps /app /x
RUN echo $NODE_ENV $APP

FROM scratch
COPY --from=build /x /y
`

describe('parseDockerfile', () => {
  it('splits stages, keeps 1-based lines, lower-cases stage names, keeps flags', () => {
    const p = parseDockerfile(MULTI)
    expect(p.globalArgs.map((a) => a.properties[0]!.name)).toEqual(['BASE', 'TOKEN_SECRET'])
    expect(p.stages.map((s) => [s.name, s.from.image, s.from.line])).toEqual([['deps', '${BASE}', 4], ['build', 'deps', 14], [undefined, 'scratch', 18]])
    const copy = p.stages[1]!.instructions[0]!
    expect(copy).toMatchObject({keyword: 'COPY', line: 15, flags: [{name: 'from', value: 'deps'}], words: ['/app', '/x']})
    const run = p.stages[0]!.instructions.find((i) => i.keyword === 'RUN')!
    expect([run.line, run.endLine]).toEqual([9, 10])
  })

  it('rejects what BuildKit rejects, with file and line', () => {
    expect(() => parseDockerfile('RUN echo hi\nFROM x\n', 'api/Dockerfile')).toThrow(InputError)
    try {
      parseDockerfile('FROM a AS x\nFROM b AS X\n', 'api/Dockerfile')
    } catch (e) {
      expect(e).toMatchObject({file: 'api/Dockerfile', position: {line: 2}, message: expect.stringContaining('duplicate stage name')})
    }
    expect(() => parseDockerfile('# only a comment\n')).toThrow(/no FROM/)
  })
})

describe('planSteps', () => {
  it('numbers steps like BuildKit: total = FROM(image) + ADD/COPY/RUN/WORKDIR; stage-from-stage has no FROM step', () => {
    const plan = planSteps(parseDockerfile(MULTI))
    expect(plan.stages.map((s) => s.steps.map((x) => `${x.stageLabel} ${x.index}/${x.total} ${x.kind}`))).toEqual([
      ['deps 1/5 FROM', 'deps 2/5 WORKDIR', 'deps 3/5 COPY', 'deps 4/5 RUN', 'deps 5/5 RUN'],
      ['build 1/2 COPY', 'build 2/2 RUN'],
      ['stage-2 1/1 COPY'],
    ])
    expect(plan.stages[0]!.base).toEqual({kind: 'image', ref: 'busybox:1'})
    expect(plan.stages[1]!.base).toEqual({kind: 'stage', stage: 0})
    expect(plan.stages[2]!.base).toEqual({kind: 'scratch'})
    expect(plan.needed).toEqual([0, 1, 2])
  })

  it('a single-stage Dockerfile has no stage label', () => {
    const plan = planSteps(parseDockerfile('FROM alpine\nRUN true\n'))
    expect(plan.stages[0]!.steps.map((s) => [s.stageLabel, s.index, s.total])).toEqual([[undefined, 1, 2], [undefined, 2, 2]])
  })

  it('ARG declared in the stage reaches every later RUN; build args override; ENV is expanded', () => {
    const plan = planSteps(parseDockerfile(MULTI), {buildArgs: {NODE_ENV: 'development', BASE: 'alpine:3'}})
    const [first, late] = plan.stages[0]!.steps.filter((s) => s.kind === 'RUN')
    expect(first!.args).toEqual([{name: 'NODE_ENV', value: 'development'}])
    expect(late!.args).toEqual([{name: 'NODE_ENV', value: 'development'}, {name: 'LATE', value: '1'}])
    expect(first!.env).toEqual([{name: 'APP', value: '/srv'}, {name: 'MODE', value: 'a b'}])
    expect(first!.text).toBe('RUN echo "env=development"     && echo /srv')
    expect(plan.stages[0]!.base).toEqual({kind: 'image', ref: 'alpine:3'})
    // ARGs are per stage; ENV is inherited by a stage built FROM another stage
    const buildRun = plan.stages[1]!.steps.find((s) => s.kind === 'RUN')!
    expect(buildRun.args).toEqual([])
    expect(buildRun.text).toBe('RUN echo $NODE_ENV /srv')
  })

  it('--target selects the stage and only the stages it needs', () => {
    const plan = planSteps(parseDockerfile('FROM a AS one\nRUN x\nFROM b AS two\nRUN y\nFROM c AS three\nCOPY --from=one /a /b\n'), {target: 'three'})
    expect(plan.targetStage).toBe(2)
    expect(plan.needed).toEqual([0, 2])
    expect(() => planSteps(parseDockerfile('FROM a AS one\n'), {target: 'nope'})).toThrow(/target stage "nope" not found/)
  })

  it('a declared platform ARG gets the target platform', () => {
    const plan = planSteps(parseDockerfile('FROM a\nARG TARGETARCH\nRUN echo $TARGETARCH\n'), {platform: 'linux/arm64'})
    expect(plan.stages[0]!.steps[1]!.text).toBe('RUN echo arm64')
  })
})

describe('expandVariables', () => {
  const lookup = (n: string) => ({A: 'x', E: ''} as Record<string, string>)[n]
  it('display mode keeps quotes, escapes and unset variables', () => {
    expect(expandVariables(`echo "$A" '$A' \\$A $B \${A:-d} \${B:-d} \${E:-d} \${A:+y}`, lookup, {mode: 'display'})).toBe(`echo "x" '$A' \\$A $B x \${B:-d} d y`)
  })
  it('word mode removes quotes and expands unset to empty', () => {
    expect(expandVariables(`"a b"$B'$A'\${B:-def}`, lookup, {mode: 'word'})).toBe('a b$Adef')
  })
})

describe('hostile Dockerfiles (found by test/fuzz/documents.test.ts)', () => {
  it('ARGs that double each other per line are an InputError at the line past 1 MiB, not "Invalid string length"', () => {
    const lines = ['ARG A0=ab', ...Array.from({length: 60}, (_, i) => `ARG A${i + 1}=\${A${i}}\${A${i}}`), 'FROM alpine', 'ARG A60', 'RUN echo $A60']
    const err = (() => {
      try {
        planSteps(parseDockerfile(lines.join('\n')), {file: 'Dockerfile'})
      } catch (e) {
        return e
      }
    })() as InputError
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toMatch(/expands to more than 1 MiB/)
    // A<k> holds 2^(k+1) characters: A20 (line 21) is the first over 1 MiB
    expect(err.position).toEqual({line: 21})
    expect(err.file).toBe('Dockerfile')
    expect(err.fix).toBeTruthy()
  })

  it('${A:-${A:-…}} nested 20,000 deep is an InputError naming the depth limit, not a stack overflow', () => {
    const text = `FROM alpine\nENV B=${'${A:-'.repeat(20_000)}y${'}'.repeat(20_000)}\nRUN echo $B\n`
    expect(() => planSteps(parseDockerfile(text))).toThrow(/variable expansions nest deeper than 64 levels/)
  })

  it('a chain of 5,000 stages, each copying from the one before, plans every stage (no stack overflow)', () => {
    const text = Array.from({length: 5_000}, (_, i) => `FROM alpine AS s${i}\nCOPY --from=${i ? `s${i - 1}` : 'alpine'} /a /a\n`).join('')
    const plan = planSteps(parseDockerfile(text))
    expect(plan.needed).toHaveLength(5_000)
  })

  it('a one-line file of 50,000 "#" parses at once (dockerfile-ast: time quadratic in them without a line break)', () => {
    expect(() => parseDockerfile('#'.repeat(50_000))).toThrow(/no FROM instruction/)
    // and the same one line still means the same
    expect(parseDockerfile('FROM alpine').stages[0]?.from.image).toBe('alpine')
  })

  it('COPY --from= with an empty value is an InputError with the line and a Fix', () => {
    const err = (() => {
      try {
        planSteps(parseDockerfile('FROM alpine\nCOPY --from= x y\n'), {file: 'Dockerfile'})
      } catch (e) {
        return e
      }
    })() as InputError
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toMatch(/COPY --from needs a stage or image/)
    expect(err.position).toEqual({line: 2})
    expect(err.fix).toMatch(/--from=/)
  })
})
