import {randomBytes} from 'node:crypto'
import {appendFile, chmod, utimes, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import type {Explanation} from '../../src/domain/explain/types.js'
import {runBuild} from '../../src/services/build/index.js'
import {diffRuns} from '../../src/services/diff.js'
import {explainRun} from '../../src/services/explain.js'
import {describeEngine} from '../helpers/engine.js'
import {copyProject, importBase, removeImage} from './helpers.js'

/**
 * Issue #15: one engine build per class of change, built for real (engine driver), each asserting the
 * verdict and its evidence. The truth is the change the test makes, never what bakedoctor printed.
 */
describeEngine('truth scenarios on real engine builds', () => {
  const id = randomBytes(4).toString('hex')
  const baseA = `bakedoctor-test/busybox:truth-a-${id}`
  const baseB = `bakedoctor-test/busybox:truth-b-${id}`
  const tag = `bakedoctor-test/truth-app:${id}`
  let project: Awaited<ReturnType<typeof copyProject>>

  const dockerfile = (buildSteps: string[], extra = '') => `ARG BASE=${baseA}

FROM \${BASE} AS base
WORKDIR /app

FROM base AS build
${extra}COPY src/ ./src/
${buildSteps.join('\n')}

FROM \${BASE}
COPY --from=build /app/out.txt /out.txt
`
  const STEPS = ['RUN cat src/*.txt > /app/out.txt', 'RUN echo lint >> /app/out.txt', 'RUN echo test >> /app/out.txt', 'RUN sha256sum /app/out.txt']

  const build = async (set: string[] = []): Promise<Explanation> => {
    const result = await runBuild({targets: ['app'], files: [], set, driver: 'engine', cwd: project.dir, db: project.db})
    expect(result.ok, JSON.stringify(result.runs.map((r) => r.error))).toBe(true)
    return explainRun({db: project.db, cwd: project.dir, run: result.runs.at(-1)!.id})
  }
  const misses = (ex: Explanation) => ex.steps.filter((s) => s.verdict).map((s) => `${s.stage} ${s.index}/${s.total} ${s.verdict}`)
  const rootOf = (ex: Explanation) => {
    expect(ex.rootCauses, JSON.stringify(misses(ex))).toHaveLength(1)
    return ex.steps.find((s) => s.key === ex.rootCauses[0]!.key)!
  }
  /** the misses after the root all cascade from it */
  const cascadeFrom = (ex: Explanation, root: {key: string}) => {
    const rest = ex.steps.filter((s) => s.verdict && s.key !== root.key)
    expect(rest.map((s) => `${s.stage} ${s.index} ${s.verdict} ${s.rootCause}`)).toEqual(rest.map((s) => `${s.stage} ${s.index} upstream-invalidated ${root.key}`))
  }
  const setDockerfile = (steps: string[], extra = '') => writeFile(path.join(project.dir, 'Dockerfile'), dockerfile(steps, extra))

  beforeAll(async () => {
    project = await copyProject()
    await importBase(baseA, `truth a ${id}`)
    await importBase(baseB, `truth b ${id}`)
    await writeFile(path.join(project.dir, 'docker-bake.hcl'), `target "app" {\n  context = "."\n  tags = ["${tag}"]\n}\ntarget "filtered" {\n  inherits = ["app"]\n  no-cache-filter = ["build"]\n}\n` +
      ['web', 'api'].map((t) => `target "${t}" {\n  context = "."\n  dockerfile = "multi.Dockerfile"\n  target = "${t}"\n  args = { BASE = "${baseA}" }\n}\n`).join(''))
    await writeFile(path.join(project.dir, 'multi.Dockerfile'), `ARG BASE
FROM \${BASE} AS shared
WORKDIR /shared
RUN echo shared-${id} > /shared/s.txt

FROM shared AS web
RUN echo web-${id} > /w.txt

FROM shared AS api
RUN echo api-${id} > /a.txt
`)
    await setDockerfile(STEPS)
    await build()
    const warm = await build()
    expect(warm.totals.hitRate).toBe(1)
  }, 120_000)

  afterAll(async () => {
    for (const t of [baseA, baseB, tag]) removeImage(t)
    await project?.cleanup()
  })

  it('base image switched through an ARG (--set): base-image-changed old ref@digest → new ref@digest', async () => {
    const ex = await build([`app.args.BASE=${baseB}`])
    expect(ex.rootCauses.length).toBeGreaterThan(0)
    expect(ex.rootCauses.map((r) => r.verdict)).toEqual(ex.rootCauses.map(() => 'base-image-changed'))
    const ev = ex.steps.find((s) => s.root)!.evidence!
    expect(ev.summary).toMatch(new RegExp(`${baseA.replace(/[.:/]/g, '\\$&')}@sha256:[0-9a-f]{64} → (docker\\.io/)?${baseB.replace(/[.:/]/g, '\\$&')}@sha256:[0-9a-f]{64}`))
    // diff names the switch too (it used to say no input differs)
    const d = await diffRuns({db: project.db, cwd: project.dir, a: ex.baseline!.id!, b: ex.run.id!})
    expect(d.baseImages.map((b) => [b.ref.replace(/^docker\.io\//, ''), b.old === undefined, b.new === undefined]).sort()).toEqual([[baseA, false, true], [baseB, true, false]])
    await build() // back on base A
  })

  it('a RUN removed from the middle of a stage: step-removed names it, the next misses are its cascade', async () => {
    await setDockerfile([STEPS[0]!, STEPS[2]!, STEPS[3]!])
    const ex = await build()
    const root = rootOf(ex)
    expect(root.verdict).toBe('step-removed')
    expect(root.instruction).toBe(STEPS[2])
    expect(root.evidence?.removed?.map((r) => r.instruction)).toEqual([STEPS[1]])
    cascadeFrom(ex, root)
  })

  it('a RUN inserted: new-step at it, the steps after it cascade', async () => {
    await setDockerfile([STEPS[0]!, 'RUN echo inserted >> /app/out.txt', STEPS[2]!, STEPS[3]!])
    const ex = await build()
    const root = rootOf(ex)
    expect(root).toMatchObject({verdict: 'new-step', instruction: 'RUN echo inserted >> /app/out.txt'})
    cascadeFrom(ex, root)
    await setDockerfile(STEPS)
    await build()
  })

  it('chmod only: context-changed at the COPY naming the file (mode is part of the key)', async () => {
    await chmod(path.join(project.dir, 'src/a.txt'), 0o755)
    const ex = await build()
    const root = rootOf(ex)
    expect(root).toMatchObject({verdict: 'context-changed', instruction: 'COPY src/ ./src/'})
    expect(root.evidence?.files).toEqual([{path: 'src/a.txt', change: 'modified'}])
    cascadeFrom(ex, root)
  })

  it('touch only (mtime): no miss, no verdict', async () => {
    const later = new Date(Date.now() + 3_600_000)
    await utimes(path.join(project.dir, 'src/a.txt'), later, later)
    const ex = await build()
    expect(misses(ex)).toEqual([])
    expect(ex.totals.hitRate).toBe(1)
  })

  it('.dockerignore now excludes a copied file: context-changed, the file removed', async () => {
    await appendFile(path.join(project.dir, '.dockerignore'), 'src/b.txt\n')
    const ex = await build()
    const root = rootOf(ex)
    expect(root.verdict).toBe('context-changed')
    expect(root.evidence?.files).toEqual([{path: 'src/b.txt', change: 'removed'}])
    cascadeFrom(ex, root)
  })

  it('an undeclared build arg via --set changes nothing; a declared but unused ARG reaches every later RUN: arg-changed (old value = Dockerfile default)', async () => {
    const undeclared = await build(['app.args.NOT_DECLARED=1'])
    expect(misses(undeclared)).toEqual([])
    await setDockerfile(STEPS, 'ARG FLAVOR=plain\n')
    await build()
    const ex = await build(['app.args.FLAVOR=fancy'])
    const root = rootOf(ex)
    expect(root).toMatchObject({verdict: 'arg-changed', instruction: STEPS[0]})
    expect(root.evidence?.summary).toBe('FLAVOR: plain → fancy')
    cascadeFrom(ex, root)
    await setDockerfile(STEPS)
    await build()
  })

  it('a cache mount: its contents never count, the RUN hits on the next build', async () => {
    await setDockerfile([...STEPS, 'RUN --mount=type=cache,target=/cache date >> /cache/log && cat /cache/log >/dev/null'])
    await build()
    const ex = await build()
    expect(misses(ex)).toEqual([])
    await setDockerfile(STEPS)
    await build()
  })

  it('several targets in one build command are one run; a stage web executed and api reused is served in-run, not a hit', async () => {
    const result = await runBuild({targets: ['web', 'api'], files: [], set: [], driver: 'engine', cwd: project.dir, db: project.db})
    expect(result.ok, JSON.stringify(result.runs.map((r) => r.error))).toBe(true)
    expect(result.runs).toHaveLength(1)
    const ex = await explainRun({db: project.db, cwd: project.dir, run: result.runs[0]!.id})
    expect(ex.run.targets).toEqual(['api', 'web'])
    const apiShared = ex.steps.filter((s) => s.target === 'api' && s.stage === 'shared')
    expect(apiShared.map((s) => s.instruction)).toEqual(['WORKDIR /shared', `RUN echo shared-${id} > /shared/s.txt`])
    expect(apiShared.every((s) => s.cached && s.servedInRun)).toBe(true)
    expect(ex.totals).toMatchObject({hits: 0, servedInRun: 2, cacheable: 6})
  })

  it('no-cache-filter with the engine driver: refused (exit 2) with the fix, nothing built or recorded', async () => {
    const {UsageError, exitCodeFor} = await import('../../src/errors.js')
    const {IndexStore} = await import('../../src/adapters/db/index-store.js')
    const count = async () => {
      const store = await IndexStore.open(project.db)
      try {
        return store.runCount()
      } finally {
        store.close()
      }
    }
    const before = await count()
    const error = await runBuild({targets: ['filtered'], files: [], set: [], driver: 'engine', cwd: project.dir, db: project.db}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect(exitCodeFor(error)).toBe(2)
    expect((error as InstanceType<typeof UsageError>).message).toMatch(/no-cache-filter \(build\).*the Docker Engine API has no such parameter/)
    expect((error as InstanceType<typeof UsageError>).fix).toMatch(/--driver buildx/)
    expect(await count()).toBe(before)
  })

  it('no-cache in the plan: every step is no-cache, naming the plan attribute', async () => {
    const ex = await build(['app.no-cache=true'])
    const verdicts = new Set(ex.steps.filter((s) => !s.cached || s.verdict).map((s) => s.verdict))
    expect([...verdicts]).toEqual(['no-cache'])
    expect(ex.steps.find((s) => s.verdict)!.evidence?.summary).toBe('the plan sets no-cache')
  })
})

