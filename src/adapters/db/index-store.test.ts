import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
// @ts-expect-error plain ESM helper shared with the benchmark
import {bakeStreamLines} from '../../../bench/synthetic.mjs'
import {createRawjsonDecoder} from '../../domain/events/decode-rawjson.js'
import type {Run, Step} from '../../domain/model/run.js'
import {RunFolder} from '../../domain/steps/fold-run.js'
import {IndexStore} from './index-store.js'
import {MAX_LOG_TAIL_BYTES_PER_RUN} from './run-writer.js'
import {MIGRATIONS} from './migrations.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})
const tempDb = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-store-'))
  dirs.push(dir)
  return path.join(dir, 'index.db')
}

function fold(runId: number, cachedRatio: number): Run {
  const decoder = createRawjsonDecoder()
  const folder = new RunFolder({source: 'rawjson', keepLogs: 'all'})
  let line = 0
  for (const text of bakeStreamLines({targets: 3, stepsPerTarget: 12, cachedRatio, seed: 11, runId, logBytesPerRun: 3000, logChunkBytes: 1000})) {
    for (const e of decoder.push(text as string, ++line)) folder.push(e)
  }
  return folder.finish()
}

/** What the index keeps of a step (durations and offsets are stored as whole milliseconds). */
const kept = (s: Step) => ({
  digest: s.digest, name: s.name, target: s.target, platform: s.platform, stage: s.stage, index: s.index, total: s.total, kind: s.kind,
  instruction: s.instruction, internal: s.internal, cacheable: s.cacheable, cached: s.cached, servedInRun: s.servedInRun, completed: s.completed,
  durationMs: Math.round(s.durationMs), error: s.error, inputs: s.inputs, logTail: s.logTail,
})

describe('IndexStore', () => {
  it('gives back the steps it stored, for every run, in one store and in a fresh one', async () => {
    const file = tempDb()
    const runs = [fold(1, 0.9), fold(2, 0.6), fold(3, 0.95)]
    const store = await IndexStore.open(file, {create: true})
    const ids = runs.map((r) => store.resolveRunRef(store.saveRun(r)))
    // reading in the writing store (caches warm) and in a new one (caches cold) must agree
    const reader = await IndexStore.open(file, {readonly: true})
    expect(runs.flatMap((r) => r.steps).filter((s) => s.logTail.length > 0).length).toBeGreaterThan(3)
    for (const [i, run] of runs.entries()) {
      for (const s of [store, reader]) expect(s.getRun(ids[i]!).steps.map(kept)).toEqual(run.steps.map(kept))
    }
    store.close()
    reader.close()
  })

  it('finds what a step cost when it last executed, for steps it read and for steps it did not', async () => {
    const file = tempDb()
    const store = await IndexStore.open(file, {create: true})
    const first = fold(1, 0)
    const second = fold(2, 1)
    store.saveRun(first)
    const id = store.resolveRunRef(store.saveRun(second))
    const read = store.getRun(id)
    const lookup = store.lastExecutedLookup(id)
    const copies = store.lastExecutedLookup(id)
    const executed = new Map(first.steps.filter((s) => !s.cached && s.completed).map((s) => [`${s.target}|${s.name}`, Math.round(s.durationMs)]))
    let known = 0
    for (const s of read.steps) {
      const want = executed.get(`${s.target}|${s.name}`)
      expect(lookup(s)).toBe(want)
      // a copy is not a step the store read: it is found by name and target
      expect(copies({...s})).toBe(want)
      if (want !== undefined) known++
    }
    expect(known).toBeGreaterThan(10)
    // nothing executed before the first run
    expect(store.lastExecutedLookup(store.resolveRunRef('latest~1'))(read.steps.find((s) => s.cacheable)!)).toBeUndefined()
    store.close()
  })

  it('migrates a schema-1 index: same answers, the executed-steps index replaces the full one', async () => {
    const file = tempDb()
    const {default: Sqlite} = await import('better-sqlite3')
    const raw = new Sqlite(file)
    raw.exec(MIGRATIONS[0]!)
    raw.pragma('user_version = 1')
    raw.close()
    const store = await IndexStore.open(file, {create: true})
    store.saveRun(fold(1, 0))
    const id = store.resolveRunRef(store.saveRun(fold(2, 1)))
    const indexes = (store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'run_steps'").all() as {name: string}[]).map((r) => r.name)
    expect(indexes).toEqual(['run_steps_executed'])
    expect(store.db.pragma('user_version', {simple: true})).toBe(MIGRATIONS.length)
    const run = store.getRun(id)
    const lookup = store.lastExecutedLookup(id)
    expect(run.steps.filter((s) => s.cacheable && lookup(s) !== undefined).length).toBeGreaterThan(10)
    store.close()
  })

  it('reads log tails only for the steps asked for', async () => {
    const file = tempDb()
    const run = fold(1, 0.5)
    const failing = run.steps.find((s) => s.logTail.length)!
    failing.error = 'exit code: 1'
    const withTails = run.steps.filter((s) => s.logTail.length).length
    const store = await IndexStore.open(file, {create: true})
    const id = store.resolveRunRef(store.saveRun(run))
    store.close()
    const count = async (logs?: 'failed' | 'all' | 'none') => {
      const fresh = await IndexStore.open(file, {readonly: true})
      const n = fresh.getRun(id, logs ? {logs} : {}).steps.filter((x) => x.logTail.length).length
      fresh.close()
      return n
    }
    expect(await count('none')).toBe(0)
    expect(await count('failed')).toBe(1)
    expect(await count()).toBe(withTails)
    // one store: a later call reads the tails an earlier one left out
    const reader = await IndexStore.open(file, {readonly: true})
    expect(reader.getRun(id, {logs: 'none'}).steps.filter((x) => x.logTail.length)).toHaveLength(0)
    expect(reader.getRun(id, {logs: 'all'}).steps.filter((x) => x.logTail.length)).toHaveLength(withTails)
    reader.close()
  })

  it('stores at most MAX_LOG_TAIL_BYTES_PER_RUN of log tails per run, failed steps first', async () => {
    const file = tempDb()
    const run = fold(1, 0)
    const big = (i: number) => Array.from({length: 20}, (_, j) => `step ${i} line ${j} ${'x'.repeat(480)}`)
    run.steps.forEach((s, i) => (s.logTail = big(i)))
    const last = run.steps.at(-1)!
    last.error = 'exit code: 2'
    const store = await IndexStore.open(file, {create: true})
    const id = store.resolveRunRef(store.saveRun(run))
    const read = store.getRun(id).steps
    const kept = read.filter((s) => s.logTail.length)
    expect(kept.length).toBeLessThan(run.steps.length)
    expect(kept.reduce((n, s) => n + s.logTail.join('\n').length, 0)).toBeLessThanOrEqual(MAX_LOG_TAIL_BYTES_PER_RUN)
    expect(read.at(-1)!.logTail).toEqual(big(run.steps.length - 1))
    store.close()
  })
})
