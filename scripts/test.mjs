#!/usr/bin/env node
// Runs vitest and ends with a plain `N passed, N failed, N skipped` line (the CI harness reads it).
// Extra arguments go to vitest (e.g. a path filter).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {skipReasons} from './skip-reasons.mjs'

const dir = mkdtempSync(path.join(tmpdir(), 'bakedoctor-vitest-'))
const report = path.join(dir, 'report.json')
const vitest = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'node_modules', 'vitest', 'vitest.mjs')
const run = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {stdio: 'inherit'})
let code = run.status ?? 1
try {
  const r = JSON.parse(readFileSync(report, 'utf8'))
  for (const line of skipReasons(r)) console.log(line)
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)
  if (r.numTotalTests === 0) code = 1
} catch {
  console.log('0 passed, 1 failed (vitest wrote no report)')
  code = code || 1
}
rmSync(dir, {recursive: true, force: true})
process.exit(code)
