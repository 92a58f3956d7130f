import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import type {Explanation} from '../../src/domain/explain/types.js'
import {explainRun} from '../../src/services/explain.js'
import {ingestFile, type IngestOptions} from '../../src/services/ingest.js'
import {PROJECT_ROOT} from '../helpers/cli.js'
import {compareWithTable, readTable, type LineResult} from './verdict-table.js'

/**
 * The truth suite (issue #15): every capture pair shipped in fixtures/ and test/fixtures/ is recorded
 * the way a user would (ingest, then explain against its baseline) and its verdicts are compared with
 * a hand-written table (tables/*.truth) whose truth comes from the capture's README and the known
 * change. `open` lists the lines the program still gets wrong, with the issue item that fixes them:
 * every other line must be right.
 */
interface Capture extends Omit<IngestOptions, 'db' | 'cwd' | 'git' | 'file'> {
  file: string
}
interface TruthCase {
  name: string
  /** recorded in this order; the last is explained */
  runs: Capture[]
  /** explain against this run (index in `runs`); default: the baseline bakedoctor picks */
  against?: number
  /** the run's baseline must be this one (index in `runs`) */
  baseline?: number
  table: string
  /** hits / cacheable as the capture's README gives them */
  totals?: {hits: number; cacheable: number; notRun?: number}
  /** table lines (by step) still wrong, and the issue item that fixes them */
  open?: Record<string, string>
}

const bk = (run: string, extra: Partial<Capture> = {}): Capture => ({
  file: `fixtures/buildkit-0.11-rawjson/${run}/rawjson.json`, target: 'api',
  ...(run === 'r10-failed' ? {} : {metadataFile: `fixtures/buildkit-0.11-rawjson/${run}/metadata.json`}), ...extra,
})
const bake = (run: string): Capture => ({file: `fixtures/bake-0.10-rawjson/${run}/rawjson.json`, metadataFile: `fixtures/bake-0.10-rawjson/${run}/metadata.json`})
const prov = (run: string, extra: Partial<Capture> = {}): Capture => {
  const dir = `fixtures/provenance-0.11/${run}`
  const files = run === 'p12-failed' ? [] : ['p5-src-edit', 'p7-run-edit'].includes(run) ? [`${dir}/provenance.json`] : [`${dir}/provenance.linux_amd64.json`, `${dir}/provenance.linux_arm64.json`]
  return {file: `${dir}/rawjson.json`, ...(run === 'p12-failed' ? {} : {metadataFile: `${dir}/metadata.json`}), provenanceFiles: files, ...extra}
}
const engine = (file: string, extra: Partial<Capture> = {}): Capture => ({file: `test/fixtures/engine-20.10/${file}`, ...extra})

const withDockerfile = {dockerfile: 'test/fixtures/engine-20.10/cli-session.Dockerfile'}

const CASES: TruthCase[] = [
  {name: 'rawjson r2-warm-remote vs r1-cold', runs: [bk('r1-cold'), bk('r2-warm-remote')], baseline: 0, table: 'r2-warm-remote', totals: {hits: 18, cacheable: 18}},
  {name: 'rawjson r3-code-change vs r2-warm-remote', runs: [bk('r2-warm-remote'), bk('r3-code-change')], baseline: 0, table: 'r3-code-change', totals: {hits: 5, cacheable: 18}},
  {name: 'rawjson r6-base-moved vs r3-code-change', runs: [bk('r3-code-change'), bk('r6-base-moved')], baseline: 0, table: 'r6-base-moved', totals: {hits: 0, cacheable: 18}},
  {
    name: 'rawjson r10-failed (linux/amd64) vs the last run that built linux/amd64', runs: [bk('r6-base-moved'), bk('r10-failed', {platform: 'linux/amd64'})],
    baseline: 0, table: 'r10-failed', totals: {hits: 5, cacheable: 8, notRun: 1},
  },
  {name: 'rawjson s1-multi-max (cold, no import) vs r6-base-moved', runs: [bk('r6-base-moved'), bk('s1-multi-max')], against: 0, table: 's1-multi-max', totals: {hits: 0, cacheable: 18}},
  {name: 'bake b3-worker-edit vs b1-cold', runs: [bake('b1-cold'), bake('b3-worker-edit')], baseline: 0, table: 'b3-worker-edit', totals: {hits: 26, cacheable: 32}},
  {
    name: 'engine stream cli-session run3 vs run2', table: 'cli-session-run3',
    runs: [engine('cli-session-run2.engine.jsonl', withDockerfile), engine('cli-session-run3.engine.jsonl', withDockerfile)], baseline: 0, totals: {hits: 0, cacheable: 3},
  },
  {
    name: 'plain log cli-session run3 vs run2', table: 'cli-session-run3-plain',
    runs: [engine('cli-session-run2.plain.txt', withDockerfile), engine('cli-session-run3.plain.txt', withDockerfile)], baseline: 0, totals: {hits: 0, cacheable: 3},
  },
  {name: 'provenance p2-warm vs p1-cold', runs: [prov('p1-cold'), prov('p2-warm')], baseline: 0, table: 'p2-warm', totals: {hits: 16, cacheable: 16}},
  {name: 'provenance p3-build-mode vs p2-warm', runs: [prov('p2-warm'), prov('p3-build-mode')], baseline: 0, table: 'p3-build-mode', totals: {hits: 6, cacheable: 16}},
  {name: 'provenance p5-src-edit (linux/amd64) vs the last linux/amd64 run', runs: [prov('p3-build-mode'), prov('p5-src-edit')], baseline: 0, table: 'p5-src-edit', totals: {hits: 5, cacheable: 8}},
  {name: 'provenance p7-run-edit vs p5-src-edit', runs: [prov('p5-src-edit'), prov('p7-run-edit')], baseline: 0, table: 'p7-run-edit', totals: {hits: 7, cacheable: 8}},
  {name: 'provenance p12-failed vs p7-run-edit', runs: [prov('p7-run-edit'), prov('p12-failed', {platform: 'linux/amd64'})], baseline: 0, table: 'p12-failed', totals: {hits: 7, cacheable: 8, notRun: 1}},
  {name: 'engine stream (tar context) rerun vs first run', runs: [engine('engine-build-stream.jsonl'), engine('engine-build-stream-rerun-cached.jsonl')], baseline: 0, table: 'engine-build-stream-rerun', totals: {hits: 3, cacheable: 3}},
]

let dir: string
const results: {name: string; lines: LineResult[]; unexpected: string[]; open: Record<string, string>}[] = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-truth-'))
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
  const scored = results.flatMap((r) => r.lines.filter((l) => l.expected.verdict !== '?'))
  const right = scored.filter((l) => l.right).length
  const unknown = results.flatMap((r) => r.lines.filter((l) => l.expected.verdict === '?'))
  const report = [`truth suite: ${right}/${scored.length} verdicts right${unknown.length ? ` (${unknown.length} miss(es) whose cause the captures do not tell: not scored)` : ''}`]
  for (const r of results) {
    for (const l of r.lines) if (!l.right && l.expected.verdict !== '?') report.push(`  WRONG ${r.name}: ${l.expected.step}: want ${l.expected.verdict} ${l.expected.evidence.join('; ')}, got ${l.got}${r.open[l.expected.step] ? ` [open: ${r.open[l.expected.step]}]` : ''}`)
    for (const u of r.unexpected) report.push(`  UNLISTED ${r.name}: ${u}`)
  }
  console.log(report.join('\n'))
})

describe('truth suite: hand-written verdict tables for every shipped capture pair', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const db = path.join(dir, `${c.table}.db`)
      const ids: string[] = []
      for (const r of c.runs) {
        const {run} = await ingestFile({
          ...r, file: path.join(PROJECT_ROOT, r.file), metadataFile: r.metadataFile && path.join(PROJECT_ROOT, r.metadataFile),
          provenanceFiles: r.provenanceFiles?.map((f) => path.join(PROJECT_ROOT, f)), dockerfile: r.dockerfile && path.join(PROJECT_ROOT, r.dockerfile), db, cwd: dir, git: false,
        })
        ids.push(run.id)
      }
      const ex: Explanation = await explainRun({db, cwd: dir, run: ids.at(-1), against: c.against !== undefined ? ids[c.against] : undefined})
      if (c.baseline !== undefined) expect(ex.baseline?.id, 'the baseline bakedoctor picks').toBe(ids[c.baseline])
      if (c.totals) {
        expect({hits: ex.totals.hits, cacheable: ex.totals.cacheable, notRun: ex.totals.notRun}).toEqual({notRun: undefined, ...c.totals})
        const store = await IndexStore.open(db, {readonly: true})
        try {
          const summary = store.getSummary(store.resolveRunRef(ids.at(-1)!))
          expect({hits: summary.hits, cacheable: summary.cacheable}).toEqual({hits: c.totals.hits, cacheable: c.totals.cacheable})
        } finally {
          store.close()
        }
      }
      const table = readTable(path.join(PROJECT_ROOT, 'test/truth/tables', `${c.table}.truth`))
      const {lines, unexpected} = compareWithTable(ex, table)
      results.push({name: c.name, lines, unexpected, open: c.open ?? {}})
      const mustBeRight = lines.filter((l) => l.expected.verdict !== '?' && !c.open?.[l.expected.step])
      expect(mustBeRight.filter((l) => !l.right).map((l) => `${l.expected.step}: want ${l.expected.verdict} [${l.expected.evidence.join('; ')}], got ${l.got}`)).toEqual([])
      expect(unexpected, 'verdicts for steps the table does not list').toEqual([])
    })
  }

  it('a .dockerbuild bundle reports the real error of its failed record (SNHBPN+3: a Dockerfile parse error; its siblings were cancelled)', async () => {
    const db = path.join(dir, 'snhbpn.db')
    const {run} = await ingestFile({file: path.join(PROJECT_ROOT, 'test/fixtures/dockerbuild/docker~test-docker-action~SNHBPN+3.dockerbuild'), db, cwd: dir, git: false})
    expect(run).toMatchObject({status: 'failed', error: 'summary-error: dockerfile parse error on line 2: unknown instruction: ARGGG (did you mean ARG?)', platforms: ['linux/amd64']})
  })
})
