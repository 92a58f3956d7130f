import {randomBytes} from 'node:crypto'
import {appendFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import type {Explanation} from '../../src/domain/explain/types.js'
import {runBuild} from '../../src/services/build/index.js'
import {diffRuns} from '../../src/services/diff.js'
import {explainRun} from '../../src/services/explain.js'
import {diffPlans} from '../../src/services/plan.js'
import {describeEngine} from '../helpers/engine.js'
import {copyProject, importBase, removeImage} from './helpers.js'

/**
 * The build issue's scenarios, explained (issue "explain/diff"): each miss gets the right verdict with
 * evidence naming the file, the arg or the digest; the .dockerignore'd edit gets none. Built from a
 * bake file, so each run records its plan and `diff` / `plan diff` can compare plans of runs.
 */
describeEngine('explain on real engine builds', () => {
  const id = randomBytes(4).toString('hex')
  const base = `bakedoctor-test/busybox:explain-${id}`
  let project: Awaited<ReturnType<typeof copyProject>>
  const ids: string[] = []

  const build = async (set: string[] = []): Promise<Explanation> => {
    const result = await runBuild({targets: ['app'], files: [], set, driver: 'engine', cwd: project.dir, db: project.db})
    expect(result.ok, JSON.stringify(result.runs.map((r) => r.error))).toBe(true)
    ids.push(result.runs[0]!.id)
    return explainRun({db: project.db, cwd: project.dir, run: result.runs[0]!.id})
  }
  const roots = (ex: Explanation) => ex.rootCauses.map((r) => `${r.verdict} ${r.label}`)

  beforeAll(async () => {
    project = await copyProject()
    await importBase(base, `explain ${id}`)
    await writeFile(path.join(project.dir, 'docker-bake.hcl'), `
variable "GREETING" { default = "hello" }
target "app" {
  context = "."
  args = { BASE = "${base}", GREETING = GREETING }
  tags = ["bakedoctor-test/app:${id}"]
}
`)
  })

  afterAll(async () => {
    removeImage(base)
    removeImage(`bakedoctor-test/app:${id}`)
    await project?.cleanup()
  })

  it('cold build: the first recorded run, nothing to compare (no baseline); rebuild: nothing to explain', async () => {
    const cold = await build()
    expect(cold.baseline).toBeUndefined()
    expect(cold.steps.filter((s) => s.verdict)).toEqual([])
    expect(cold.firstRun?.reduce((n, g) => n + g.executed, 0)).toBe(7)
    const warm = await build()
    expect(warm.baseline?.id).toBe(ids[0])
    expect(warm.rootCauses).toEqual([])
    expect(warm.totals.hitRate).toBe(1)
  })

  it('an edited source file: context-changed at its COPY naming the file; the rest are cascades', async () => {
    await appendFile(path.join(project.dir, 'src/a.txt'), 'edited\n')
    const ex = await build()
    // the run has the engine's platform (issue #15: a single-platform run's platform is known)
    expect(ex.run.platforms).toHaveLength(1)
    expect(roots(ex)).toEqual([`context-changed [app ${ex.run.platforms[0]} build 1/2] COPY src/ ./src/`])
    const root = ex.steps.find((s) => s.root)!
    expect(root.evidence?.files).toEqual([{path: 'src/a.txt', change: 'modified'}])
    expect(root.dockerfileLine).toBe(9)
    const cascades = ex.steps.filter((s) => s.verdict === 'upstream-invalidated')
    expect(cascades.length).toBeGreaterThanOrEqual(2)
    expect(cascades.every((s) => s.rootCause === root.key)).toBe(true)
  })

  it('an edit to a .dockerignore\'d file: no miss, no verdict', async () => {
    await appendFile(path.join(project.dir, 'notes/todo.txt'), 'ignored edit\n')
    const ex = await build()
    expect(ex.rootCauses).toEqual([])
    expect(ex.steps.every((s) => s.cached)).toBe(true)
  })

  it('a changed build arg: arg-changed at the RUN that uses it, GREETING: hello → bonjour', async () => {
    const ex = await build(['app.args.GREETING=bonjour'])
    expect(roots(ex)).toEqual([`arg-changed [app ${ex.run.platforms[0]} base 2/3] RUN echo "bonjour" > /greeting.txt`])
    expect(ex.rootCauses[0]!.summary).toBe('GREETING: hello → bonjour')
    const d = await diffRuns({db: project.db, cwd: project.dir, a: ids.at(-2)!, b: ids.at(-1)!})
    expect(d.plan).toEqual([{target: 'app', attribute: 'args.GREETING', old: 'hello', new: 'bonjour'}])
    const p = await diffPlans({cwd: project.dir, env: {}, db: project.db, left: {kind: 'run', runId: ids.at(-2)!}, right: {kind: 'run', runId: ids.at(-1)!}})
    expect(JSON.stringify(p.diff)).toContain('GREETING')
  })

  it('the base image re-imported under the same tag: base-image-changed with both digests', async () => {
    await importBase(base, `explain ${id} moved`)
    const ex = await build(['app.args.GREETING=bonjour'])
    expect(ex.rootCauses.length).toBeGreaterThan(0)
    expect(ex.rootCauses.every((r) => r.verdict === 'base-image-changed')).toBe(true)
    // the recorded ref is normalized the way the engine names it (docker.io/…)
    expect(ex.rootCauses[0]!.summary).toMatch(new RegExp(`^(docker\\.io/)?${base.replace(/[.:/]/g, '\\$&')}: sha256:[0-9a-f]{64} → sha256:[0-9a-f]{64}$`))
    const baseImage = ex.steps.find((s) => s.root)!.evidence!.baseImage!
    expect(baseImage.old).not.toBe(baseImage.new)
  })
})
