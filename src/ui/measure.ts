/**
 * Time to first frame of the explain view, for the benchmark (bench/ calls it). Not asserted in tests.
 */
import {PassThrough, Writable} from 'node:stream'
import {performance} from 'node:perf_hooks'
import type {Explanation} from '../domain/explain/types.js'

/**
 * Milliseconds from the call to the first frame ink writes, on an offscreen 160×50 terminal.
 * Includes the lazy `import('./render.js')` (ink, react, yoga), so the first call in a process is
 * what a user waits for; later calls measure rendering alone.
 *
 * @example
 * const ms = await measureFirstFrame(explanation) // e.g. 480 on a cold process for 2,400 steps
 */
export async function measureFirstFrame(explanation: Explanation, options: {columns?: number; rows?: number} = {}): Promise<number> {
  const start = performance.now()
  const {mountExplainApp} = await import('./render.js')
  const stdout = offscreenTerminal(options.columns ?? 160, options.rows ?? 50)
  const stdin = idleKeyboard()
  const firstFrame = new Promise<number>((resolve) => {
    const original = stdout.write.bind(stdout)
    stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      // the first write with visible content (not only escape codes) is the first frame
      if (String(chunk).replace(ESCAPE_SEQUENCE, '').trim() !== '') resolve(performance.now() - start)
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest)
    }) as typeof stdout.write
  })
  const app = mountExplainApp({explanation, stdin, stdout, stderr: offscreenTerminal(80, 24), alternateScreen: false})
  try {
    return await firstFrame
  } finally {
    app.unmount()
    stdin.destroy()
  }
}

// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const ESCAPE_SEQUENCE = /\u001B\[[0-9;?]*[A-Za-z]/g

/** An offscreen terminal of the given size for ink to draw on (the bench measures, nobody looks). */
function offscreenTerminal(columns: number, rows: number): NodeJS.WriteStream {
  const stream = new Writable({write: (_chunk, _enc, done) => done()}) as unknown as NodeJS.WriteStream
  Object.assign(stream, {isTTY: true, columns, rows})
  return stream
}

/** A TTY-like stdin in raw mode that never types anything. */
function idleKeyboard(): NodeJS.ReadStream & PassThrough {
  const stream = new PassThrough() as unknown as NodeJS.ReadStream & PassThrough
  Object.assign(stream, {isTTY: true, isRaw: true, setRawMode: () => stream, ref: () => stream, unref: () => stream})
  return stream
}
