import {randomBytes} from 'node:crypto'
import {appendFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import type {Run} from '../../src/domain/model/run.js'
import {runBuild, type BuildResult} from '../../src/services/build/index.js'
import {describeEngine} from '../helpers/engine.js'
import {cacheableSteps, changedComponents, copyProject, importBase, loadRun, missed, removeImage} from './helpers.js'

/**
 * `bakedoctor build --driver engine` against a real Docker Engine (scripts/engine.sh). Each test run
 * builds on its own freshly imported base image, so the first build is cold whatever the engine's
 * cache holds. The tests run in order: each builds on the state the previous one left.
 */
describeEngine('build --driver engine (real engine)', () => {
  const id = randomBytes(4).toString('hex')
  const base = `bakedoctor-test/busybox:e2e-${id}`
  let project: Awaited<ReturnType<typeof copyProject>>
  const runs: Run[] = []

  const build = async (set: string[] = []): Promise<{result: BuildResult; run: Run}> => {
    const result = await runBuild({
      targets: [],
      files: [],
      set: [`*.args.BASE=${base}`, ...set],
      driver: 'engine',
      context: project.dir,
      cwd: project.dir,
      db: project.db,
    })
    expect(result.runs).toHaveLength(1)
    const run = await loadRun(project.db, result.runs[0]!.id)
    runs.push(run)
    return {result, run}
  }

  beforeAll(async () => {
    project = await copyProject()
    await importBase(base, `first ${id}`)
  })

  afterAll(async () => {
    removeImage(base)
    await project?.cleanup()
  })

  it('first build: every cacheable step misses, every step has recorded inputs', async () => {
    const {result, run} = await build()
    expect(result.ok).toBe(true)
    expect(run.status).toBe('completed')
    const steps = cacheableSteps(run)
    // base: RUN, WORKDIR; build: COPY, RUN; stage-2: COPY --from, COPY, RUN
    expect(steps.map((s) => `${s.stage} ${s.index}/${s.total} ${s.kind}`).sort()).toEqual(
      ['base 2/3 RUN', 'base 3/3 WORKDIR', 'build 1/2 COPY', 'build 2/2 RUN', 'stage-2 2/4 COPY', 'stage-2 3/4 COPY', 'stage-2 4/4 RUN'].sort(),
    )
    expect(steps.filter((s) => s.cached)).toEqual([])
    expect(result.runs[0]!.totals.hitRate).toBe(0)
    for (const s of run.steps.filter((x) => !x.internal)) expect(s.stepInputs, s.name).toBeDefined()
    const copySrc = steps.find((s) => s.stage === 'build' && s.kind === 'COPY')!
    expect(copySrc.stepInputs!.components.filter((c) => c.kind === 'file').map((c) => c.name)).toEqual(['src/a.txt', 'src/b.txt'])
    expect(copySrc.stepInputs!.line).toBe(9)
    // both stages start FROM the same image: BuildKit announces that one vertex under either stage's name
    const from = run.steps.find((s) => s.kind === 'FROM')!
    expect(from.stepInputs!.components.find((c) => c.kind === 'base-image')?.value).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('unchanged rebuild: every cacheable step hits (100 %), same fingerprints', async () => {
    const {result, run} = await build()
    expect(missed(run)).toEqual([])
    expect(result.runs[0]!.totals.hitRate).toBe(1)
    expect(changedComponents(runs[0]!, run).size).toBe(0)
    const fp = (r: Run) => r.steps.filter((s) => s.stepInputs).map((s) => s.stepInputs!.fingerprint).sort()
    expect(fp(run)).toEqual(fp(runs[0]!))
  })

  it('editing one source file: its COPY and the descendants miss; the inputs name the file', async () => {
    await appendFile(path.join(project.dir, 'src/a.txt'), 'changed\n')
    const {run} = await build()
    expect(missed(run).sort()).toEqual(
      ['build 1/2 COPY src/ ./src/', 'build 2/2 RUN cat src/*.txt | sha256sum > /app/sum.txt', 'stage-2 2/4 COPY --from=build /app/sum.txt /sum.txt', 'stage-2 3/4 COPY config.txt /config.txt', 'stage-2 4/4 RUN cat /sum.txt /config.txt'].sort(),
    )
    const changed = changedComponents(runs[1]!, run)
    const copy = [...changed].find(([slot]) => slot.includes('|build|1|COPY'))
    expect(copy?.[1]).toEqual([expect.objectContaining({kind: 'file', name: 'src/a.txt'})])
    // the base stage did not change at all
    expect([...changed.keys()].filter((slot) => slot.includes('|base|'))).toEqual([])
  })

  it('editing files excluded by .dockerignore: nothing misses and no input differs', async () => {
    await writeFile(path.join(project.dir, 'notes/todo.txt'), `edited ${Date.now()}\n`)
    await appendFile(path.join(project.dir, 'README.md'), 'more docs\n')
    const {run} = await build()
    expect(missed(run)).toEqual([])
    expect([...changedComponents(runs[2]!, run)]).toEqual([])
    const names = run.steps.flatMap((s) => s.stepInputs?.components ?? []).map((c) => c.name)
    expect(names.some((n) => n.startsWith('notes/') || n === 'README.md')).toBe(false)
  })

  it('changing a build arg used by one RUN: that RUN misses and the recorded ARG differs', async () => {
    const {run} = await build(['*.args.GREETING=bonjour'])
    const runStep = run.steps.find((s) => s.stage === 'base' && s.kind === 'RUN')!
    expect(runStep.cached).toBe(false)
    expect(runStep.stepInputs!.components).toContainEqual({kind: 'arg', name: 'GREETING', value: 'bonjour'})
    const before = runs[3]!.steps.find((s) => s.stage === 'base' && s.kind === 'RUN')!
    expect(before.stepInputs!.components).toContainEqual({kind: 'arg', name: 'GREETING', value: 'hello'})
    // only steps downstream of that RUN miss: the final stage's COPY config.txt chain starts from the base image
    expect(missed(run)).toContain('base 2/3 RUN echo "bonjour" > /greeting.txt')
  })

  it('re-importing the base image under the same tag: the FROM digest differs', async () => {
    await importBase(base, `second ${id}`)
    const {run} = await build(['*.args.GREETING=bonjour'])
    const digest = (r: Run) => r.steps.find((s) => s.kind === 'FROM')!.stepInputs!.components.find((c) => c.kind === 'base-image')!
    expect(digest(run).name).toBe(base)
    expect(digest(run).value).not.toBe(digest(runs[4]!).value)
    expect(missed(run)).toContain('base 2/3 RUN echo "bonjour" > /greeting.txt')
  })
})
