import {spawn} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import path from 'node:path'

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = path.join(PROJECT_ROOT, 'bin/run.js')

export interface CliResult {
  stdout: string
  stderr: string
  exitCode: number
  /** stdout parsed as JSON when it is JSON */
  json?: unknown
  /** with `measurePeakRss`: the child's peak resident set (VmHWM), kB */
  peakKb?: number
}

/**
 * Runs the real CLI (`node bin/run.js …`, compiled `dist/`: `npm run build` first; `npm test` does)
 * as a child process, the way a user would. `input` is written to stdin.
 */
export async function runCli(
  args: string[],
  options: {cwd?: string; env?: Record<string, string | undefined>; input?: string | Buffer; timeoutMs?: number; measurePeakRss?: boolean} = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: {...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env},
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (b: Buffer) => out.push(b))
  child.stderr.on('data', (b: Buffer) => err.push(b))
  child.stdin.on('error', () => {})
  if (options.input !== undefined) child.stdin.end(options.input)
  else child.stdin.end()
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  // peak memory: sample VmHWM from /proc while the child runs (bounded-memory tests)
  let peakKb: number | undefined
  const sampler = options.measurePeakRss
    ? setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (status) => {
            const m = /VmHWM:\s+(\d+) kB/.exec(status)
            if (m) peakKb = Math.max(peakKb ?? 0, Number(m[1]))
          },
          () => {},
        )
      }, 10)
    : undefined
  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 137)))
  clearTimeout(timer)
  if (sampler) clearInterval(sampler)
  const stdout = Buffer.concat(out).toString('utf8')
  let json: unknown
  try {
    json = JSON.parse(stdout)
  } catch {
    json = undefined
  }
  return {stdout, stderr: Buffer.concat(err).toString('utf8'), exitCode, json, ...(options.measurePeakRss ? {peakKb: peakKb ?? 0} : {})}
}
