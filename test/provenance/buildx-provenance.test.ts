import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import {runBuild} from '../../src/services/build/index.js'
import {explainWithStore} from '../../src/services/explain.js'
import {PROJECT_ROOT} from '../helpers/cli.js'

const FAKE_DOCKER = path.join(PROJECT_ROOT, 'test/build/fake-docker/docker')
const CAPTURES = path.join(PROJECT_ROOT, 'fixtures/provenance-0.11')

describe('build --driver buildx records the provenance buildx puts in the metadata file', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-buildx-prov-'))
    await cp(path.join(CAPTURES, 'app-context'), path.join(dir, 'app'), {recursive: true})
    await writeFile(path.join(dir, 'docker-bake.hcl'), 'target "shop" {}\n')
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  const build = async (capture: string, args: Record<string, string>) => {
    await writeFile(path.join(dir, 'plan.json'), JSON.stringify({group: {default: {targets: ['shop']}}, target: {shop: {context: 'app', dockerfile: 'Dockerfile', args, platforms: ['linux/amd64', 'linux/arm64']}}}))
    // no BUILDX_METADATA_PROVENANCE from the caller: bakedoctor must ask for it
    const {BUILDX_METADATA_PROVENANCE: _, ...env} = process.env
    return runBuild({
      targets: ['shop'], files: [], set: [], driver: 'buildx', cwd: dir, db: path.join(dir, 'index.db'), dockerBin: FAKE_DOCKER,
      env: {...env, FAKE_DOCKER_LOG: path.join(dir, 'argv.log'), FAKE_DOCKER_PLAN: path.join(dir, 'plan.json'), FAKE_DOCKER_CAPTURE: path.join(CAPTURES, capture)},
    })
  }

  it('asks for mode=max, stores every step\'s definition, and explains with it (p3 vs p2)', async () => {
    const p2 = await build('p2-warm', {})
    const p3 = await build('p3-build-mode', {BUILD_MODE: 'debug'})
    expect(p3.ok).toBe(true)
    const store = await IndexStore.open(path.join(dir, 'index.db'), {readonly: true})
    try {
      const run = store.getRun(store.resolveRunRef(p3.runs[0]!.id))
      const dockerfileSteps = run.steps.filter((s) => s.cacheable)
      expect(dockerfileSteps).toHaveLength(16)
      expect(dockerfileSteps.every((s) => s.provenance?.location?.file === 'Dockerfile')).toBe(true)
      const ex = await explainWithStore(store, {run: p3.runs[0]!.id, against: p2.runs[0]!.id})
      const buildRun = ex.steps.find((s) => s.platform === 'linux/amd64' && s.stage === 'build' && s.index === 5)!
      expect(buildRun).toMatchObject({verdict: 'arg-changed', evidence: {summary: 'BUILD_MODE: release → debug (Dockerfile:12)'}})
    } finally {
      store.close()
    }
    const argv = (await readFile(path.join(dir, 'argv.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[])
    expect(argv.some((a) => a.includes('--metadata-file'))).toBe(true)
  })
})
