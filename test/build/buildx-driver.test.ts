import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import type {Run} from '../../src/domain/model/run.js'
import {runBuild} from '../../src/services/build/index.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const FAKE_DOCKER = path.join(HERE, 'fake-docker/docker')
const CAPTURES = path.resolve(HERE, '../../fixtures/buildkit-0.11-rawjson')

async function loadRun(db: string, id: string): Promise<Run> {
  const store = await IndexStore.open(db)
  try {
    return store.getRun(store.resolveRunRef(id))
  } finally {
    store.close()
  }
}

describe('build --driver buildx (fake docker replaying real BuildKit captures)', () => {
  let dir: string
  let env: NodeJS.ProcessEnv

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-buildx-'))
    await cp(path.join(CAPTURES, 'app-context'), path.join(dir, 'app'), {recursive: true})
    await writeFile(path.join(dir, 'docker-bake.hcl'), 'target "api" {}\n')
    env = {...process.env, FAKE_DOCKER_LOG: path.join(dir, 'argv.log'), FAKE_DOCKER_PLAN: path.join(dir, 'plan.json')}
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  const plan = async (platforms: string[], gitSha: string) =>
    writeFile(
      path.join(dir, 'plan.json'),
      JSON.stringify({group: {default: {targets: ['api']}}, target: {api: {context: 'app', dockerfile: 'api/Dockerfile', args: {GIT_SHA: gitSha}, platforms}}}),
    )

  const build = (capture: string, extra: Partial<Parameters<typeof runBuild>[0]> = {}) =>
    runBuild({
      targets: ['api'], files: [], set: [], driver: 'buildx', cwd: dir, db: path.join(dir, 'index.db'), dockerBin: FAKE_DOCKER,
      env: {...env, FAKE_DOCKER_CAPTURE: path.join(CAPTURES, capture)}, ...extra,
    })

  it('cold build: runs bake with rawjson + metadata file, records 0/18 hits and per-platform totals', async () => {
    await plan(['linux/amd64', 'linux/arm64'], 'aaa111')
    const events: string[] = []
    const result = await build('r1-cold', {onEvent: (e) => events.push(e.type)})
    expect(result.driver).toBe('buildx')
    expect(result.ok).toBe(true)
    const r = result.runs[0]!
    expect(r.status).toBe('completed')
    expect(r.totals).toMatchObject({cacheable: 18, hits: 0})
    expect(r.byPlatform.map((p) => [p.platform, p.totals.cacheable])).toEqual([['linux/amd64', 9], ['linux/arm64', 9]])
    expect(events.filter((t) => t === 'status').length).toBeGreaterThan(10)

    const argv = (await readFile(path.join(dir, 'argv.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[])
    expect(argv[0]).toEqual(['buildx', 'bake', '--print', 'api'])
    const bake = argv[1]!
    expect(bake.slice(0, 3)).toEqual(['buildx', 'bake', '--progress=rawjson'])
    expect(bake).toContain('--metadata-file')
    expect(bake.at(-1)).toBe('api')

    const run = await loadRun(result.db, r.id)
    // inputs from the local context: COPY api/ names the files .dockerignore lets through
    const copyApi = run.steps.find((s) => s.platform === 'linux/amd64' && s.instruction === 'COPY api/ ./api/')!
    expect(copyApi.stepInputs?.components.filter((c) => c.kind === 'file').map((c) => c.name)).toEqual(['api/Dockerfile', 'api/main.txt', 'api/routes.txt'])
    const from = run.steps.find((s) => s.kind === 'FROM' && s.stepInputs)!
    expect(from.stepInputs!.components).toContainEqual({kind: 'base-image', name: '127.0.0.1:5000/base/busybox:1', value: 'sha256:269c345739b285890e0317eda30f06660a33a8157e0bf1f52ce6b8b409376959'})
  })

  it.each(['r1-cold', 'r3-code-change', 'r10-failed'])('records the same run as `ingest` does for the same capture (%s)', async (capture) => {
    await plan(capture === 'r10-failed' ? ['linux/amd64'] : ['linux/amd64', 'linux/arm64'], 'aaa111')
    const result = await build(capture)
    const built = await loadRun(result.db, result.runs[0]!.id)
    const {ingestFile} = await import('../../src/services/ingest.js')
    const db2 = path.join(dir, 'ingested.db')
    const ingested = await ingestFile({file: path.join(CAPTURES, capture, 'rawjson.json'), db: db2, cwd: dir, target: 'api', git: false, metadataFile: capture === 'r10-failed' ? undefined : path.join(CAPTURES, capture, 'metadata.json')})
    const viaIngest = await loadRun(db2, ingested.run.id)
    const shape = (r: Run) => ({
      status: r.status, targets: r.targets, platforms: r.platforms,
      steps: r.steps.map((s) => ({name: s.name, target: s.target, cached: s.cached, servedInRun: s.servedInRun, error: s.error, durationMs: s.durationMs, logTail: s.logTail})),
    })
    expect(shape(built)).toEqual(shape(viaIngest))
  })

  it('warm build: 18/18 from cache', async () => {
    await plan(['linux/amd64', 'linux/arm64'], 'aaa111')
    const result = await build('r2-warm-remote')
    expect(result.runs[0]!.totals).toMatchObject({cacheable: 18, hits: 18, hitRate: 1})
  })

  it('gate rules: every recorded run of a build that succeeded is gated; a failed build is not', async () => {
    await plan(['linux/amd64', 'linux/arm64'], 'aaa111')
    const warm = await build('r2-warm-remote', {gate: {minHitRate: 80}})
    expect(warm.gates?.map((g) => [g.run.id, g.passed])).toEqual([[warm.runs[0]!.id, true]])
    const changed = await build('r3-code-change', {gate: {minHitRate: 80}})
    expect(changed.gates).toHaveLength(1)
    expect(changed.gates![0]!.passed).toBe(false)
    expect(changed.gates![0]!.rules.find((r) => r.id === 'hit-rate:overall')?.status).toBe('fail')
    await plan(['linux/amd64'], 'fff666')
    expect((await build('r10-failed', {gate: {minHitRate: 80}})).gates).toBeUndefined()
  })

  it('failed build: the run is recorded as failed with the step error, ok is false', async () => {
    await plan(['linux/amd64'], 'fff666')
    const result = await build('r10-failed')
    expect(result.ok).toBe(false)
    const r = result.runs[0]!
    expect(r.status).toBe('failed')
    expect(r.error).toMatch(/did not complete successfully: exit code: 1/)
    const run = await loadRun(result.db, r.id)
    expect(run.status).toBe('failed')
    expect(run.steps.some((s) => s.error)).toBe(true)
  })

  it('Ctrl-C: stops the child and records the run as cancelled', async () => {
    await plan(['linux/amd64', 'linux/arm64'], 'aaa111')
    const controller = new AbortController()
    let statuses = 0
    const result = await build('r1-cold', {
      signal: controller.signal,
      env: {...env, FAKE_DOCKER_CAPTURE: path.join(CAPTURES, 'r1-cold'), FAKE_DOCKER_HANG: '1'},
      onEvent: (e) => {
        if (e.type === 'status' && ++statuses === 5) controller.abort()
      },
    })
    expect(result.cancelled).toBe(true)
    expect(result.ok).toBe(false)
    const run = await loadRun(result.db, result.runs[0]!.id)
    expect(run.status).toBe('cancelled')
  })

  it('a missing docker CLI is a usage error (exit 2): "docker buildx not found" with the fix', async () => {
    await plan(['linux/amd64'], 'aaa111')
    await expect(build('r1-cold', {dockerBin: path.join(dir, 'no-such-docker')})).rejects.toMatchObject({name: 'UsageError', message: expect.stringContaining('docker buildx not found'), fix: expect.stringContaining('--driver engine')})
  })
})
