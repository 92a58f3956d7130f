/**
 * Issue #17: the explanation stored with the latest run (adapters/db/stored-explanation.ts) is read
 * back only while it is what explaining now would give, and then gives exactly that. Real captures:
 * provenance-0.11 p2-warm → p3-build-mode (BUILD_MODE changed: amd64 `build 5/5` missed, every arm64
 * step missed), p12-failed (a failed build); bake-0.10 b1-cold → b3-worker-edit (worker's COPY).
 *
 * How a test knows the stored copy was used: the stored body is replaced by a marked one (a write to
 * `stored_explanation` itself does not move the generation), so an answer carrying the mark came
 * from the store and one without it was computed.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {createRequire} from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import {describe, expect, it} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import {GENERATION_TABLES, INSERT_NEEDS_NO_BUMP} from '../../src/adapters/db/migrations.js'
import type {Explanation} from '../../src/domain/explain/types.js'
import {renderExplanationMarkdown, renderExplanationText} from '../../src/output/explain-text.js'
import {renderGateText} from '../../src/output/gate-text.js'
import {explainRun, explainWithStore, storeExplanation} from '../../src/services/explain.js'
import {runGate} from '../../src/services/gate.js'
import {ingestFile} from '../../src/services/ingest.js'
import {recordRun} from '../../src/services/record.js'
import {bakeCapture, FIXTURES, foldFile} from '../helpers/fixtures.js'

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3
const MARK = 'read back from the stored explanation'
const prov = (run: string) => path.join(FIXTURES, 'provenance-0.11', run, 'rawjson.json')

async function indexWith(files: string[]): Promise<{db: string; cwd: string; ids: string[]}> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'bd-stored-'))
  const db = path.join(cwd, 'index.db')
  const ids: string[] = []
  for (const file of files) ids.push((await ingestFile({file, db, cwd, git: false})).run.id)
  return {db, cwd, ids}
}

function sql<T>(db: string, use: (d: BetterSqlite3.Database) => T): T {
  const d = new Sqlite(db)
  d.pragma('foreign_keys = OFF')
  try {
    return use(d)
  } finally {
    d.close()
  }
}

const storedRow = (db: string) => sql(db, (d) => d.prepare('SELECT run_id, baseline_id, generation, version, body FROM stored_explanation').get() as
  {run_id: number; baseline_id: number | null; generation: number; version: string; body: string} | undefined)
const generation = (db: string) => sql(db, (d) => (d.prepare('SELECT n FROM index_generation').get() as {n: number}).n)
/** replaces the stored explanation (whole, and the gate's view) by marked copies (not a write the generation counts) */
const markStored = (db: string) => sql(db, (d) => {
  for (const part of ['body', 'gate_view']) {
    const {json} = d.prepare(`SELECT ${part} AS json FROM stored_explanation`).get() as {json: string}
    const marked = JSON.parse(json) as Explanation
    marked.notes = [...marked.notes, MARK]
    d.prepare(`UPDATE stored_explanation SET ${part} = ?`).run(JSON.stringify(marked))
  }
})
const fromStore = (ex: Explanation) => ex.notes.includes(MARK)

describe('the stored explanation', () => {
  it('ingest stores the new run\'s explanation against its baseline; explain and gate read it back', async () => {
    const {db, cwd, ids} = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    expect(ids).toEqual(['r1', 'r2'])
    const row = storedRow(db)!
    expect({run: row.run_id, baseline: row.baseline_id, current: row.generation === generation(db)}).toEqual({run: 2, baseline: 1, current: true})
    markStored(db)
    expect(fromStore(await explainRun({db, cwd}))).toBe(true)
    expect(fromStore(await explainRun({db, cwd, run: 'r2', against: 'r1'}))).toBe(true)
    // the gate's explainer, through the same store
    let gateSawStored = false
    const gate = await runGate({db, cwd, rules: {minHitRate: 99}, useConfig: false, explain: async (o) => {
      const store = await IndexStore.open(o.db, {readonly: true})
      try {
        const ex = await explainWithStore(store, {run: o.run, against: o.against, timeWeighted: false, logs: 'none', stepsListed: 'root causes'})
        gateSawStored = fromStore(ex)
        // the gate's view: every root cause, and of the steps only theirs
        expect(ex.rootCauses.length).toBeGreaterThan(0)
        expect(new Set(ex.steps.map((s) => s.key))).toEqual(new Set(ex.rootCauses.map((r) => r.key)))
        expect(ex.steps.every((s) => s.root)).toBe(true)
        return ex
      } finally {
        store.close()
      }
    }})
    expect(gate.outcome).toBe('fail')
    expect(gateSawStored).toBe(true)
  })

  it('a first run (no baseline) is not stored: explaining it reads one run and runs no rules against a baseline', async () => {
    const {db, cwd} = await indexWith([prov('p2-warm')])
    expect(storedRow(db)).toBeUndefined()
    const ex = await explainRun({db, cwd})
    expect(ex.baseline).toBeUndefined()
    expect(ex.firstRun?.length).toBeGreaterThan(0)
  })

  it('a run over the step bound is explained when asked, not at ingest (memory: it reads both runs whole)', async () => {
    const {db, cwd} = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    sql(db, (d) => d.prepare('DELETE FROM stored_explanation').run())
    const steps = sql(db, (d) => (d.prepare('SELECT step_count FROM runs WHERE id = 2').get() as {step_count: number}).step_count)
    const store = await IndexStore.open(db)
    try {
      expect(await storeExplanation(store, 'r2', {maxSteps: steps - 1})).toBe(false)
      expect(storedRow(db)).toBeUndefined()
      expect(await storeExplanation(store, 'r2', {maxSteps: steps})).toBe(true)
    } finally {
      store.close()
    }
    expect(storedRow(db)).toMatchObject({run_id: 2})
    expect((await explainRun({db, cwd})).run.id).toBe('r2')
  })

  it('the gate takes the run\'s per-group totals stored with it, unless it filters or weighs by time', async () => {
    const {db, cwd} = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    const gate = (extra: Partial<Parameters<typeof runGate>[0]> = {}) => runGate({db, cwd, rules: {minHitRate: 99, per: ['overall', 'target-platform']}, useConfig: false, ...extra})
    expect((await gate()).outcome).toBe('fail')
    // stored groups that say every step hit: a gate that reads them passes
    sql(db, (d) => {
      const {gate_groups: text} = d.prepare('SELECT gate_groups FROM stored_explanation').get() as {gate_groups: string}
      const groups = JSON.parse(text) as {totals: {cacheable: number; hits: number; misses: number; hitRate: number}}[]
      for (const g of groups) Object.assign(g.totals, {hits: g.totals.cacheable, misses: 0, hitRate: 1})
      d.prepare('UPDATE stored_explanation SET gate_groups = ?').run(JSON.stringify(groups))
    })
    expect((await gate()).outcome).toBe('pass')
    expect((await gate({platform: 'linux/amd64'})).outcome).toBe('fail')
    expect((await gate({rules: {minHitRate: 99, minTimeSavedRate: 1}})).outcome).toBe('fail')
    sql(db, (d) => d.prepare('UPDATE runs SET labels = labels WHERE id = 1').run())
    expect((await gate()).outcome).toBe('fail')
  })

  it('is not used for another baseline, another build, registry facts or every log tail', async () => {
    const {db, cwd} = await indexWith([prov('p1-cold'), prov('p2-warm'), prov('p3-build-mode')])
    expect(storedRow(db)).toMatchObject({run_id: 3, baseline_id: 2})
    markStored(db)
    expect(fromStore(await explainRun({db, cwd, run: 'r3', against: 'r1'}))).toBe(false)
    expect(fromStore(await explainRun({db, cwd, run: 'r2'}))).toBe(false)
    expect(fromStore(await explainRun({db, cwd, logs: 'all'}))).toBe(false)
    expect(fromStore(await explainRun({db, cwd, cacheFacts: {}}))).toBe(false)
    const store = await IndexStore.open(db, {readonly: true})
    try {
      expect(fromStore(await explainWithStore(store, {version: 'another build'}))).toBe(false)
      expect(fromStore(await explainWithStore(store, {}))).toBe(true)
    } finally {
      store.close()
    }
  })

  it('goes stale on any later write: another ingest (even of an older build), a cache snapshot, a changed row', async () => {
    const {db, cwd} = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    markStored(db)
    // a run ingested after it (out of order: the cold build that came first) stores its own
    await ingestFile({file: prov('p1-cold'), db, cwd, git: false})
    expect(storedRow(db)).toMatchObject({run_id: 3})
    expect(fromStore(await explainRun({db, cwd, run: 'r2'}))).toBe(false)

    const again = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    markStored(again.db)
    const store = await IndexStore.open(again.db)
    try {
      store.saveCacheSnapshot('127.0.0.1:5001/shop/cache:main', {manifests: []})
    } finally {
      store.close()
    }
    expect(fromStore(await explainRun({db: again.db, cwd}))).toBe(false)

    const third = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    markStored(third.db)
    sql(third.db, (d) => d.prepare('UPDATE runs SET git_branch = ? WHERE id = 1').run('feature/x'))
    expect(fromStore(await explainRun({db: third.db, cwd}))).toBe(false)
  })

  it('every table an explanation reads moves the generation on update and delete, and on insert unless content-addressed', async () => {
    const {db} = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    const tables = sql(db, (d) => (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {name: string}[]).map((t) => t.name))
    const explained = tables.filter((t) => !GENERATION_TABLES.has(t))
    expect(explained).toEqual(expect.arrayContaining(['runs', 'run_steps', 'step_inputs', 'step_provenance', 'texts', 'step_defs', 'plans', 'settings', 'cache_snapshots']))
    const triggers = sql(db, (d) => (d.prepare("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {tbl_name: string; sql: string}[]))
    for (const table of explained) {
      const ops = triggers.filter((t) => t.tbl_name === table && /UPDATE index_generation SET n = n \+ 1/.test(t.sql)).map((t) => /AFTER (\w+)/.exec(t.sql)![1])
      expect({table, ops: ops.sort()}).toEqual({table, ops: INSERT_NEEDS_NO_BUMP.has(table) ? ['DELETE', 'UPDATE'] : ['DELETE', 'INSERT', 'UPDATE']})
    }
    // and they fire: a real update, then a delete, in every table that has a row
    const store = await IndexStore.open(db)
    store.saveCacheSnapshot('127.0.0.1:5001/shop/cache:main', {manifests: []}, 2)
    store.close()
    let tried = 0
    for (const table of explained) {
      const column = sql(db, (d) => (d.prepare(`PRAGMA table_info(${table})`).all() as {name: string}[])[0]!.name)
      const first = `${column} = (SELECT ${column} FROM ${table} LIMIT 1)`
      for (const write of [`UPDATE ${table} SET ${column} = ${column} WHERE ${first}`, `DELETE FROM ${table} WHERE ${first}`]) {
        const before = generation(db)
        if (sql(db, (d) => d.prepare(write).run().changes) === 0) continue
        tried++
        expect({write, moved: generation(db) > before}).toEqual({write, moved: true})
      }
    }
    // settings, texts, step_defs, runs, run_steps, cache_snapshots hold rows here
    expect(tried).toBe(12)
  }, 30_000)

  it('read back, it is the explanation computed now: same data, same text, markdown and gate report', async () => {
    for (const [files, rules] of [
      [[prov('p2-warm'), prov('p3-build-mode')], {minHitRate: 99}],
      [[prov('p2-warm'), prov('p12-failed')], {minHitRate: 50}],
      [[bakeCapture('b1-cold'), bakeCapture('b3-worker-edit')], {minHitRate: 90}],
    ] as const) {
      const {db, cwd} = await indexWith([...files])
      expect(storedRow(db)).toBeDefined()
      const stored = await explainRun({db, cwd})
      const storedGate = await runGate({db, cwd, rules, useConfig: false})
      // any write makes it stale: from here on both are computed
      sql(db, (d) => d.prepare('UPDATE settings SET value = value WHERE key = ?').run('secret_salt'))
      const computed = await explainRun({db, cwd})
      const computedGate = await runGate({db, cwd, rules, useConfig: false})
      expect(stored).toEqual(JSON.parse(JSON.stringify(computed)))
      expect(renderExplanationText(stored, {all: true})).toBe(renderExplanationText(computed, {all: true}))
      expect(renderExplanationMarkdown(stored)).toBe(renderExplanationMarkdown(computed))
      expect(storedGate.outcome).not.toBe('pass')
      expect(storedGate).toEqual(computedGate)
      expect(renderGateText(storedGate)).toBe(renderGateText(computedGate))
    }
  }, 60_000)

  it('is not stored when the index changed while it was being computed', async () => {
    const {db} = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    sql(db, (d) => d.prepare('DELETE FROM stored_explanation').run())
    const store = await IndexStore.open(db)
    try {
      const seen = store.generation()!
      sql(db, (d) => d.prepare('UPDATE runs SET labels = labels WHERE id = 2').run())
      expect(store.storeExplanation({runId: 2, baselineId: 1, version: 'v'}, seen, {body: '{}'})).toBe(false)
      expect(storedRow(db)).toBeUndefined()
      expect(await storeExplanation(store, 'r2')).toBe(true)
      expect(storedRow(db)).toMatchObject({run_id: 2, baseline_id: 1})
    } finally {
      store.close()
    }
  })

  it('a build records its run with its explanation (recordRun)', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'bd-stored-'))
    const db = path.join(cwd, 'index.db')
    await recordRun(db, {run: await foldFile(bakeCapture('b1-cold'))})
    const {id} = await recordRun(db, {run: await foldFile(bakeCapture('b3-worker-edit'))})
    expect(id).toBe('r2')
    expect(storedRow(db)).toMatchObject({run_id: 2, baseline_id: 1})
    markStored(db)
    expect(fromStore(await explainRun({db, cwd}))).toBe(true)
  })

  it('an index from before the stored explanation (schema 7) is explained read-only, and gains it on the next ingest', async () => {
    const {db, cwd} = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    const expected = await explainRun({db, cwd})
    sql(db, (d) => {
      for (const {name} of d.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as {name: string}[]) d.exec(`DROP TRIGGER ${name}`)
      d.exec('DROP TABLE stored_explanation; DROP TABLE index_generation; PRAGMA user_version = 7')
    })
    expect(await explainRun({db, cwd})).toEqual(expected)
    await ingestFile({file: prov('p5-src-edit'), db, cwd, git: false})
    expect(storedRow(db)).toMatchObject({run_id: 3})
  })

  it('a scrub of the index (a newer redaction policy) drops it: it is a copy of what was scrubbed', async () => {
    const {db} = await indexWith([prov('p2-warm'), prov('p3-build-mode')])
    expect(storedRow(db)).toBeDefined()
    sql(db, (d) => d.prepare("UPDATE settings SET value = 'an older policy' WHERE key = 'redaction'").run())
    const store = await IndexStore.open(db)
    store.close()
    expect(storedRow(db)).toBeUndefined()
  })
})
