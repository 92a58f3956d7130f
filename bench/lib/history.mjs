// The index of 1,000 runs × 2,400 steps: folded synthetic bake runs written in-process through the
// real IndexStore.saveRun (dist/), cached in bench/.data until the schema or the recipe changes.
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {bakeStreamLines, rng} from '../synthetic.mjs'
import {DATA_DIR, ROOT, ensureDataDir} from './data.mjs'

const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href)

/** Decodes and folds one synthetic stream with the real decoder and folder (no CLI). */
export async function foldSynthetic(options) {
  const {createRawjsonDecoder} = await dist('domain/events/decode-rawjson.js')
  const {RunFolder} = await dist('domain/steps/fold-run.js')
  const decoder = createRawjsonDecoder()
  const folder = new RunFolder({source: 'rawjson', sourceFile: 'synthetic.jsonl'})
  let line = 0
  for (const text of bakeStreamLines(options)) for (const e of decoder.push(text, ++line)) folder.push(e)
  for (const e of decoder.end()) folder.push(e)
  return folder.finish()
}

const sha = (text) => 'sha256:' + createHash('sha256').update(text).digest('hex')

/**
 * Run `i` of the history: a template run (one of `templates`, folded from a synthetic stream) with
 * per-run vertex digests (BuildKit's change on every build downstream of the context), durations
 * jittered ±20 %, a few cached flags flipped, its own times, and a branch.
 */
export function varyRun(template, i, rand) {
  const shift = i * 600_000
  const digestOf = new Map()
  for (const s of template.steps) if (!digestOf.has(s.digest)) digestOf.set(s.digest, s.kind === 'FROM' ? s.digest : sha(`${i}/${s.digest}`))
  const steps = template.steps.map((s) => {
    const flip = s.cacheable && rand() < 0.03
    const cached = flip ? !s.cached : s.cached
    const durationMs = cached ? Math.round(1 + rand() * 5) : Math.round(s.durationMs * (0.8 + rand() * 0.4)) || 1
    const started = s.started === undefined ? undefined : s.started + shift
    return {
      ...s,
      digest: digestOf.get(s.digest),
      inputs: s.inputs.map((d) => digestOf.get(d) ?? d),
      cached,
      servedInRun: cached && s.servedInRun,
      durationMs,
      started,
      finished: started === undefined ? undefined : started + durationMs,
      // output differs on every build (times, hashes): a kept tail is new text in every run
      logTail: s.logTail.map((l) => `[run ${i}] ${l}`),
    }
  })
  return {
    ...template,
    createdAt: template.createdAt + shift,
    startedAt: template.startedAt === undefined ? undefined : template.startedAt + shift,
    finishedAt: template.finishedAt === undefined ? undefined : template.finishedAt + shift,
    steps,
    labels: {ci: 'bench'},
    git: {commit: createHash('sha1').update(String(i)).digest('hex'), branch: i % 10 === 9 ? 'feature/x' : 'main'},
  }
}

export async function historyRecipe(runs) {
  const {MIGRATIONS} = await dist('adapters/db/migrations.js')
  const schema = createHash('sha256').update(MIGRATIONS.join('\n--\n')).digest('hex').slice(0, 16)
  return {v: 3, runs, templates: 12, targets: 40, stepsPerTarget: 30, logLineBytes: 1000, logBytesPerRun: 30_000, schema, code: storageCodeHash()}
}

/** The fold (which tails it keeps) and the store (what it writes) decide an index's size too. */
export function storageCodeHash() {
  const code = createHash('sha256')
  const store = readdirSync(path.join(ROOT, 'dist/adapters/db')).filter((f) => f.endsWith('.js')).sort().map((f) => `adapters/db/${f}`)
  for (const f of ['domain/steps/fold-run.js', ...store]) code.update(readFileSync(path.join(ROOT, 'dist', f)))
  return code.digest('hex').slice(0, 16)
}

/**
 * Template k of the history: folded (with the default log policy) from a stream whose RUNs print
 * ~1 KB lines; every fourth template fails its last target's first executed RUN (its tail is kept).
 * The last run of the history uses the `regressed` template: a hit rate low enough that
 * `gate --min-hit-rate 80` fails and explains it.
 */
function templateShape(r, k, regressed = false) {
  return {
    targets: r.targets, stepsPerTarget: r.stepsPerTarget, seed: 3, runId: k, logBytesPerRun: r.logBytesPerRun, logLineBytes: r.logLineBytes,
    cachedRatio: regressed ? 0.985 : [0.96, 0.975, 0.99, 0.995][k % 4], ...(regressed ? {seed: 9} : {}),
    // the last target fails (a bake builds the others)
    ...(k % 4 === 3 ? {failTarget: r.targets - 1} : {}),
  }
}

/** bench/.data/history-N.db, built when missing or stale. Returns its path and whether it was rebuilt. */
export async function ensureHistory(runs = 1000, log = () => {}) {
  ensureDataDir()
  const file = path.join(DATA_DIR, `history-${runs}.db`)
  const recipeFile = `${file}.recipe`
  const recipe = JSON.stringify(await historyRecipe(runs))
  if (existsSync(file) && existsSync(recipeFile) && readFileSync(recipeFile, 'utf8') === recipe) return {file, fresh: false}
  const tmp = `${file}.building`
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, {force: true})
  const {IndexStore} = await dist('adapters/db/index-store.js')
  const r = JSON.parse(recipe)
  const templates = []
  for (let k = 0; k < r.templates; k++) templates.push(await foldSynthetic(templateShape(r, k)))
  const regressed = await foldSynthetic(templateShape(r, r.templates, true))
  const store = await IndexStore.open(tmp, {create: true})
  const rand = rng(42)
  const t0 = Date.now()
  try {
    for (let i = 0; i < runs; i++) {
      store.saveRun(varyRun(i === runs - 1 ? regressed : templates[i % templates.length], i, rand))
      if ((i + 1) % 100 === 0) log(`  history: ${i + 1}/${runs} runs (${((Date.now() - t0) / 1000).toFixed(0)} s)`)
    }
    store.db.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    store.close()
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, {force: true})
  renameSync(tmp, file)
  writeFileSync(recipeFile, recipe)
  return {file, fresh: true, seconds: (Date.now() - t0) / 1000}
}

/** The name of the built code's explanations (dist/explanation-version.json, written by `npm run build`). */
export function explanationVersionOfBuild() {
  return JSON.parse(readFileSync(path.join(ROOT, 'dist/explanation-version.json'), 'utf8')).version
}

/**
 * Stores the latest run's explanation in `file` as `ingest` does after recording a run (the history is
 * written with saveRun directly), unless the one stored is current. True when it stored one.
 */
export async function ensureStoredExplanation(file) {
  const {IndexStore} = await dist('adapters/db/index-store.js')
  const {storeExplanation} = await dist('services/explain.js')
  const store = await IndexStore.open(file)
  try {
    const runId = store.resolveRunRef('latest')
    if (store.storedExplanation({runId, baselineId: store.findBaseline(runId), version: explanationVersionOfBuild()}) !== undefined) return false
    return await storeExplanation(store, 'latest')
  } finally {
    store.close()
  }
}
