import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import {InputError} from '../../src/domain/errors.js'
import {parseMetadataFile} from '../../src/domain/metadata/parse-metadata.js'
import {ingestFile} from '../../src/services/ingest.js'
import {PROJECT_ROOT} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'

const metadataOf = (run: string) => path.join(PROJECT_ROOT, 'fixtures/buildkit-0.11-rawjson', run, 'metadata.json')
const bundle = (name: string) => path.join(PROJECT_ROOT, 'test/fixtures/dockerbuild', name)

let dir: string
let db: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-platform-'))
  db = path.join(dir, 'index.db')
})
afterEach(() => rm(dir, {recursive: true, force: true}))

// several runs below are the same capture declared another way: record each (--again)
const ingest = (file: string, extra: {metadataFile?: string; platform?: string} = {}) => ingestFile({file, db, cwd: dir, target: 'api', git: false, again: true, ...extra})
async function withStore<T>(f: (store: IndexStore) => T): Promise<T> {
  const store = await IndexStore.open(db)
  try {
    return f(store)
  } finally {
    store.close()
  }
}

describe('the platform of a single-platform run', () => {
  it('comes from the metadata file: the image descriptor platform and per-platform buildinfo keys', () => {
    // a buildx v0.13+ single-platform metadata file (events.md §5: containerimage.descriptor carries the platform)
    const single = JSON.stringify({
      'containerimage.descriptor': {mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'a'.repeat(64), size: 1, platform: {architecture: 'amd64', os: 'linux'}},
      'containerimage.buildinfo': {frontend: 'dockerfile.v0', attrs: {'build-arg:X': '1'}},
    })
    expect(parseMetadataFile(single, {salt: 's', target: 'api'}).metadata.platforms).toEqual({api: ['linux/amd64']})
    const arm = JSON.stringify({'containerimage.descriptor': {digest: 'sha256:' + 'b'.repeat(64), platform: {architecture: 'arm64', os: 'linux', variant: 'v8'}}})
    expect(parseMetadataFile(arm, {salt: 's', target: 'api'}).metadata.platforms).toEqual({api: ['linux/arm64/v8']})
  })

  it('comes from the per-platform buildinfo keys of the real r3 metadata file', async () => {
    const {readFile} = await import('node:fs/promises')
    const parsed = parseMetadataFile(await readFile(metadataOf('r3-code-change'), 'utf8'), {salt: 's', target: 'api'})
    expect(parsed.metadata.platforms).toEqual({api: ['linux/amd64', 'linux/arm64']})
  })

  it('ingest --platform names it when neither the events nor a metadata file do (r10-failed, linux/amd64 per its README)', async () => {
    await ingest(capture('r10-failed'), {platform: 'linux/amd64'})
    const run = await withStore((s) => s.getRun(s.resolveRunRef('latest')))
    expect(run.platforms).toEqual(['linux/amd64'])
    // every Dockerfile step has the run's platform; plumbing has none
    expect(run.steps.filter((s) => !s.internal).every((s) => s.platform === 'linux/amd64')).toBe(true)
    expect(run.steps.filter((s) => s.internal).every((s) => s.platform === undefined)).toBe(true)
  })

  it('refuses a --platform the build\'s own events contradict, and writes nothing', async () => {
    const error = await ingest(capture('r3-code-change'), {platform: 'linux/s390x'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).message).toBe('--platform linux/s390x contradicts the build events, which name linux/amd64, linux/arm64')
    await expect(ingest(capture('r3-code-change'), {platform: 'amd64'})).rejects.toThrow('is not a platform')
    expect(await withStore((s) => s.runCount())).toBe(0)
  })

  it('comes from a .dockerbuild record', async () => {
    await ingestFile({file: bundle('docker~test-docker-action~COIO50.dockerbuild'), db, cwd: dir, git: false})
    const run = await withStore((s) => s.getRun(s.resolveRunRef('latest')))
    expect(run.platforms).toEqual(['linux/amd64'])
    expect(run.steps.filter((s) => s.cacheable).every((s) => s.platform === 'linux/amd64')).toBe(true)
  })
})

describe('baseline choice: same targets and platform', () => {
  it('a single-platform run is compared with the last run of that platform, else with a run that built it among others', async () => {
    for (const r of ['r1-cold', 'r2-warm-remote', 'r3-code-change']) await ingest(capture(r), {metadataFile: metadataOf(r)})
    await ingest(capture('r10-failed'), {platform: 'linux/amd64'}) // r4
    await ingest(capture('r10-failed'), {platform: 'linux/arm64'}) // r5 (the same events, declared arm64)
    await ingest(capture('r10-failed'), {platform: 'linux/amd64'}) // r6
    await ingest(capture('r10-failed')) // r7: platform unknown
    await ingest(capture('r10-failed')) // r8: platform unknown
    const baselineOf = (id: number) => withStore((s) => s.findBaseline(id))
    expect(await baselineOf(4)).toBe(3) // no amd64-only run yet: the two-platform r3 built linux/amd64
    expect(await baselineOf(5)).toBe(3) // not r4: it built linux/amd64 only
    expect(await baselineOf(6)).toBe(4) // the last linux/amd64 run
    expect(await baselineOf(8)).toBe(7) // unknown platform: the last run whose platform is unknown too
  })
})

describe('steps that never started are "not run"', () => {
  it('r10-failed: stage-2 2/2 never started after build 6/6 failed: out of the totals (5/8, 1 not run)', async () => {
    await ingest(capture('r10-failed'), {platform: 'linux/amd64'})
    const summary = await withStore((s) => s.getSummary(s.resolveRunRef('latest')))
    expect({hits: summary.hits, cacheable: summary.cacheable}).toEqual({hits: 5, cacheable: 8})
  })
})

describe('the real error of a .dockerbuild record', () => {
  it('a bake bundle whose one record failed to parse its Dockerfile reports that error, not its siblings\' cancellation', async () => {
    const {run} = await ingestFile({file: bundle('docker~test-docker-action~SNHBPN+3.dockerbuild'), db, cwd: dir, git: false})
    expect(run.status).toBe('failed')
    expect(run.error).toBe('summary-error: dockerfile parse error on line 2: unknown instruction: ARGGG (did you mean ARG?)')
  })

  it('the gate repeats that error', async () => {
    await ingestFile({file: bundle('docker~test-docker-action~SNHBPN+3.dockerbuild'), db, cwd: dir, git: false})
    const {runGate} = await import('../../src/services/gate.js')
    const gate = await runGate({db, cwd: dir, rules: {minHitRate: 50}, useConfig: false})
    expect(gate.outcome).toBe('build-failed')
    expect(gate.headline).toContain('(summary-error: dockerfile parse error on line 2: unknown instruction: ARGGG (did you mean ARG?))')
    expect(gate.headline).not.toContain('context canceled')
  })
})


describe('a platform that is merely unknown is never platform-changed', () => {
  it('r10-failed without its platform, against the two-platform r6: unmatched steps say the platform is unknown', async () => {
    const {explainRun} = await import('../../src/domain/explain/explain-run.js')
    const {foldFile} = await import('../helpers/fixtures.js')
    const ex = explainRun(await foldFile(capture('r10-failed'), {target: 'api'}), await foldFile(capture('r6-base-moved'), {target: 'api'}))
    expect(ex.steps.filter((s) => s.verdict === 'platform-changed')).toEqual([])
    const copy = ex.steps.find((s) => s.stage === 'build' && s.index === 4)!
    expect(copy.verdict).toBe('new-step')
    expect(copy.evidence?.summary).toBe("no step of the baseline to compare with: this run's platform is unknown (the baseline built linux/amd64, linux/arm64)")
    expect(copy.evidence?.missing?.[0]).toMatch(/ingest --platform/)
    // the failure is still the failure, and the step that never started has no verdict
    expect(ex.steps.find((s) => s.stage === 'build' && s.index === 6)?.verdict).toBe('failed')
    const notRun = ex.steps.find((s) => s.stage === 'stage-2' && s.index === 2)!
    expect(notRun.notRun).toBe(true)
    expect(notRun.verdict).toBeUndefined()
  })
})
