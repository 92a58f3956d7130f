#!/usr/bin/env node
// bakedoctor benchmark suite (`npm run bench`): every figure is the median of several runs and,
// where the issue sets one, its ratio to a baseline measured in this same run on this machine.
// Data lives in bench/.data/ (generated on first use, reused while its recipe is unchanged).
//   node bench/run.mjs [--only ingest,memory,explain,history,cold,tui,cache,plan] [--quick]
import {existsSync, mkdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {bakeStreamLines} from './synthetic.mjs'
import {DATA_DIR, ROOT, bigStream, cached, ensureDataDir, mib, writeLines} from './lib/data.mjs'
import {ensureHistory} from './lib/history.mjs'
import {generateLargeBakeFile} from './lib/large-bake.mjs'
import {compare, median, peakRss, runTimed} from './lib/proc.mjs'
import {REGISTRY_BIN, loadSnapshot, pushSnapshotTags, startRegistry, which} from './lib/registry.mjs'

const argv = process.argv.slice(2)
const only = argv.includes('--only') ? new Set(argv[argv.indexOf('--only') + 1].split(',')) : undefined
const quick = argv.includes('--quick')
const want = (name) => !only || only.has(name)
const N = (n) => (quick ? Math.max(3, Math.ceil(n / 2)) : n)

const NODE = process.execPath
const CLI = path.join(ROOT, 'bin/run.js')
const bd = (...args) => () => runTimed(NODE, [CLI, ...args], {cwd: DATA_DIR, env: {BAKEDOCTOR_DB: undefined}})
const version = bd('--version')
const log = (...a) => console.error(...a)

if (!existsSync(path.join(ROOT, 'dist/commands'))) {
  console.error('dist/ is missing: run `npm run bench` (it builds first)')
  process.exit(2)
}
ensureDataDir()

/** rows of the table */
const rows = []
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`)
function addRow(r) {
  rows.push(r)
  const ratio = r.ratio !== undefined ? ` (${r.ratio.toFixed(2)} ×)` : ''
  log(`  → ${r.figure}: ${r.value}${ratio} ${r.ok === undefined ? '' : r.ok ? 'OK' : 'MISSED'}`)
}
function timedRow(figure, res, target, note) {
  const ratio = res.baselineMs ? res.ms / res.baselineMs : undefined
  addRow({
    figure, value: fmtMs(res.ms), baseline: res.baselineMs !== undefined ? `${fmtMs(res.baselineMs)} (${note.baseline})` : '—',
    ratio, target: target ? `≤ ${target.toFixed(1)} × baseline` : 'reported', ok: target ? ratio <= target : undefined,
    runs: `${res.runs.length}`, details: note.details,
  })
}
async function section(name, fn) {
  if (!want(name)) return
  log(`\n[${name}]`)
  try {
    await fn()
  } catch (error) {
    log(error.stack ?? String(error))
    addRow({figure: name, value: `error: ${String(error.message ?? error).split('\n')[0].slice(0, 120)}`, baseline: '—', target: '—', runs: '0'})
  }
}
const freshDb = (file) => () => {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, {force: true})
}

// 1. ingest of a 200 MB stream vs JSON.parse of every line -------------------------------------
await section('ingest', async () => {
  const s = await bigStream('stream-200mb.jsonl', 200e6)
  log(`  ${s.file}: ${mib(s.size)} (${s.shape.targets} targets × 2 platforms × 30 steps, ${s.shape.logBytesPerRun} log bytes per executed RUN in 16 KiB messages)${s.fresh ? ', generated' : ''}`)
  const db = path.join(DATA_DIR, 'ingest-200mb.db')
  const res = await compare(bd('ingest', s.file, '--db', db), () => runTimed(NODE, [path.join(ROOT, 'bench/lib/jsonparse-baseline.mjs'), s.file]), N(5), {before: freshDb(db)})
  timedRow(`ingest of a ${mib(s.size)} rawjson stream (decode, fold, write the index)`, res, 2.0, {baseline: 'JSON.parse line by line',
    details: `one bake: ${s.shape.targets} targets × 2 platforms × 30 steps, ~${Math.round(s.shape.logBytesPerRun / 1000)} kB of output per executed RUN in 16 KiB log messages`})
  // the same bytes spread over twice the steps: the per-step work (fold, index rows) doubles
  const w = await bigStream('stream-200mb-80targets.jsonl', 200e6, 80)
  const wres = await compare(bd('ingest', w.file, '--db', db), () => runTimed(NODE, [path.join(ROOT, 'bench/lib/jsonparse-baseline.mjs'), w.file]), N(5), {before: freshDb(db)})
  timedRow(`ingest of a ${mib(w.size)} stream with twice the steps`, wres, 2.0, {baseline: 'JSON.parse line by line',
    details: `${w.shape.targets} targets × 2 platforms × 30 steps, ~${Math.round(w.shape.logBytesPerRun / 1000)} kB per executed RUN`})
})

// 2. peak memory ingesting a 1 GB stream ----------------------------------------------------------
await section('memory', async () => {
  const s = await bigStream('stream-1gb.jsonl', 1.01e9)
  log(`  ${s.file}: ${mib(s.size)} (${s.shape.logBytesPerRun} log bytes per executed RUN)${s.fresh ? ', generated' : ''}`)
  const db = path.join(DATA_DIR, 'ingest-1gb.db')
  const peaks = []
  const times = []
  let how
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    freshDb(db)()
    const r = await peakRss(NODE, [CLI, 'ingest', s.file, '--db', db], {cwd: DATA_DIR})
    peaks.push(r.peakKiB)
    times.push(r.ms)
    how = r.how
  }
  const peak = median(peaks) / 1024
  addRow({figure: `peak memory ingesting a ${mib(s.size)} stream`, value: `${peak.toFixed(0)} MiB RSS`, baseline: '—', target: '≤ 300 MB RSS', ok: peak * 1.048576 <= 300,
    runs: `${peaks.length}`, details: `${how}; ingest took ${fmtMs(median(times))}`})
})

// 3. explain --json of two 2,400-step runs ---------------------------------------------------------
const explainDb = path.join(DATA_DIR, 'explain.db')
async function ensureExplainDb() {
  const streams = []
  for (const runId of [1, 2]) {
    const {file} = await cached(`bake-2400-r${runId}.jsonl`, {v: 1, runId}, (f) => writeLines(f, bakeStreamLines({seed: 5, runId, cachedRatio: 0.985, logBytesPerRun: 2000})))
    streams.push(file)
  }
  freshDb(explainDb)()
  for (const f of streams) await runTimed(NODE, [CLI, 'ingest', f, '--db', explainDb], {cwd: DATA_DIR})
}
await section('explain', async () => {
  await ensureExplainDb()
  const res = await compare(bd('explain', '--db', explainDb, '--json'), version, N(7))
  timedRow('`explain --json` of two 2,400-step runs', res, 2.0, {baseline: '`bakedoctor --version`'})
})

// 4. runs, gate, index size on 1,000 runs × 2,400 steps ------------------------------------------
await section('history', async () => {
  const h = await ensureHistory(1000, log)
  if (h.fresh) log(`  built ${h.file} in ${h.seconds.toFixed(0)} s`)
  const db = h.file
  const runsRes = await compare(bd('runs', '--db', db), version, N(7))
  timedRow('`runs` on an index of 1,000 runs × 2,400 steps', runsRes, 1.5, {baseline: '`bakedoctor --version`'})
  // a gate that passes (rules only) and one that fails (it then explains the run for its root causes)
  for (const [rules, expect] of [[['--min-hit-rate', '50', '--per', 'overall'], 0], [['--min-hit-rate', '99'], 1]]) {
    const gate = () => runTimed(NODE, [CLI, 'gate', '--db', db, ...rules], {cwd: DATA_DIR, allowFail: true})
    const {code} = await gate()
    const res = await compare(gate, version, N(7), {warmup: false})
    const outcome = code === 0 ? 'passes' : code === 1 ? 'fails, so it explains the root causes' : `exit ${code}`
    timedRow(`\`gate ${rules.join(' ')}\` (${outcome}) on that index`, res, 1.5, {baseline: '`bakedoctor --version`', details: code === expect ? undefined : 'unexpected outcome'})
  }
  const {default: Sqlite} = await import(path.join(ROOT, 'node_modules/better-sqlite3/lib/index.js'))
  const sdb = new Sqlite(db, {readonly: true})
  const {runs, steps} = sdb.prepare('SELECT count(*) AS runs, sum(step_count) AS steps FROM runs').get()
  const cacheable = sdb.prepare('SELECT sum(cacheable) AS c FROM runs').get().c
  sdb.close()
  const bytes = statSync(db).size
  const perCacheable = bytes / cacheable
  addRow({figure: `index size for that history (${runs} runs, ${cacheable} cacheable steps, ${steps} steps with plumbing)`, value: `${(bytes / 1024 / 1024).toFixed(1)} MiB = ${perCacheable.toFixed(1)} B per cacheable step per run (${(bytes / steps).toFixed(1)} B per stored step)`,
    baseline: '—', target: '≤ 100 B per step per run', ok: perCacheable <= 100, runs: '1'})
})

// 5. cold start ---------------------------------------------------------------------------------------
await section('cold', async () => {
  const nodeE0 = () => runTimed(NODE, ['-e', '0'])
  timedRow('`bakedoctor --help` cold start', await compare(bd('--help'), nodeE0, N(11)), 2.5, {baseline: '`node -e 0`'})
  timedRow('`bakedoctor --version` cold start', await compare(version, nodeE0, N(11)), 2.5, {baseline: '`node -e 0`'})
})

// 6. first frame of the explain TUI ------------------------------------------------------------------
await section('tui', async () => {
  if (!existsSync(explainDb)) await ensureExplainDb()
  const times = []
  for (let i = 0; i < N(5); i++) {
    const r = await runTimed(NODE, [path.join(ROOT, 'bench/lib/first-frame.mjs'), explainDb, ROOT], {capture: true})
    const out = r.stdout.trim()
    if (out === 'n/a') break
    times.push(Number(out))
  }
  if (!times.length) addRow({figure: 'first frame of the explain TUI, 2,400-step run', value: 'n/a (dist/ui/measure.js missing)', baseline: '—', target: 'reported', runs: '0'})
  else addRow({figure: 'first frame of the explain TUI, 2,400-step run (fresh process, incl. loading ink/react)', value: fmtMs(median(times)), baseline: '—', target: 'reported', runs: `${times.length}`})
})

// 7. cache inspect of 20 refs vs skopeo one after another -------------------------------------------
await section('cache', async () => {
  const skopeo = which('skopeo')
  if (!skopeo || !which(REGISTRY_BIN)) {
    addRow({figure: '`cache inspect` of 20 refs', value: 'n/a (no docker-registry/skopeo)', baseline: '—', target: '≤ 0.3 × baseline', runs: '0'})
    return
  }
  const reg = await startRegistry()
  try {
    const tags = Array.from({length: 20}, (_, i) => `bench-${String(i).padStart(2, '0')}`)
    const refs = await pushSnapshotTags(reg.url, loadSnapshot('cache-multi-mode-max'), tags)
    const serialSkopeo = async () => {
      const t = performance.now()
      for (const ref of refs) await runTimed(skopeo, ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`])
      return {ms: performance.now() - t}
    }
    const res = await compare(bd('cache', 'inspect', ...refs, '--insecure', '--json'), serialSkopeo, N(5))
    timedRow('`cache inspect` of 20 refs on the loopback registry', res, 0.3, {baseline: '`skopeo inspect --raw`, one ref after another'})
  } finally {
    await reg.stop()
  }
})

// 8. plan of a 1,000-target bake file ---------------------------------------------------------------
await section('plan', async () => {
  const dir = path.join(DATA_DIR, 'plan-1000')
  mkdirSync(dir, {recursive: true})
  writeFileSync(path.join(dir, 'docker-bake.hcl'), generateLargeBakeFile({targets: 1000}))
  const res = await compare(() => runTimed(NODE, [CLI, 'plan', '--source', 'builtin', '--json'], {cwd: dir}), undefined, N(5))
  timedRow('`plan` of a 1,000-target bake file (built-in resolver)', res, undefined, {baseline: '—'})
})

// the table -------------------------------------------------------------------------------------------
const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const header = `bakedoctor bench — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, node ${process.version}, ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB${quick ? ', --quick' : ''}`
const lines = [
  header, '',
  '| figure | median | baseline (same run) | ratio | target | met | runs |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.figure}${r.details ? ` — ${r.details}` : ''} | ${r.value} | ${r.baseline} | ${r.ratio !== undefined ? `${r.ratio.toFixed(2)} ×` : '—'} | ${r.target} | ${r.ok === undefined ? '—' : r.ok ? 'yes' : '**no**'} | ${r.runs} |`),
]
console.log(lines.join('\n'))
writeFileSync(path.join(DATA_DIR, 'last-results.md'), lines.join('\n') + '\n')
writeFileSync(path.join(DATA_DIR, 'last-results.json'), JSON.stringify({header, rows}, null, 2))
