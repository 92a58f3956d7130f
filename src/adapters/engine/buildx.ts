import {spawn} from 'node:child_process'
import {ExternalError} from '../../errors.js'
import {buildxNotFound, saysBuildxMissing} from './buildx-missing.js'
import {readLines} from '../input/read-lines.js'

export interface BakeInvocation {
  dockerBin: string
  files: string[]
  set: string[]
  targets: string[]
  cwd: string
  env: NodeJS.ProcessEnv
}

function bakeArgs(inv: BakeInvocation): string[] {
  const args = ['buildx', 'bake']
  for (const f of inv.files) args.push('-f', f)
  for (const s of inv.set) args.push('--set', s)
  return args
}

function spawnError(inv: BakeInvocation, error: NodeJS.ErrnoException): Error {
  if (error.code === 'ENOENT') return buildxNotFound(`${inv.dockerBin} is not on PATH`)
  return new ExternalError(`cannot run ${inv.dockerBin}: ${error.message}`, {cause: error})
}

/** `docker buildx bake --print TARGET…`: the resolved plan as buildx prints it (bake.md §10). */
export async function bakePrint(inv: BakeInvocation): Promise<unknown> {
  const child = spawn(inv.dockerBin, [...bakeArgs(inv), '--print', ...inv.targets], {cwd: inv.cwd, env: inv.env, stdio: ['ignore', 'pipe', 'pipe']})
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (b: Buffer) => out.push(b))
  child.stderr.on('data', (b: Buffer) => err.push(b))
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(spawnError(inv, e)))
    child.on('close', (c) => resolve(c ?? 1))
  })
  const stderr = Buffer.concat(err).toString('utf8').trim()
  if (code !== 0 && saysBuildxMissing(stderr)) throw buildxNotFound(stderr.split('\n')[0]!)
  if (code !== 0) {
    throw new ExternalError(`docker buildx bake --print failed (exit ${code}): ${stderr.split('\n').slice(-3).join(' ') || 'no message'}`, {
      fix: 'check the bake file and the target names',
    })
  }
  try {
    return JSON.parse(Buffer.concat(out).toString('utf8')) as unknown
  } catch (error) {
    throw new ExternalError('docker buildx bake --print did not print JSON', {cause: error})
  }
}

export interface BakeRunOutcome {
  exitCode: number
  cancelled: boolean
}

/**
 * `docker buildx bake TARGET… --progress=rawjson --metadata-file F` as a child process; every stderr
 * line (events, and the CLI's own `ERROR: …` text) goes to `onLine` as it arrives. Aborting the signal
 * sends SIGINT (like Ctrl-C), then SIGKILL after `killAfterMs`.
 */
export async function bakeRun(
  inv: BakeInvocation & {metadataFile: string; signal?: AbortSignal; killAfterMs?: number; onLine: (text: string, line: number) => void},
): Promise<BakeRunOutcome> {
  const args = [...bakeArgs(inv), '--progress=rawjson', '--metadata-file', inv.metadataFile, ...inv.targets]
  const child = spawn(inv.dockerBin, args, {cwd: inv.cwd, env: inv.env, stdio: ['ignore', 'inherit', 'pipe']})
  let cancelled = false
  let killTimer: NodeJS.Timeout | undefined
  const onAbort = (): void => {
    cancelled = true
    child.kill('SIGINT')
    killTimer = setTimeout(() => child.kill('SIGKILL'), inv.killAfterMs ?? 10_000)
  }
  if (inv.signal?.aborted) onAbort()
  else inv.signal?.addEventListener('abort', onAbort, {once: true})
  const closed = new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(spawnError(inv, e)))
    child.on('close', (c, signal) => resolve(c ?? (signal ? 130 : 1)))
  })
  try {
    for await (const line of readLines(child.stderr)) inv.onLine(line.text, line.line)
    const exitCode = await closed
    return {exitCode, cancelled}
  } finally {
    if (killTimer) clearTimeout(killTimer)
    inv.signal?.removeEventListener('abort', onAbort)
  }
}
