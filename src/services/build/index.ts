import {resolveDbPath} from '../../adapters/db/open.js'
import {THRESHOLD_NAMES} from '../../domain/gate/rule-registry.js'
import {readSecretSalt} from '../record.js'
import {isBakeFile} from './resolve-plan.js'
import type {BuildOptions, BuildResult} from './types.js'

export type {BuildDriver, BuildOptions, BuildPlatformTotals, BuildResult, BuildTargetRun} from './types.js'

/**
 * `bakedoctor build`: resolve the plan, run each target through a driver (each records its runs
 * through the record pipeline, ../record.ts), then — when asked — explain every recorded run and
 * gate every run of a build that succeeded. Returns the typed result; the command presents it.
 */
export async function runBuild(options: BuildOptions): Promise<BuildResult> {
  const env = options.env ?? process.env
  const dockerBin = options.dockerBin ?? 'docker'
  const driver = options.driver === 'auto' ? ((await buildxAvailable(dockerBin, env)) ? 'buildx' : 'engine') : options.driver
  const db = resolveDbPath({db: options.db, bakeFile: options.files.find(isBakeFile), cwd: options.cwd})
  const salt = await readSecretSalt(db)
  const driverOptions = {...options, env, dockerBin, db, salt}
  const result = driver === 'buildx'
    ? await (await import('./buildx-driver.js')).runBuildxBuilds(driverOptions)
    : await (await import('./engine-driver.js')).runEngineBuilds(driverOptions)
  if (options.explain && result.runs.length) {
    const {explainRun} = await import('../explain.js')
    result.explanations = []
    for (const r of result.runs) result.explanations.push(await explainRun({db, cwd: options.cwd, run: r.id, against: options.against}))
  }
  const gate = options.gate
  if (result.ok && gate && THRESHOLD_NAMES.some((name) => gate[name] !== undefined)) {
    const {gateRun} = await import('../gate.js')
    result.gates = []
    for (const r of result.runs) result.gates.push(await gateRun({db, runId: r.id, cwd: options.cwd, rules: gate}))
  }
  return result
}

async function buildxAvailable(dockerBin: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const {spawn} = await import('node:child_process')
  return await new Promise((resolve) => {
    const child = spawn(dockerBin, ['buildx', 'version'], {env, stdio: 'ignore'})
    child.on('error', () => resolve(false))
    child.on('close', (code) => resolve(code === 0))
  })
}
