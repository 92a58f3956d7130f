import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import {InputError} from '../../src/domain/errors.js'
import {ingestFile} from '../../src/services/ingest.js'
import {FIXTURES} from '../helpers/fixtures.js'

const dir = (run: string) => path.join(FIXTURES, 'provenance-0.11', run)
const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-prov-'))
const PLATFORMS = ['provenance.linux_amd64.json', 'provenance.linux_arm64.json']

// some tests record one capture twice on purpose (with other provenance): --again
async function ingest(db: string, run: string, opts: {provenance?: string[]; metadata?: string} = {}) {
  return ingestFile({file: path.join(dir(run), 'rawjson.json'), db, cwd: tmp(), git: false, provenanceFiles: opts.provenance, metadataFile: opts.metadata, again: true})
}

async function readRun(db: string, id: string) {
  const store = await IndexStore.open(db, {readonly: true})
  try {
    return store.getRun(store.resolveRunRef(id))
  } finally {
    store.close()
  }
}

describe('ingest --provenance', () => {
  it('maps each platform statement onto that platform\'s steps and stores the definitions', async () => {
    const db = path.join(tmp(), 'index.db')
    const res = await ingest(db, 'p3-build-mode', {provenance: PLATFORMS.map((f) => path.join(dir('p3-build-mode'), f))})
    // 8 cacheable steps per platform + the FROM of each platform
    expect(res.definitions).toBe(18)
    const run = await readRun(db, res.run.id)
    const at = (platform: string, stage: string, index: number) => run.steps.find((s) => s.platform === platform && s.stage === stage && s.index === index)!
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const build = at(platform, 'build', 5)
      expect(build.provenance?.definition.platform).toBe(platform)
      expect(build.provenance?.definition.exec?.env.BUILD_MODE).toBe('debug')
      expect(build.provenance?.location).toMatchObject({file: 'Dockerfile', startLine: 12})
      // parents by vertex digest: the RUN's parent is the COPY src/ of the same platform
      expect(build.provenance?.parents).toEqual([at(platform, 'build', 4).digest])
      expect(at(platform, 'deps', 3).provenance?.readsContext).toBe(true)
      expect(at(platform, 'deps', 2).provenance?.readsContext).toBe(false)
    }
    expect(run.metadata?.provenance?.map((p) => `${p.platform} ${p.predicateType} ${p.mode}`).sort()).toEqual(['linux/amd64 v0.2 max', 'linux/arm64 v0.2 max'])
  })

  it('fills the platform of a single-platform build from its ops', async () => {
    const db = path.join(tmp(), 'index.db')
    const res = await ingest(db, 'p5-src-edit', {provenance: [path.join(dir('p5-src-edit'), 'provenance.json')]})
    const run = await readRun(db, res.run.id)
    expect(run.platforms).toEqual(['linux/amd64'])
    expect(res.run.platforms).toEqual(['linux/amd64'])
  })

  it('definitions are content-addressed: a second identical run adds no definition text', async () => {
    const db = path.join(tmp(), 'index.db')
    const files = PLATFORMS.map((f) => path.join(dir('p2-warm'), f))
    await ingest(db, 'p2-warm', {provenance: files})
    const count = async () => {
      const store = await IndexStore.open(db, {readonly: true})
      try {
        return store.db.prepare('SELECT count(*) AS rows, count(DISTINCT definition_id) AS defs, (SELECT count(*) FROM texts) AS texts FROM step_provenance').get() as {rows: number; defs: number; texts: number}
      } finally {
        store.close()
      }
    }
    const first = await count()
    await ingest(db, 'p2-warm', {provenance: files})
    const second = await count()
    expect(second.rows).toBe(first.rows * 2)
    expect(second.defs).toBe(first.defs)
    expect(second.texts).toBe(first.texts)
  })

  it('events-only ingest is unchanged: no definitions, same totals', async () => {
    const db = path.join(tmp(), 'index.db')
    const plain = await ingest(db, 'p3-build-mode')
    const withProv = await ingest(db, 'p3-build-mode', {provenance: PLATFORMS.map((f) => path.join(dir('p3-build-mode'), f))})
    expect(plain.definitions).toBe(0)
    const a = await readRun(db, plain.run.id)
    const b = await readRun(db, withProv.run.id)
    expect(a.steps.some((s) => s.provenance)).toBe(false)
    expect({...plain.run, id: '', globalId: ''}).toEqual({...withProv.run, id: '', globalId: ''})
    expect(a.steps.map((s) => `${s.name} ${s.cached}`)).toEqual(b.steps.map((s) => `${s.name} ${s.cached}`))
  })

  it('bad provenance: exit-2 error naming the file and the fix, nothing written', async () => {
    const db = path.join(tmp(), 'index.db')
    await ingest(db, 'p2-warm')
    const bad = path.join(tmp(), 'provenance.json')
    writeFileSync(bad, '['.repeat(500) + ']'.repeat(500))
    const err = await ingest(db, 'p3-build-mode', {provenance: [bad]}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).file).toBe(bad)
    expect((err as InputError).message).toMatch(/nests deeper/)
    expect((err as InputError).fix).toBeTruthy()
    // another build's provenance does not describe these events
    const other = await ingest(db, 'p3-build-mode', {provenance: [path.join(dir('p7-run-edit'), 'provenance.json')]}).catch((e: unknown) => e)
    expect((other as InputError).message).toMatch(/does not describe this build/)
    const store = await IndexStore.open(db, {readonly: true})
    try {
      expect(store.runCount()).toBe(1)
    } finally {
      store.close()
    }
  })

  it('buildx metadata: buildx.build.provenance (mode=max, per platform) gives the same definitions; mode=min gives args only', async () => {
    const db = path.join(tmp(), 'index.db')
    const meta = JSON.parse(readFileSync(path.join(dir('p3-build-mode'), 'metadata.json'), 'utf8')) as Record<string, unknown>
    // what buildx writes with BUILDX_METADATA_PROVENANCE=max for a two-platform build: the predicate per platform
    for (const f of PLATFORMS) {
      const platform = f.replace('provenance.', '').replace('.json', '').replace('_', '/')
      meta[`buildx.build.provenance/${platform}`] = JSON.parse(readFileSync(path.join(dir('p3-build-mode'), f), 'utf8')).predicate
    }
    const file = path.join(tmp(), 'metadata.json')
    writeFileSync(file, JSON.stringify(meta))
    const res = await ingest(db, 'p3-build-mode', {metadata: file})
    expect(res.definitions).toBe(18)

    const min = JSON.parse(readFileSync(path.join(dir('p3-build-mode'), 'provenance.linux_amd64.json'), 'utf8')).predicate
    delete min.buildConfig
    delete min.metadata
    const minFile = path.join(tmp(), 'metadata-min.json')
    writeFileSync(minFile, JSON.stringify({'buildx.build.provenance': min}))
    const r2 = await ingest(db, 'p3-build-mode', {metadata: minFile})
    expect(r2.definitions).toBe(0)
    const run = await readRun(db, r2.run.id)
    expect(run.metadata?.buildArgs?.default).toEqual({BUILD_MODE: 'debug'})
    expect(run.metadata?.provenance?.[0]).toMatchObject({mode: 'min', platform: 'linux/amd64'})
  })

  it('secrets in the provenance (env of a RUN, request args) never reach the index', async () => {
    const work = tmp()
    const db = path.join(work, 'index.db')
    const statement = JSON.parse(readFileSync(path.join(dir('p5-src-edit'), 'provenance.json'), 'utf8'))
    const token = 'ghp_' + 'Q'.repeat(36)
    const planted = 'n0t-in-the-index-4711'
    for (const step of statement.predicate.buildConfig.llbDefinition) {
      const exec = step.op?.Op?.exec
      if (exec) exec.meta.env.push(`NPM_TOKEN=${planted}`, `INNOCENT=${token}`)
    }
    statement.predicate.invocation.parameters.args['build-arg:NPM_TOKEN'] = planted
    const file = path.join(work, 'provenance.json')
    writeFileSync(file, JSON.stringify(statement))
    const res = await ingest(db, 'p5-src-edit', {provenance: [file]})
    expect(res.definitions).toBe(9)
    const run = await readRun(db, res.run.id)
    const env = run.steps.find((s) => s.provenance?.definition.exec)!.provenance!.definition.exec!.env
    expect(env.NPM_TOKEN).toMatch(/^secret:[0-9a-f]{16}$/)
    expect(env.INNOCENT).toMatch(/^secret:[0-9a-f]{16}$/)
    for (const f of [db, `${db}-wal`]) {
      let bytes: Buffer
      try {
        bytes = readFileSync(f)
      } catch {
        continue
      }
      expect(bytes.includes(planted)).toBe(false)
      expect(bytes.includes(token)).toBe(false)
    }
  })
})
