#!/usr/bin/env node
// The main job on bundled real captures (BuildKit v0.11, linux/amd64 + linux/arm64, registry cache):
// record four builds, list them, explain why r3 missed, and diff the base-image move.
// Uses a throw-away index; needs no Docker.
import {spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const db = path.join(mkdtempSync(path.join(tmpdir(), 'bakedoctor-demo-')), 'index.db')
const bin = path.join(root, 'bin', 'run.js')
const captures = path.join(root, 'fixtures', 'buildkit-0.11-rawjson')
// the Dockerfile they were built from: places each step on its line (explain --format github, report --html)
const dockerfile = path.join('fixtures', 'buildkit-0.11-rawjson', 'app-context', 'api', 'Dockerfile')

function bd(...args) {
  console.log(`\n$ bakedoctor ${args.join(' ')}`)
  const r = spawnSync(process.execPath, [bin, ...args, '--db', db], {stdio: 'inherit', cwd: root})
  if (r.status !== 0 && r.status !== 1) process.exit(r.status ?? 1)
}

for (const run of ['r1-cold', 'r2-warm-remote', 'r3-code-change', 'r6-base-moved']) {
  bd('ingest', path.join(captures, run, 'rawjson.json'), '--target', 'api', '--metadata', path.join(captures, run, 'metadata.json'), '--dockerfile', dockerfile, '--no-git')
}
bd('runs')
bd('explain', 'r3', '--no-tui')
bd('diff', 'r3', 'r4', '--no-tui')
console.log(`\n(index kept at ${db}; next, try:`)
console.log(`  node bin/run.js report --html report.html --db ${db}     # the page shown in the README`)
console.log(`  node bin/run.js explain r3 --format github --db ${db}    # PR annotations on Dockerfile lines)`)
