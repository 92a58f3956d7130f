import path from 'node:path'
import {canonicalPlanJson, planHash} from '../../domain/bake/plan.js'
import {attachInputs} from '../../domain/inputs/compute.js'
import {neededImages, pickDigest} from '../../domain/inputs/base-images.js'
import type {Run} from '../../domain/model/run.js'
import {UsageError} from '../../errors.js'
import {registerSecret} from '../../lib/redact.js'
import {recordRun, RunRecording} from '../record.js'
import {computeInputsFor, defaultPlatform, isRemoteContext, loadDockerfile, maskArgsForRecord, secretArgValues} from './recorded-inputs.js'
import {resolveBuildPlan} from './resolve-plan.js'
import {summarize} from './summary.js'
import type {BuildResult, BuildTargetRun, DriverOptions} from './types.js'

/**
 * The engine driver: each target × platform is one build through the Docker Engine API, one
 * recorded run, with the inputs of every step (context files, args, base digests) attached.
 */
export async function runEngineBuilds(options: DriverOptions): Promise<BuildResult> {
  const resolved = await resolveBuildPlan(options)
  const {EngineClient} = await import('../../adapters/engine/client.js')
  const {runEngineBuild} = await import('../../adapters/engine/driver.js')
  const {walkContext} = await import('../../adapters/context/walk.js')
  const {readGitInfo} = await import('../../adapters/git.js')
  const client = new EngineClient(options.env.DOCKER_HOST)
  const runs: BuildTargetRun[] = []
  let cancelled = false
  try {
    await client.ping()
    const git = await readGitInfo(options.cwd, options.env).catch(() => undefined)
    const planRecord = resolved.dockerfileOnly ? undefined : {hash: planHash(resolved.plan), json: canonicalPlanJson(resolved.plan)}
    for (const name of resolved.targets) {
      const target = resolved.plan.target[name]
      if (!target) throw new UsageError(`target "${name}" is not in the plan`, {fix: `use one of: ${Object.keys(resolved.plan.target).join(', ')}`})
      const context = target.context ?? '.'
      if (isRemoteContext(context)) {
        throw new UsageError(`target "${name}" has a remote context (${context}); the engine driver builds local contexts only`, {fix: 'use --driver buildx'})
      }
      const contextDir = path.resolve(resolved.baseDir, context)
      const platforms = target.platforms?.length ? target.platforms : [undefined]
      const args = {...target.args}
      const secretValues = secretArgValues(args)
      for (const v of secretValues) registerSecret(v)
      for (const platform of platforms) {
        if (options.signal?.aborted) {
          cancelled = true
          break
        }
        const inputsCtx = await loadDockerfile(target, contextDir, resolved.baseDir, args, platform)
        const walk = await walkContext(contextDir, {dockerfile: inputsCtx.dockerfilePath})
        const baseImages: Record<string, string> = {}
        for (const ref of neededImages(inputsCtx.stepPlan)) {
          const info = await client.inspectImage(ref).catch(() => undefined)
          if (info) baseImages[ref] = pickDigest(ref, info.repoDigests) ?? info.id
        }
        const recording = new RunRecording({target: name, source: 'engine', knownTargets: [name]}, (event) => options.onEvent?.(event, name))
        const outcome = await runEngineBuild({
          client,
          context: contextDir,
          dockerfile: inputsCtx.dockerfilePath,
          walk,
          params: {
            tags: target.tags,
            target: target.target,
            buildArgs: args,
            labels: target.labels,
            networkMode: target.network || 'none',
            platform,
            noCache: target['no-cache'],
            pull: target.pull,
            cacheFrom: (target['cache-from'] ?? []).filter((c) => c.type === 'registry' && c.ref).map((c) => c.ref!),
          },
          signal: options.signal,
          onEvent: (event) => recording.push(event),
        })
        let run: Run = recording.finish()
        if (outcome.cancelled) {
          run = {...run, status: 'cancelled', error: 'cancelled'}
          cancelled = true
        } else if (outcome.error && run.status === 'completed') run = {...run, status: 'failed', error: outcome.error}
        else if (outcome.interrupted && (run.status === 'completed' || run.status === 'incomplete')) {
          // the Engine's response stream broke off: record what was seen, as incomplete
          run = {...run, status: 'incomplete', error: `the Docker Engine's build stream was cut before the build finished (${outcome.interrupted})`}
        }
        const inputs = computeInputsFor(inputsCtx, walk.entries, {baseImages, platform: platform ?? defaultPlatform(), salt: options.salt, target: name})
        run = attachInputs(run, inputs)
        run.labels = {}
        if (git) run.git = git
        if (platform && run.platforms.length === 0) run.platforms = [platform]
        run.metadata = {buildArgs: {[name]: maskArgsForRecord(args, options.salt)}, baseImages: {[`${name}${platform ? `@${platform}` : ''}`]: baseImages}}
        const {id} = await recordRun(options.db, {run, plan: planRecord, secretValues})
        runs.push(summarize(id, run, platform, outcome.imageId))
        if (cancelled) break
      }
      if (cancelled) break
    }
  } finally {
    await client.close()
  }
  return {driver: 'engine', db: options.db, runs, ok: !cancelled && runs.length > 0 && runs.every((r) => r.status === 'completed'), cancelled}
}
