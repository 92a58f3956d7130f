#!/usr/bin/env node
// `npm run fuzz`: every fuzz property with BAKEDOCTOR_FUZZ_RUNS cases (default 10,000) and new
// random cases; then the figures of every parser in one table, checked against the limits:
// 0 crashes, 0 hangs over 10 s, peak RSS ≤ 300 MB, exit codes only 0 and 2. Exit 1 if any fails.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..')
const dir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-fuzz-'))
const runs = process.env.BAKEDOCTOR_FUZZ_RUNS ?? '10000'
const files = process.argv.slice(2).length ? process.argv.slice(2) : ['test/fuzz']
const started = Date.now()
const run = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...files], {
  stdio: 'inherit', cwd: root, env: {...process.env, BAKEDOCTOR_FUZZ_RUNS: runs, BAKEDOCTOR_FUZZ_FIGURES: dir},
})
const MAX_RSS_MB = 300
let ok = run.status === 0
const rows = []
for (const f of readdirSync(dir).sort()) {
  const {file, peakRssKb, parsers} = JSON.parse(readFileSync(path.join(dir, f), 'utf8'))
  const rss = Math.round(peakRssKb / 1024)
  if (rss > MAX_RSS_MB) ok = false
  for (const [parser, p] of Object.entries(parsers)) {
    const codes = Object.keys(p.exitCodes)
    if (p.crashes || p.hangs || codes.some((c) => c !== '0' && c !== '2')) ok = false
    rows.push([parser, p.cases, Object.entries(p.exitCodes).map(([c, n]) => `${c}:${n}`).join(' '), p.crashes, p.hangs, `${p.slowestMs} ms`, `${rss} MB`, file])
  }
}
rmSync(dir, {recursive: true, force: true})
const head = ['parser', 'cases', 'exit codes', 'crashes', 'hangs>10s', 'slowest', 'peak RSS', 'file']
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ')
console.log(`\nfuzz: ${runs} cases per property, ${Math.round((Date.now() - started) / 1000)} s`)
console.log(line(head))
for (const r of rows) console.log(line(r))
console.log(ok ? `OK: 0 crashes, 0 hangs, peak RSS ≤ ${MAX_RSS_MB} MB, exit codes only 0/2` : 'FAILED: see the table and the vitest output above')
process.exit(ok ? 0 : 1)
