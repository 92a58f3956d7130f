import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {canonicalPlanJson, planHash, type Plan} from '../../domain/bake/plan.js'
import type {Run} from '../../domain/model/run.js'
import {IndexStore} from './index-store.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

// planted values, made of parts so that this file holds no scanner-shaped secret
const GH = 'ghp_' + 'Lq3Wn8Rt5Yv2Bx7Kd4Mf9Hs6Jc1Pz0Ga5Ue8T'
const NAMED = 'legacy-npm-' + 'value-7Q2'
const AKIA = 'AKIA' + 'Q7ZL2M4N6P8R0T3V'

function run(): Run {
  return {
    source: 'rawjson', createdAt: 1, durationMs: 1, status: 'failed', error: 'build failed', targets: ['api'], platforms: [], labels: {ci: 'github'}, skippedLines: 0,
    steps: [{digest: 'sha256:' + '1'.repeat(64), name: '[1/1] RUN echo hello', kind: 'RUN', instruction: 'RUN echo hello', internal: false, cacheable: true, cached: false,
      servedInRun: false, completed: true, durationMs: 5, inputs: [], logTail: ['hello'], error: 'exit 1'}],
  }
}

describe('an index written before the redaction policy', () => {
  it('is scrubbed on the first open for writing: texts, plans, labels, metadata, errors; no old bytes left in the file or WAL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-scrub-'))
    dirs.push(dir)
    const db = path.join(dir, 'index.db')
    const plan: Plan = {group: {}, target: {api: {context: '.', args: {NPM_TOKEN: 'x'}}}}
    let store = await IndexStore.open(db, {create: true})
    store.saveRun(run(), {plan: {hash: planHash(plan), json: canonicalPlanJson(plan)}})
    // what an older bakedoctor stored: plaintext everywhere
    const legacyPlan: Plan = {group: {}, target: {api: {context: '.', args: {NPM_TOKEN: NAMED, GH}}}}
    store.db.prepare('UPDATE plans SET body = ?').run(canonicalPlanJson(legacyPlan))
    store.db.prepare('UPDATE runs SET labels = ?, metadata = ?, error = ?').run(JSON.stringify({ci: GH}), JSON.stringify({buildArgs: {api: {NPM_TOKEN: NAMED}}}), `failed: ${AKIA}`)
    store.db.prepare("UPDATE texts SET body = ? WHERE body = 'exit 1'").run(`exit 1: NPM_TOKEN=${NAMED} ${GH}`)
    store.db.prepare("DELETE FROM settings WHERE key = 'redaction'").run()
    store.close()
    expect(readFileSync(db).includes(NAMED) || (existsSync(`${db}-wal`) && readFileSync(`${db}-wal`).includes(NAMED))).toBe(true)

    store = await IndexStore.open(db, {create: true})
    const r = store.getRun(store.resolveRunRef('latest'))
    expect(r.labels.ci).toMatch(/^secret:[0-9a-f]{16}$/)
    expect(r.steps[0]!.error).toMatch(/^exit 1: NPM_TOKEN=secret:[0-9a-f]{16} secret:[0-9a-f]{16}$/)
    expect(store.getRunPlan(r)!.target.api!.args!.NPM_TOKEN).toMatch(/^secret:/)
    // the scrub happens once
    expect(store.scrubStoredSecrets()).toBe(false)
    // a new run still de-duplicates its texts and reads back
    store.saveRun(run())
    expect(store.getRun(store.resolveRunRef('latest')).steps[0]!.error).toBe('exit 1')
    store.close()

    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      if (!existsSync(f)) continue
      const bytes = readFileSync(f)
      for (const v of [NAMED, GH, AKIA]) expect(bytes.includes(v), `${path.basename(f)} holds ${v.slice(0, 6)}…`).toBe(false)
    }
  })
})
