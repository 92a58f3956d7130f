// In a fresh process: explain the latest run of an index, then time the first frame of the TUI:
// milliseconds from before the lazy import of the view (ink, react, yoga: what a user waits for) to
// the first write with visible content, on an offscreen 160×50 terminal. Prints ms, or "n/a" when
// the build at ROOT has no dist/ui/render.js.
import {existsSync} from 'node:fs'
import {performance} from 'node:perf_hooks'
import {PassThrough, Writable} from 'node:stream'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const ESCAPE_SEQUENCE = /\u001B\[[0-9;?]*[A-Za-z]/g

const root = process.argv[3]
const view = path.join(root, 'dist/ui/render.js')
if (!existsSync(view)) {
  console.log('n/a')
  process.exit(0)
}
const {explainRun} = await import(pathToFileURL(path.join(root, 'dist/services/explain.js')).href)
const explanation = await explainRun({db: process.argv[2], cwd: root})
const ms = await measureFirstFrame(explanation)
console.log(ms.toFixed(1))
process.exit(0)

async function measureFirstFrame(explanation) {
  const start = performance.now()
  const {mountExplainApp} = await import(pathToFileURL(view).href)
  const stdout = offscreenTerminal(160, 50)
  const stdin = idleKeyboard()
  const firstFrame = new Promise((resolve) => {
    const original = stdout.write.bind(stdout)
    stdout.write = (chunk, ...rest) => {
      // the first write with visible content (not only escape codes) is the first frame
      if (String(chunk).replace(ESCAPE_SEQUENCE, '').trim() !== '') resolve(performance.now() - start)
      return original(chunk, ...rest)
    }
  })
  const app = mountExplainApp({explanation, stdin, stdout, stderr: offscreenTerminal(80, 24), alternateScreen: false})
  try {
    return await firstFrame
  } finally {
    app.unmount()
    stdin.destroy()
  }
}

/** An offscreen terminal of the given size for ink to draw on (the bench measures, nobody looks). */
function offscreenTerminal(columns, rows) {
  const stream = new Writable({write: (_chunk, _enc, done) => done()})
  Object.assign(stream, {isTTY: true, columns, rows})
  return stream
}

/** A TTY-like stdin in raw mode that never types anything. */
function idleKeyboard() {
  const stream = new PassThrough()
  Object.assign(stream, {isTTY: true, isRaw: true, setRawMode: () => stream, ref: () => stream, unref: () => stream})
  return stream
}
