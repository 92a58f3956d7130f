#!/usr/bin/env node
// `npm run fuzz [job…]`: every parser's fuzz properties with BAKEDOCTOR_FUZZ_RUNS cases each (default
// 10,000) and new random cases, in separate vitest processes (BAKEDOCTOR_FUZZ_JOBS at a time, default
// one per core); then one table of figures per parser, checked against the limits: at least that many
// cases per parser, 0 crashes, 0 hangs over 10 s, exit codes only 0 and 2, peak RSS ≤ 300 MB (of the
// process that runs the parser). Exit 1 if any fails.
import {spawn} from 'node:child_process'
import {createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {availableParallelism, loadavg, tmpdir} from 'node:os'
import path from 'node:path'

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..')
const runs = Number(process.env.BAKEDOCTOR_FUZZ_RUNS ?? 10_000)
const MAX_RSS_MB = 300

/** One vitest process each; the slow ones first, so that two cores finish together. */
const JOBS = [
  {job: 'bake-hcl-hostile', file: 'test/fuzz/hostile.test.ts', test: 'bake HCL'},
  {job: 'bake-mutated', file: 'test/fuzz/bake.test.ts'},
  {job: 'line-decoders', file: 'test/fuzz/line-decoders.test.ts'},
  {job: 'config-hostile', file: 'test/fuzz/hostile.test.ts', test: 'JSON bake|Compose|metadata|gate config'},
  {job: 'dockerbuild', file: 'test/fuzz/dockerbuild.test.ts'},
  {job: 'documents', file: 'test/fuzz/documents.test.ts'},
  {job: 'oci', file: 'test/fuzz/oci.test.ts'},
]

/** every parser must reach `runs` cases (hostile generators included) */
const PARSERS = ['bake-hcl', 'bake-json', 'compose', 'metadata', 'gate-config', 'rawjson', 'engine', 'plain', 'dockerbuild', 'oci', 'provenance', 'dockerfile', 'history-record', 'history-manifest']

const only = process.argv.slice(2)
const jobs = only.length ? JOBS.filter((j) => only.includes(j.job)) : JOBS
if (only.length && jobs.length !== only.length) {
  console.error(`unknown job; the jobs are: ${JOBS.map((j) => j.job).join(', ')}`)
  process.exit(2)
}
const parallel = Math.max(1, Number(process.env.BAKEDOCTOR_FUZZ_JOBS) || availableParallelism())
const dir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-fuzz-'))
const started = Date.now()
const load = loadavg().map((l) => l.toFixed(2)).join(' ')
console.log(`fuzz: ${runs} cases per property, ${jobs.length} processes, ${parallel} at a time (load average ${load})`)

function runJob({job, file, test}) {
  const log = path.join(dir, `${job}.log`)
  const args = [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', file, ...(test ? ['-t', test] : [])]
  const t0 = Date.now()
  return new Promise((resolve) => {
    const out = createWriteStream(log)
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {...process.env, BAKEDOCTOR_FUZZ_RUNS: String(runs), BAKEDOCTOR_FUZZ_FIGURES: dir, BAKEDOCTOR_FUZZ_JOB: job},
    })
    child.stdout.pipe(out, {end: false})
    child.stderr.pipe(out, {end: false})
    child.on('close', (code) => {
      out.end()
      const s = Math.round((Date.now() - t0) / 1000)
      console.log(`  ${job}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${s} s`)
      if (code !== 0) out.on('close', () => console.log(readFileSync(log, 'utf8').split('\n').slice(-80).join('\n')))
      resolve({job, ok: code === 0, seconds: s})
    })
  })
}

const queue = [...jobs]
const results = []
await Promise.all(Array.from({length: Math.min(parallel, jobs.length)}, async () => {
  for (let j = queue.shift(); j; j = queue.shift()) results.push(await runJob(j))
}))

let ok = results.every((r) => r.ok)
const problems = results.filter((r) => !r.ok).map((r) => `${r.job} failed`)
// per parser: the sum over its properties (and processes); slowest and peak RSS the worst of them
const parsers = new Map()
for (const {job} of jobs) {
  const f = path.join(dir, `${job}.json`)
  if (!existsSync(f)) {
    ok = false
    problems.push(`${job} wrote no figures`)
    continue
  }
  for (const [label, p] of Object.entries(JSON.parse(readFileSync(f, 'utf8')).parsers)) {
    const [parser, property] = label.split('/')
    const row = parsers.get(parser) ?? {cases: 0, exitCodes: {}, crashes: 0, hangs: 0, slowestMs: 0, slowestCpuMs: 0, maxCpuMs: 0, peakRssKb: 0, properties: [], hangCases: [], jobs: new Set()}
    row.cases += p.cases
    for (const [c, n] of Object.entries(p.exitCodes)) row.exitCodes[c] = (row.exitCodes[c] ?? 0) + n
    row.crashes += p.crashes
    row.hangs += p.hangs
    row.hangCases.push(...(p.hangCases ?? []).map((h) => `${property}: ${h.ms} ms wall, ${h.cpuMs} ms CPU`))
    if (p.slowestMs > row.slowestMs) Object.assign(row, {slowestMs: p.slowestMs, slowestCpuMs: p.slowestCpuMs})
    row.maxCpuMs = Math.max(row.maxCpuMs, p.maxCpuMs)
    row.peakRssKb = Math.max(row.peakRssKb, p.peakRssKb)
    row.properties.push(`${property} ${p.cases}`)
    row.jobs.add(job)
    parsers.set(parser, row)
  }
}
rmSync(dir, {recursive: true, force: true})

const rows = []
for (const [parser, p] of [...parsers].sort(([a], [b]) => PARSERS.indexOf(a) - PARSERS.indexOf(b))) {
  const rss = Math.round(p.peakRssKb / 1024)
  const codes = Object.keys(p.exitCodes)
  if (rss > MAX_RSS_MB) problems.push(`${parser}: peak RSS ${rss} MB`)
  if (p.crashes) problems.push(`${parser}: ${p.crashes} crashes`)
  if (p.hangs) problems.push(`${parser}: ${p.hangs} hangs (${p.hangCases.join('; ')})`)
  if (codes.some((c) => c !== '0' && c !== '2')) problems.push(`${parser}: exit codes ${codes.join(', ')}`)
  if (p.cases < runs) problems.push(`${parser}: only ${p.cases} cases`)
  const exits = Object.entries(p.exitCodes).map(([c, n]) => `${c}:${n}`).join(' ')
  rows.push([parser, p.cases, exits, p.crashes, p.hangs, `${p.slowestMs} ms (cpu ${p.slowestCpuMs})`, `${p.maxCpuMs} ms`, `${rss} MB`, p.properties.join(', ')])
}
if (!only.length) for (const parser of PARSERS) if (!parsers.has(parser)) problems.push(`${parser}: no cases`)

const head = ['parser', 'cases', 'exit codes', 'crashes', 'hangs>10s', 'slowest case (wall, cpu)', 'max cpu/case', 'peak RSS', 'properties (cases)']
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd()
console.log(`\nfuzz: ${runs} cases per property, ${Math.round((Date.now() - started) / 1000)} s, load average at the start ${load}, at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log(line(head))
for (const r of rows) console.log(line(r))
if (problems.length) ok = false
console.log(ok ? `OK: every parser ≥ ${runs} cases, 0 crashes, 0 hangs, exit codes only 0/2, peak RSS ≤ ${MAX_RSS_MB} MB` : `FAILED: ${problems.join('; ')}`)
process.exit(ok ? 0 : 1)
