/**
 * Team history in a real registry (issue 18): Debian's docker-registry with htpasswd auth on loopback
 * (plain HTTP, as Docker treats loopback registries), started here. Source indexes are filled with
 * real captured runs (fixtures/bake-0.10-rawjson, ingested once), pushed and pulled by the real CLI.
 */
import {randomBytes} from 'node:crypto'
import {copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer, request as httpRequest, type Server} from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import type {Explanation} from '../../src/domain/explain/types.js'
import type {Run} from '../../src/domain/model/run.js'
import {explainWithStore} from '../../src/services/explain.js'
import {EMPTY_CONFIG} from '../../src/domain/history/artifact.js'
import {pullHistory, pushHistory, runArtifact} from '../../src/services/history.js'
import {seedArtifact} from '../helpers/registry-storage.js'
import {ingestFile} from '../../src/services/ingest.js'
import {PROJECT_ROOT, runCli} from '../helpers/cli.js'
import {requireTools, skipNote, startRegistry, writeHtpasswd, type RunningRegistry} from '../helpers/registry.js'

const enabled = requireTools(['docker-registry', 'htpasswd'])

const USER = 'history-bot'
const PASSWORD = 'Hist0ry-pa55-that-must-not-leak'
const CAPTURES = path.join(PROJECT_ROOT, 'fixtures/bake-0.10-rawjson')
const T0 = Date.UTC(2026, 10, 1, 8, 0, 0)
const TEAM_SALT = 'team-salt-from-a-ci-secret-0123456789'

/** Secrets planted in the runs before they are stored: none may reach a pushed blob. */
const PLANTED = {
  token: 'ghp_' + 'Z9'.repeat(18),
  npm: 'npm_' + 'Qx7'.repeat(12),
  known: 'correct-horse-battery-staple-42',
}

function allowedTag(text: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(text)
}

describe.skipIf(!enabled)(`team history in a registry (htpasswd)${skipNote(['docker-registry', 'htpasswd'])}`, () => {
  let work: string
  let reg: RunningRegistry
  let goodConfig: string
  let emptyConfig: string
  let templates: Run[]

  const env = () => ({DOCKER_CONFIG: goodConfig, BAKEDOCTOR_HISTORY: undefined})

  /** A source index of `count` runs: the real captures alternated, on `branch`, with planted secrets. */
  async function fillIndex(file: string, count: number, o: {branch: string; startMs: number; stepMs?: number; steps?: number}): Promise<void> {
    const store = await IndexStore.open(file, {create: true})
    try {
      for (let k = 0; k < count; k++) {
        const t = templates[k % templates.length] as Run
        const run: Run = {
          ...t,
          id: undefined,
          createdAt: o.startMs + k * (o.stepMs ?? 60_000),
          git: {branch: o.branch, commit: randomBytes(20).toString('hex')},
          labels: {ci: 'runner', DEPLOY_TOKEN: PLANTED.token},
          metadata: {buildArgs: {api: {NPM_TOKEN: PLANTED.npm, PASSWORD: PLANTED.known}}},
          steps: t.steps.slice(0, o.steps).map((s, i) => (i === 0 ? {...s, logTail: [...s.logTail, `using ${PLANTED.token} and ${PLANTED.known}`]} : s)),
        }
        store.saveRun(run, {secretValues: [PLANTED.known]})
      }
    } finally {
      store.close()
    }
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'bakedoctor-history-'))
    const htpasswd = path.join(work, 'htpasswd')
    await writeHtpasswd(htpasswd, USER, PASSWORD)
    reg = await startRegistry({htpasswdFile: htpasswd})
    goodConfig = path.join(work, 'docker-good')
    emptyConfig = path.join(work, 'docker-empty')
    mkdirSync(goodConfig)
    mkdirSync(emptyConfig)
    writeFileSync(path.join(goodConfig, 'config.json'), JSON.stringify({auths: {[reg.host]: {auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}}}))
    // the real captures, ingested once: a cold build and a warm one with an edited file
    const templateDb = path.join(work, 'template.db')
    for (const name of ['b1-cold', 'b3-worker-edit']) {
      await ingestFile({file: path.join(CAPTURES, name, 'rawjson.json'), metadataFile: path.join(CAPTURES, name, 'metadata.json'), db: templateDb, cwd: work, git: false})
    }
    const store = await IndexStore.open(templateDb)
    templates = [store.getRun(1), store.getRun(2)]
    store.close()
  }, 60_000)

  afterAll(async () => {
    await reg?.stop()
    if (work) rmSync(work, {recursive: true, force: true})
  })

  /** The verdicts of `explain` against the run's own baseline, without local ids. */
  function verdicts(e: Explanation): unknown {
    return {
      rootCauses: e.rootCauses.map((c) => ({key: c.key, verdict: c.verdict, summary: c.summary, advice: c.advice, invalidatedSteps: c.invalidatedSteps, invalidatedMs: c.invalidatedMs})),
      steps: e.steps.map((s) => ({key: s.key, cached: s.cached, servedInRun: s.servedInRun, verdict: s.verdict, root: s.root, evidence: s.evidence})),
      removed: e.removedSteps,
      hits: e.totals.hits,
      cacheable: e.totals.cacheable,
    }
  }

  test('8 runners push 25 runs each at once; a ninth pulls exactly those 200, each identical to its source; a second pull fetches nothing', async () => {
    const ref = `${reg.host}/team/shop-history`
    const sources = Array.from({length: 8}, (_, p) => path.join(work, `runner-${p}.db`))
    // runners 0-3 build main, 4-7 their own feature branches; their runs interleave in time. The
    // team shares one secret salt (a CI secret), so secret markers compare across runners.
    process.env.BAKEDOCTOR_SECRET_SALT = TEAM_SALT
    try {
      for (const [p, file] of sources.entries()) await fillIndex(file, 25, {branch: p < 4 ? 'main' : `feature-${p}`, startMs: T0 + p * 7_000})
    } finally {
      delete process.env.BAKEDOCTOR_SECRET_SALT
    }

    const pushes = await Promise.all(sources.map((file) => runCli(['history', 'push', ref, '--db', file, '--json'], {env: env(), timeoutMs: 180_000})))
    for (const push of pushes) {
      expect(push.stderr).toBe('')
      expect(push.exitCode).toBe(0)
      const result = push.json as {pushed: Array<{globalId: string}>; alreadyThere: number; manifestForm: string}
      expect(result.pushed).toHaveLength(25)
      expect(result.alreadyThere).toBe(0)
      // Debian's distribution 2.8 stores OCI 1.1 artifactType manifests as they are
      expect(result.manifestForm).toBe('oci-1.1')
      expect(result.pushed.every((r) => allowedTag(r.globalId))).toBe(true)
    }
    // every run is its own tag: nothing was overwritten
    const tagsDir = path.join(reg.storageDir, 'docker/registry/v2/repositories/team/shop-history/_manifests/tags')
    expect(readdirSync(tagsDir)).toHaveLength(200)

    const merged = path.join(work, 'ninth.db')
    const pull = await runCli(['history', 'pull', ref, '--db', merged, '--json'], {env: {...env(), BAKEDOCTOR_SECRET_SALT: TEAM_SALT}, timeoutMs: 180_000})
    expect(pull.stderr).toBe('')
    expect(pull.exitCode).toBe(0)
    expect(pull.json).toMatchObject({listed: 200, known: 0, fetched: 200, notes: []})
    expect((pull.json as {merged: unknown[]}).merged).toHaveLength(200)

    const target = await IndexStore.open(merged, {readonly: true})
    let compared = 0
    let firstRuns = 0
    let firstRunsWithTeamBaseline = 0
    try {
      expect(target.runCount()).toBe(200)
      for (const file of sources) {
        const source = await IndexStore.open(file, {readonly: true})
        try {
          for (const summary of source.listRuns({limit: 100})) {
            const sourceId = Number(summary.id.slice(1))
            const pulledId = target.resolveRunRef(summary.globalId as string)
            const pulledSummary = target.getSummary(pulledId)
            expect(pulledSummary.origin).toBe(ref)
            // hit rates and totals as computed where the run was recorded
            expect({...pulledSummary, id: undefined, origin: undefined}).toEqual({...summary, id: undefined, origin: undefined})
            // steps, inputs, metadata
            expect({...target.getRun(pulledId), id: undefined}).toEqual({...source.getRun(sourceId), id: undefined})
            // explain against its baseline gives the same verdicts (the same baseline, by global id)
            const here = await explainWithStore(source, {run: summary.id})
            const there = await explainWithStore(target, {run: pulledSummary.id})
            const sourceBaseline = source.findBaseline(sourceId)
            const pulledBaseline = target.findBaseline(pulledId)
            if (sourceBaseline === undefined) {
              // a runner's first run had no baseline where it ran; in the team history it has an
              // earlier run of another runner (what a new runner lacked before), unless it is the first of all
              if (pulledBaseline !== undefined) {
                expect(target.getSummary(pulledBaseline).createdAt).toBeLessThan(summary.createdAt)
                firstRunsWithTeamBaseline++
              }
              firstRuns++
              continue
            }
            expect(target.getSummary(pulledBaseline as number).globalId).toBe(source.getSummary(sourceBaseline).globalId)
            expect(verdicts(there)).toEqual(verdicts(here))
            compared++
          }
        } finally {
          source.close()
        }
      }
      expect(compared).toBe(192)
      expect(firstRuns).toBe(8)
      expect(firstRunsWithTeamBaseline).toBe(7)
      // baselines resolve over the pulled runs: branch:main is the newest main run of any runner
      const newestMain = target.listRuns({branch: 'main', limit: 1})[0]
      expect(target.resolveRunRef('branch:main')).toBe(Number(newestMain?.id.slice(1)))
      expect(target.resolveRunRef('latest~1')).toBe(199)
    } finally {
      target.close()
    }

    const again = await runCli(['history', 'pull', ref, '--db', merged, '--json'], {env: env(), timeoutMs: 120_000})
    expect(again.exitCode).toBe(0)
    expect(again.json).toMatchObject({listed: 200, known: 200, manifestsFetched: 0, fetched: 0, merged: []})

    // the planted secrets reach no pushed blob (every blob in the registry's storage, decompressed)
    const blobs = listFiles(path.join(reg.storageDir, 'docker/registry/v2/blobs')).filter((f) => path.basename(f) === 'data')
    expect(blobs.length).toBeGreaterThanOrEqual(200 * 2)
    let records = 0
    for (const blob of blobs) {
      const raw = readFileSync(blob)
      const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8')
      if (text.includes('"schema":"bakedoctor.run/v1"')) records++
      for (const secret of [...Object.values(PLANTED), PASSWORD]) expect(text).not.toContain(secret)
    }
    expect(records).toBe(200)
  }, 300_000)

  test('a run pushed twice is stored once: re-push, a pulled copy pushed back, and two racing pushes of the same runs', async () => {
    const ref = `${reg.host}/team/twice`
    const file = path.join(work, 'twice.db')
    await fillIndex(file, 4, {branch: 'main', startMs: T0})
    const [a, b] = await Promise.all([1, 2].map(() => runCli(['history', 'push', ref, '--db', file, '--json'], {env: env()})))
    expect(a?.exitCode).toBe(0)
    expect(b?.exitCode).toBe(0)
    const repo = path.join(reg.storageDir, 'docker/registry/v2/repositories/team/twice/_manifests')
    // both racers wrote the same bytes: one manifest per run
    expect(readdirSync(path.join(repo, 'tags'))).toHaveLength(4)
    expect(readdirSync(path.join(repo, 'revisions/sha256'))).toHaveLength(4)
    const connection = {cwd: work, env: {}, dockerConfigDir: goodConfig}
    expect(await pushHistory({...connection, db: file, ref})).toMatchObject({selected: 4, alreadyThere: 4, pushed: []})
    // pulled elsewhere and pushed back from there: still four runs
    const other = path.join(work, 'twice-other.db')
    const pulled = await pullHistory({...connection, db: other, ref})
    expect(pulled.merged).toHaveLength(4)
    // two indexes with their own random salts: secret markers cannot be compared, and pull says so
    expect(pulled.notes).toEqual([expect.stringMatching(/^4 pulled run\(s\) mask secrets with another index's salt: .*BAKEDOCTOR_SECRET_SALT/)])
    expect(await pushHistory({...connection, db: other, ref})).toMatchObject({selected: 4, alreadyThere: 4, pushed: []})
    expect(readdirSync(path.join(repo, 'revisions/sha256'))).toHaveLength(4)
    // and merging the same run twice (two refs holding it) keeps one copy
    const mirror = `${reg.host}/team/twice-mirror`
    expect((await pushHistory({...connection, db: other, ref: mirror})).pushed).toHaveLength(4)
    expect(await pullHistory({...connection, db: other, ref: mirror})).toMatchObject({listed: 4, known: 4, fetched: 0, merged: []})
    const store = await IndexStore.open(other, {readonly: true})
    expect(store.runCount()).toBe(4)
    store.close()
  }, 120_000)

  test('a corrupted or oversized record is refused with exit 2 and nothing is merged', async () => {
    const ref = `${reg.host}/team/damaged`
    const file = path.join(work, 'damaged-src.db')
    await fillIndex(file, 3, {branch: 'main', startMs: T0 + 3_600_000})
    const push = await runCli(['history', 'push', ref, '--db', file, '--json'], {env: env()})
    expect(push.exitCode).toBe(0)

    // oversized: larger than --max-record-size
    const small = path.join(work, 'damaged-small.db')
    const tooBig = await runCli(['history', 'pull', ref, '--db', small, '--max-record-size', '64'], {env: env()})
    expect(tooBig.exitCode).toBe(2)
    expect(tooBig.stderr).toMatch(/too large \(\d+ bytes > limit 64\)/)
    expect(tooBig.stderr).toContain(`${ref}:`)
    expect(await runCount(small)).toBe(0)

    // corrupted: one record's bytes altered in the registry's storage (same length)
    const pushed = (push.json as {pushed: Array<{globalId: string}>}).pushed
    const victim = await recordBlobOf(ref, pushed[1]?.globalId as string)
    const data = path.join(reg.storageDir, 'docker/registry/v2/blobs/sha256', victim.slice(7, 9), victim.slice(7), 'data')
    const bytes = readFileSync(data)
    bytes[bytes.length - 12] = (bytes[bytes.length - 12] as number) ^ 0xff
    writeFileSync(data, bytes)
    const corrupt = path.join(work, 'damaged-corrupt.db')
    const refused = await runCli(['history', 'pull', ref, '--db', corrupt], {env: env()})
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('does not match its digest')
    expect(refused.stderr).toContain(victim)
    expect(refused.stderr).toContain('nothing was merged')
    expect(await runCount(corrupt)).toBe(0)
  }, 120_000)

  test('runs with SLSA provenance travel whole: definitions, locations and the verdicts that use them', async () => {
    const ref = `${reg.host}/team/provenance`
    const src = path.join(work, 'prov-src.db')
    const dest = path.join(work, 'prov-dest.db')
    const connection = {cwd: work, env: {}, dockerConfigDir: goodConfig}
    const capture = (run: string) => path.join(PROJECT_ROOT, 'fixtures/provenance-0.11', run)
    for (const [run, files] of [['p2-warm', ['provenance.linux_amd64.json', 'provenance.linux_arm64.json']], ['p5-src-edit', ['provenance.json']], ['p7-run-edit', ['provenance.json']]] as const) {
      await ingestFile({file: path.join(capture(run), 'rawjson.json'), db: src, cwd: work, git: false, provenanceFiles: files.map((f) => path.join(capture(run), f))})
    }
    expect((await pushHistory({...connection, db: src, ref})).pushed).toHaveLength(3)
    expect((await pullHistory({...connection, db: dest, ref})).merged).toHaveLength(3)
    const a = await IndexStore.open(src, {readonly: true})
    const b = await IndexStore.open(dest, {readonly: true})
    try {
      let withDefinitions = 0
      for (const summary of a.listRuns()) {
        const there = b.resolveRunRef(summary.globalId as string)
        const run = a.getRun(Number(summary.id.slice(1)))
        withDefinitions += run.steps.filter((s) => s.provenance).length
        expect({...b.getRun(there), id: undefined}).toEqual({...run, id: undefined})
        expect(verdicts(await explainWithStore(b, {run: `r${there}`}))).toEqual(verdicts(await explainWithStore(a, {run: summary.id})))
      }
      expect(withDefinitions).toBeGreaterThan(10)
    } finally {
      a.close()
      b.close()
    }
  }, 120_000)

  test('ingest --push records the run and pushes it; the repository comes from bakedoctor.config.json', async () => {
    const project = path.join(work, 'project')
    mkdirSync(project)
    const ref = `${reg.host}/team/from-config`
    writeFileSync(path.join(project, 'bakedoctor.config.json'), JSON.stringify({history: ref}))
    const result = await runCli(['ingest', path.join(CAPTURES, 'b1-cold/rawjson.json'), '--no-git', '--push', '--json'], {cwd: project, env: env()})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const json = result.json as {run: {globalId: string}; history: {ref: string; pushed: Array<{globalId: string}>}}
    expect(json.history.ref).toBe(ref)
    expect(json.history.pushed.map((p) => p.globalId)).toEqual([json.run.globalId])
    expect(readdirSync(path.join(reg.storageDir, 'docker/registry/v2/repositories/team/from-config/_manifests/tags'))).toEqual([json.run.globalId])
  })

  test('an unauthenticated pull fails with a clear message and exit 1', async () => {
    const result = await runCli(['history', 'pull', `${reg.host}/team/shop-history`, '--db', path.join(work, 'anon.db')], {env: {DOCKER_CONFIG: emptyConfig}})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(`${reg.host} requires authentication for the tags of ${reg.host}/team/shop-history and no credentials were found for it (401)`)
    expect(result.stderr).toContain(`Fix: run docker login ${reg.host}`)
    expect(result.stderr).not.toContain(PASSWORD)
  })

  test('pull of 1,000 runs with 100 new fetches only the 100 (requests counted by a proxy)', async () => {
    const ref = `${reg.host}/team/thousand`
    const file = path.join(work, 'thousand-src.db')
    const dest = path.join(work, 'thousand-dest.db')
    const connection = {cwd: work, env: {}, dockerConfigDir: goodConfig}
    // small runs: what is counted is requests, not bytes
    await fillIndex(file, 900, {branch: 'main', startMs: T0, stepMs: 1_000, steps: 4})
    // the 900 older runs: written into the registry's storage as push writes them (pushing them
    // through the API would cost minutes of CI); the puller already has them (a copy of the index)
    const source = await IndexStore.open(file, {readonly: true})
    for (let id = 1; id <= 900; id++) {
      const artifact = runArtifact(source, id)
      seedArtifact(reg.storageDir, 'team/thousand', artifact.globalId, artifact.manifest('oci-1.1'), [EMPTY_CONFIG, artifact.gz])
    }
    source.close()
    copyFileSync(file, dest)
    await fillIndex(file, 100, {branch: 'main', startMs: T0 + 2_000_000, stepMs: 1_000, steps: 4})
    expect((await pushHistory({...connection, db: file, ref})).pushed).toHaveLength(100)

    const proxy = await countingProxy(reg.host)
    try {
      const viaProxy = `${proxy.host}/team/thousand`
      writeFileSync(path.join(goodConfig, 'config.json'), JSON.stringify({auths: {
        [reg.host]: {auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64')},
        [proxy.host]: {auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64')},
      }}))
      const result = await pullHistory({...connection, db: dest, ref: viaProxy})
      expect(result).toMatchObject({listed: 1000, known: 900, manifestsFetched: 100, fetched: 100})
      expect(result.merged).toHaveLength(100)
      const ok = (kind: string) => proxy.counts.get(`${kind} 200`) ?? 0
      expect(ok('GET tags')).toBe(1)
      expect(ok('GET manifests')).toBe(100)
      expect(ok('GET blobs')).toBe(100)
      // nothing else but the one 401 that asked for credentials
      const other = [...proxy.counts].filter(([k]) => !['GET tags 200', 'GET manifests 200', 'GET blobs 200', 'GET tags 401'].includes(k))
      expect(other).toEqual([])
      expect(await runCount(dest)).toBe(1000)
    } finally {
      await proxy.close()
    }
  }, 300_000)

  /** The record layer of a run's manifest, read straight from the registry's storage. */
  async function recordBlobOf(ref: string, tag: string): Promise<string> {
    const repo = ref.slice(reg.host.length + 1)
    const link = path.join(reg.storageDir, 'docker/registry/v2/repositories', repo, '_manifests/tags', tag, 'current/link')
    const digest = readFileSync(link, 'utf8').trim()
    const manifest = JSON.parse(readFileSync(path.join(reg.storageDir, 'docker/registry/v2/blobs/sha256', digest.slice(7, 9), digest.slice(7), 'data'), 'utf8'))
    return manifest.layers[0].digest as string
  }
})

async function runCount(file: string): Promise<number> {
  try {
    statSync(file)
  } catch {
    return 0
  }
  const store = await IndexStore.open(file, {readonly: true})
  try {
    return store.runCount()
  } finally {
    store.close()
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

/** A loopback HTTP proxy in front of the registry that counts requests by method, endpoint and status. */
async function countingProxy(upstream: string): Promise<{host: string; counts: Map<string, number>; close(): Promise<void>}> {
  const counts = new Map<string, number>()
  const [upHost, upPort] = upstream.split(':')
  const server: Server = createServer((req, res) => {
    const kind = /\/tags\/list/.test(req.url ?? '') ? 'tags' : /\/manifests\//.test(req.url ?? '') ? 'manifests' : /\/blobs\//.test(req.url ?? '') ? 'blobs' : 'other'
    const up = httpRequest({host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers}, (upRes) => {
      const key = `${req.method} ${kind} ${upRes.statusCode}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
      res.writeHead(upRes.statusCode ?? 502, upRes.headers)
      upRes.pipe(res)
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as {port: number}
  return {host: `127.0.0.1:${address.port}`, counts, close: () => new Promise((resolve) => server.close(() => resolve()))}
}
