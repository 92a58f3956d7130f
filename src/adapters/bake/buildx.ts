/**
 * `docker buildx bake --print` as a plan source (bake.md §10). Needs only the buildx client.
 */
import {spawn} from 'node:child_process'
import {ExternalError} from '../../errors.js'
import {InputError} from '../../domain/errors.js'
import {buildxNotFound, saysBuildxMissing} from '../engine/buildx-missing.js'

interface RunResult {
  code: number
  stdout: string
  stderr: string
}

function run(cmd: string, args: string[], options: {cwd: string; env: Record<string, string | undefined>; timeoutMs?: number}): Promise<RunResult> {
  return new Promise((resolve) => {
    let child
    try {
      child = spawn(cmd, args, {cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe']})
    } catch (err) {
      resolve({code: 127, stdout: '', stderr: (err as Error).message})
      return
    }
    const out: Buffer[] = []
    const errb: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => errb.push(b))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('error', (err) => {
      clearTimeout(timer)
      resolve({code: 127, stdout: '', stderr: err.message})
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errb).toString('utf8')})
    })
  })
}

/** `docker buildx version` works → the buildx version line, else undefined. */
export async function detectBuildx(options: {cwd: string; env: Record<string, string | undefined>}): Promise<string | undefined> {
  const r = await run('docker', ['buildx', 'version'], {...options, timeoutMs: 20_000})
  return r.code === 0 ? r.stdout.trim() : undefined
}

/** Runs `docker buildx bake --print` and returns its parsed JSON. */
export async function buildxPrint(options: {
  cwd: string
  env: Record<string, string | undefined>
  files: string[]
  targets: string[]
  set: string[]
  vars: Record<string, string>
}): Promise<unknown> {
  const args = ['buildx', 'bake', '--print']
  for (const f of options.files) args.push('-f', f)
  for (const s of options.set) args.push('--set', s)
  for (const [k, v] of Object.entries(options.vars)) args.push('--var', `${k}=${v}`)
  args.push(...options.targets)
  const r = await run('docker', args, options)
  if (r.code === 127 && /ENOENT/.test(r.stderr)) throw buildxNotFound('docker is not on PATH')
  if (r.code !== 0 && saysBuildxMissing(r.stderr)) throw buildxNotFound(r.stderr.trim().split('\n')[0]!)
  if (r.code !== 0) {
    const msg = r.stderr.trim().split('\n').slice(-5).join('\n') || `exit code ${r.code}`
    // buildx reports definition problems as `ERROR: file:line…`: those are the user's input
    if (/ERROR: .*\.(hcl|json|ya?ml):\d+/.test(r.stderr) || /failed to find target|could not find any target|Validation failed|cycle not allowed/.test(r.stderr)) {
      const m = /([^\s:]+\.(?:hcl|json|ya?ml)):(\d+)/.exec(r.stderr)
      throw new InputError(`docker buildx bake --print failed: ${msg}`, m ? {file: m[1], position: {line: Number(m[2])}} : {file: options.files.join(', ') || undefined})
    }
    throw new ExternalError(`docker buildx bake --print failed: ${msg}`, {fix: 'run it by hand to see the full error, or use --source builtin'})
  }
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new ExternalError('docker buildx bake --print did not print JSON', {fix: 'check the docker/buildx installation, or use --source builtin'})
  }
}
