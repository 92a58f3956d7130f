/**
 * Issue #16 "must show" on the real BuildKit v0.11.6 captures (fixtures/provenance-0.11). Every
 * expectation is written from the capture's README and CHANGE.md (the change made before each run),
 * not from program output:
 * - p3 vs p2: `build 5/5` missed because BUILD_MODE release → debug (exec env), Dockerfile line 12;
 *   `stage-2 2/2` cascades. arm64: the cache ref re-exported by the fully cached p2 kept no result
 *   for the arm64 steps; their definitions (and their parents') equal p2's → proven cache-unavailable.
 *   (The data adds one thing the README glosses over: the arm64 `build 5/5` RUN's env also has
 *   BUILD_MODE=debug — the build arg applies to both platforms — so that step and `stage-2 2/2`
 *   descend from a proven cache-unavailable root with BUILD_MODE listed as their own change.)
 * - p5 vs p3 (amd64): the LLB is unchanged but src/cart.txt was edited: `build 4/5 COPY src/` is the
 *   build context's content (Dockerfile line 10), not a proven cache-unavailable; `build 5/5` and
 *   `stage-2 2/2` cascade. PKG_MIRROR changed (in p4) and the deps RUN (line 5) hit: the run diff
 *   shows it, no verdict blames it.
 * - p7 vs p5: the build RUN's command changed (`> shop.sha256` → `| tee shop.sha256`, line 12);
 *   VERSION changed too (p6) but is blamed for nothing; `stage-2 2/2` hit.
 * - p12: `build 5/5` failed with `process "/bin/sh -c cat …" did not complete successfully: exit code: 1`.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import type {Explanation, StepExplanation} from '../../src/domain/explain/types.js'
import {diffRuns} from '../../src/domain/diff/diff-runs.js'
import {explainWithStore} from '../../src/services/explain.js'
import {ingestFile} from '../../src/services/ingest.js'
import {dockerbuildFromCapture} from '../helpers/dockerbuild-bundle.js'
import {FIXTURES} from '../helpers/fixtures.js'

const dir = (run: string) => path.join(FIXTURES, 'provenance-0.11', run)
const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-prov-explain-'))
const PROVENANCE: Record<string, Record<string, string>> = {
  'p2-warm': {'linux/amd64': 'provenance.linux_amd64.json', 'linux/arm64': 'provenance.linux_arm64.json'},
  'p3-build-mode': {'linux/amd64': 'provenance.linux_amd64.json', 'linux/arm64': 'provenance.linux_arm64.json'},
  'p5-src-edit': {'linux/amd64': 'provenance.json'},
  'p7-run-edit': {'linux/amd64': 'provenance.json'},
}
const predicate = (run: string, file: string) => (JSON.parse(readFileSync(path.join(dir(run), file), 'utf8')) as {predicate: unknown}).predicate

type Form = 'provenance' | 'dockerbuild' | 'metadata'

/** Ingests the runs in the given form; returns their ids by run name. */
async function ingestAll(form: Form, runs: string[]): Promise<{db: string; ids: Record<string, string>}> {
  const work = tmp()
  const db = path.join(work, 'index.db')
  const ids: Record<string, string> = {}
  for (const run of runs) {
    const files = PROVENANCE[run] ?? {}
    const rawjson = path.join(dir(run), 'rawjson.json')
    // p12 wrote no provenance and no metadata: its platform is in its command line (args)
    const platform = run === 'p12-failed' ? 'linux/amd64' : undefined
    let res
    if (form === 'provenance' || run === 'p12-failed') {
      res = await ingestFile({file: rawjson, db, cwd: work, git: false, platform, provenanceFiles: Object.values(files).map((f) => path.join(dir(run), f))})
    } else if (form === 'dockerbuild') {
      const bundle = path.join(work, `${run}.dockerbuild`)
      writeFileSync(bundle, await dockerbuildFromCapture(rawjson, Object.values(files).map((f) => predicate(run, f)), {ref: run, platforms: Object.keys(files), createdAt: '2026-12-06T01:40:00Z', completedAt: '2026-12-06T01:40:05Z'}))
      res = await ingestFile({file: bundle, db, cwd: work, git: false})
    } else {
      // what buildx writes with BUILDX_METADATA_PROVENANCE=max: the predicate per platform next to the rest
      const meta = JSON.parse(readFileSync(path.join(dir(run), 'metadata.json'), 'utf8')) as Record<string, unknown>
      const keys = Object.entries(files)
      for (const [p, f] of keys) meta[keys.length > 1 ? `buildx.build.provenance/${p}` : 'buildx.build.provenance'] = predicate(run, f)
      const file = path.join(work, `${run}.metadata.json`)
      writeFileSync(file, JSON.stringify(meta))
      res = await ingestFile({file: rawjson, db, cwd: work, git: false, metadataFile: file})
    }
    ids[run] = res.run.id
  }
  return {db, ids}
}

async function explain(db: string, run: string, against: string): Promise<Explanation> {
  const store = await IndexStore.open(db, {readonly: true})
  try {
    return explainWithStore(store, {run, against})
  } finally {
    store.close()
  }
}

const at = (ex: Explanation, platform: string, stage: string, index: number): StepExplanation => {
  const s = ex.steps.find((x) => x.platform === platform && x.stage === stage && x.index === index)
  if (!s) throw new Error(`no step ${platform} ${stage} ${index}`)
  return s
}
const everything = (ex: Explanation) => JSON.stringify(ex.steps.map((s) => [s.evidence, s.advice]))

describe.each<Form>(['provenance', 'dockerbuild', 'metadata'])('provenance-0.11 verdicts from the %s form', (form) => {
  it('p3 vs p2: amd64 build 5/5 arg-changed BUILD_MODE release → debug at Dockerfile:12; every arm64 miss comes down to a proven cache-unavailable', async () => {
    const {db, ids} = await ingestAll(form, ['p2-warm', 'p3-build-mode'])
    const ex = await explain(db, ids['p3-build-mode']!, ids['p2-warm']!)
    const run = at(ex, 'linux/amd64', 'build', 5)
    expect(run.verdict).toBe('arg-changed')
    expect(run.root).toBe(true)
    expect(run.evidence?.args).toEqual([{name: 'BUILD_MODE', old: 'release', new: 'debug'}])
    expect(run.evidence?.summary).toBe('BUILD_MODE: release → debug (Dockerfile:12)')
    expect(run.dockerfileLine).toBe(12)
    expect(at(ex, 'linux/amd64', 'stage-2', 2)).toMatchObject({verdict: 'upstream-invalidated', rootCause: run.key})
    for (const [stage, index] of [['deps', 2], ['deps', 3], ['deps', 4], ['build', 2], ['build', 3], ['build', 4]] as const) {
      expect(at(ex, 'linux/amd64', stage, index).cached).toBe(true)
    }

    const arm = ex.steps.filter((s) => s.platform === 'linux/arm64')
    expect(arm).toHaveLength(8)
    expect(arm.every((s) => !s.cached)).toBe(true)
    const armRoots = arm.filter((s) => s.root)
    expect(armRoots.map((s) => `${s.stage} ${s.index}`).sort()).toEqual(['build 2', 'build 3', 'build 4', 'deps 2', 'deps 3', 'deps 4'])
    for (const s of armRoots) {
      expect(s.verdict).toBe('cache-unavailable')
      expect(s.evidence?.summary).toMatch(new RegExp(`^proven: definition identical to ${ids['p2-warm']}'s \\(Dockerfile:\\d+\\)`))
    }
    // p2 took every arm64 step from the cache and re-exported: the README's cause (cache thinning), as a likely reason
    expect(at(ex, 'linux/arm64', 'deps', 2).evidence?.cache?.reasons[0]).toMatch(new RegExp(`^likely cache thinning: ${ids['p2-warm']} took this step from the imported cache without running it, then exported cache`))
    expect(at(ex, 'linux/arm64', 'deps', 2).advice).toMatch(/export each build to its own tag/)
    // context copies are proven by their amd64 twins, which hit in the same build
    expect(at(ex, 'linux/arm64', 'build', 4).evidence?.summary).toContain('the same copy of the build context hit on linux/amd64 in this build')
    expect(at(ex, 'linux/arm64', 'build', 4).evidence?.summary).toContain('(Dockerfile:10)')
    // the arm64 RUN of line 12 descends from the proven-unavailable COPY src/ and names its own BUILD_MODE change
    const armRun = at(ex, 'linux/arm64', 'build', 5)
    expect(armRun.verdict).toBe('upstream-invalidated')
    expect(armRun.rootCause).toBe(at(ex, 'linux/arm64', 'build', 4).key)
    expect(armRun.evidence?.summary).toContain('BUILD_MODE: release → debug (Dockerfile:12)')
    expect(at(ex, 'linux/arm64', 'stage-2', 2)).toMatchObject({verdict: 'upstream-invalidated', rootCause: at(ex, 'linux/arm64', 'build', 4).key})
  })

  it('p5 vs p3 (amd64): COPY src/ is the build context\'s content, not a proven cache-unavailable; PKG_MIRROR in the run diff, blamed for no miss', async () => {
    const {db, ids} = await ingestAll(form, ['p3-build-mode', 'p5-src-edit'])
    const ex = await explain(db, ids['p5-src-edit']!, ids['p3-build-mode']!)
    const copy = at(ex, 'linux/amd64', 'build', 4)
    expect(copy.verdict).toBe('context-changed')
    expect(copy.root).toBe(true)
    expect(copy.evidence?.summary).toContain('`COPY src/ ./src/` (Dockerfile:10)')
    expect(copy.evidence?.summary).toMatch(/either the content of \/src in the build context changed, or the cache held no result for it/)
    expect(copy.evidence?.summary).not.toMatch(/proven/)
    expect(copy.evidence?.missing?.join(' ')).toMatch(/what tells them apart/)
    for (const [stage, index] of [['build', 5], ['stage-2', 2]] as const) expect(at(ex, 'linux/amd64', stage, index)).toMatchObject({verdict: 'upstream-invalidated', rootCause: copy.key})
    expect(ex.steps.filter((s) => s.verdict).map((s) => s.key).sort()).toEqual([copy.key, at(ex, 'linux/amd64', 'build', 5).key, at(ex, 'linux/amd64', 'stage-2', 2).key].sort())
    const depsRun = at(ex, 'linux/amd64', 'deps', 4)
    expect(depsRun.cached).toBe(true)
    expect(everything(ex)).not.toContain('PKG_MIRROR')

    const store = await IndexStore.open(db, {readonly: true})
    try {
      const diff = diffRuns(store.getRun(store.resolveRunRef(ids['p3-build-mode']!)), store.getRun(store.resolveRunRef(ids['p5-src-edit']!)))
      expect(diff.inputs).toContainEqual(expect.objectContaining({key: depsRun.key, kind: 'env', name: 'PKG_MIRROR', old: 'https://pkgs.shop.internal/simple', new: 'https://mirror2.shop.internal/simple'}))
    } finally {
      store.close()
    }
  })

  it('p7 vs p5: the RUN\'s command word diff at Dockerfile:12; VERSION blamed for nothing; stage-2 hit', async () => {
    const {db, ids} = await ingestAll(form, ['p5-src-edit', 'p7-run-edit'])
    const ex = await explain(db, ids['p7-run-edit']!, ids['p5-src-edit']!)
    const run = at(ex, 'linux/amd64', 'build', 5)
    expect(run.verdict).toBe('instruction-changed')
    expect(run.evidence?.summary).toBe('command changed (Dockerfile:12)')
    expect(run.evidence?.instruction?.diff).toContain('sha256sum shop.bundle [->-]{+|+} {+tee +}shop.sha256')
    expect(ex.rootCauses).toHaveLength(1)
    expect(at(ex, 'linux/amd64', 'stage-2', 2).cached).toBe(true)
    expect(everything(ex)).not.toContain('VERSION')
  })

  it('p12: build 5/5 failed with the real error', async () => {
    const {db, ids} = await ingestAll(form, ['p7-run-edit', 'p12-failed'])
    const ex = await explain(db, ids['p12-failed']!, ids['p7-run-edit']!)
    const run = at(ex, 'linux/amd64', 'build', 5)
    expect(run.verdict).toBe('failed')
    expect(run.evidence?.summary).toMatch(/process "\/bin\/sh -c cat src\/\*\.txt vendor\/resolved\.txt vendor\/checksums\.txt .*" did not complete successfully: exit code: 1/)
    expect(run.evidence?.error?.logTail.join('\n')).toContain("can't open 'vendor/checksums.txt'")
    expect(at(ex, 'linux/amd64', 'stage-2', 2).verdict).toBeUndefined()
  })
})

describe('a context copy with an identical definition, decided by evidence', () => {
  it('a failed cache import is the evidence for cache-unavailable (p5 vs p3 with p5\'s import failing)', async () => {
    const {db, ids} = await ingestAll('provenance', ['p3-build-mode', 'p5-src-edit'])
    const store = await IndexStore.open(db, {readonly: true})
    try {
      const base = store.getRun(store.resolveRunRef(ids['p3-build-mode']!))
      const run = store.getRun(store.resolveRunRef(ids['p5-src-edit']!))
      const importError = 'failed to resolve source metadata for 127.0.0.1:5001/shop/cache:main: connection refused'
      const failing = {...run, steps: run.steps.map((s) => (s.internal && s.instruction.startsWith('importing cache manifest from ') ? {...s, error: importError} : s))}
      const {explainRun} = await import('../../src/domain/explain/explain-run.js')
      const copy = explainRun(failing, base).steps.find((s) => s.stage === 'build' && s.index === 4)!
      expect(copy.verdict).toBe('cache-unavailable')
      expect(copy.evidence?.summary).toContain(`the cache import failed (127.0.0.1:5001/shop/cache:main: ${importError})`)
      expect(copy.evidence?.summary).toContain('`COPY src/ ./src/` (Dockerfile:10)')
    } finally {
      store.close()
    }
  })
})
