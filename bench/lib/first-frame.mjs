// In a fresh process: explain the latest run of an index, then time the first frame of the TUI
// (src/ui/measure.ts measureFirstFrame, which includes the lazy import of ink/react). Prints ms,
// or "n/a" when dist/ui/measure.js does not exist.
import {existsSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
const root = process.argv[3]
const measure = path.join(root, 'dist/ui/measure.js')
if (!existsSync(measure)) {
  console.log('n/a')
  process.exit(0)
}
const {explainRun} = await import(pathToFileURL(path.join(root, 'dist/services/explain.js')).href)
const {measureFirstFrame} = await import(pathToFileURL(measure).href)
const explanation = await explainRun({db: process.argv[2], cwd: root})
const ms = await measureFirstFrame(explanation)
console.log(ms.toFixed(1))
process.exit(0)
