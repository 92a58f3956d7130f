/**
 * Time to first frame of the explain view, for the benchmark (bench/ calls it). Not asserted in tests.
 */
import {PassThrough, Writable} from 'node:stream'
import {performance} from 'node:perf_hooks'
import type {Explanation} from '../domain/explain/types.js'

/** A writable that looks like a terminal of the given size, and records what is written. */
export function fakeTerminal(columns: number, rows: number): NodeJS.WriteStream & {output: string[]} {
  const output: string[] = []
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      output.push(String(chunk))
      done()
    },
  }) as unknown as NodeJS.WriteStream & {output: string[]}
  Object.assign(stream, {isTTY: true, columns, rows, output})
  return stream
}

/** A readable that looks like a TTY stdin in raw mode; write key sequences to it. */
export function fakeKeyboard(): NodeJS.ReadStream & PassThrough {
  const stream = new PassThrough() as unknown as NodeJS.ReadStream & PassThrough
  Object.assign(stream, {isTTY: true, isRaw: true, setRawMode: () => stream, ref: () => stream, unref: () => stream})
  return stream
}

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
  const stdout = fakeTerminal(options.columns ?? 160, options.rows ?? 50)
  const stdin = fakeKeyboard()
  const firstFrame = new Promise<number>((resolve) => {
    const original = stdout.write.bind(stdout)
    stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      // the first write with visible content (not only escape codes) is the first frame
      if (String(chunk).replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '').trim() !== '') resolve(performance.now() - start)
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest)
    }) as typeof stdout.write
  })
  const app = mountExplainApp({explanation, stdin, stdout, stderr: fakeTerminal(80, 24), alternateScreen: false})
  try {
    return await firstFrame
  } finally {
    app.unmount()
    stdin.destroy()
  }
}
