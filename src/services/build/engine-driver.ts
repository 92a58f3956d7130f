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
 * The engine driver: each target × platform is one build through the Docker Engine API; the targets
 * of one command (per platform) are one recorded run, with the inputs of every step (context files,
 * args, base digests) attached. The run's platform is the one asked for, else the engine's.
 */
export async function runEngineBuilds(options: DriverOptions): Promise<BuildResult> {
  const resolved = await resolveBuildPlan(options)
  const {EngineClient} = await import('../../adapters/engine/client.js')
  const {runEngineBuild} = await import('../../adapters/engine/driver.js')
  const {walkContext} = await import('../../adapters/context/walk.js')
  const {readGitInfo} = await import('../../adapters/git.js')
  const client = new EngineClient(options.env.DOCKER_HOST)
  let engineOsArch: string | undefined
  /** the platform the engine builds for when none is asked: its own (GET /version), else this host's */
  const enginePlatform = async (): Promise<string> => (engineOsArch ??= (await client.platform().catch(() => undefined)) ?? defaultPlatform())
  const runs: BuildTargetRun[] = []
  let cancelled = false
  try {
    await client.ping()
    const git = await readGitInfo(options.cwd, options.env).catch(() => undefined)
    const planRecord = resolved.dockerfileOnly ? undefined : {hash: planHash(resolved.plan), json: canonicalPlanJson(resolved.plan)}
    const targets = resolved.targets.map((name) => {
      const target = resolved.plan.target[name]
      if (!target) throw new UsageError(`target "${name}" is not in the plan`, {fix: `use one of: ${Object.keys(resolved.plan.target).join(', ')}`})
      const context = target.context ?? '.'
      if (isRemoteContext(context)) {
        throw new UsageError(`target "${name}" has a remote context (${context}); the engine driver builds local contexts only`, {fix: 'use --driver buildx'})
      }
      // the Engine API has no no-cache-filter parameter: building anyway would silently use the cache
      if (target['no-cache-filter']?.length) {
        throw new UsageError(`target "${name}" sets no-cache-filter (${target['no-cache-filter'].join(', ')}), which the engine driver cannot apply: the Docker Engine API has no such parameter`, {
          fix: 'use --driver buildx (BuildKit applies no-cache-filter), or drop no-cache-filter (no-cache=true disables the cache for every stage)',
        })
      }
      return {name, target, contextDir: path.resolve(resolved.baseDir, context)}
    })
    // One command is one run (per platform): a stage one target executed and the next reused is
    // served in-run, not a cache hit — as in a bake stream.
    const platforms = [...new Set(targets.flatMap(({target}) => (target.platforms?.length ? target.platforms : [undefined])))]
    for (const platform of platforms) {
      const group = targets.filter(({target}) => (target.platforms?.length ? target.platforms.includes(platform!) : platform === undefined))
      const names = group.map((g) => g.name)
      const recording = new RunRecording({target: names.length === 1 ? names[0] : undefined, source: 'engine', knownTargets: names}, (event) => options.onEvent?.(event, currentTarget))
      let currentTarget = names[0]!
      const secretValues: string[] = []
      const buildArgs: Record<string, Record<string, string>> = {}
      const baseImagesByTarget: Record<string, Record<string, string>> = {}
      const inputsByTarget: Parameters<typeof attachInputs>[1][] = []
      let error: string | undefined
      let interrupted: string | undefined
      let imageId: string | undefined
      for (const {name, target, contextDir} of group) {
        if (options.signal?.aborted) {
          cancelled = true
          break
        }
        currentTarget = name
        const args = {...target.args}
        const targetSecrets = secretArgValues(args)
        for (const v of targetSecrets) registerSecret(v)
        secretValues.push(...targetSecrets)
        const inputsCtx = await loadDockerfile(target, contextDir, resolved.baseDir, args, platform)
        const walk = await walkContext(contextDir, {dockerfile: inputsCtx.dockerfilePath})
        const baseImages: Record<string, string> = {}
        for (const ref of neededImages(inputsCtx.stepPlan)) {
          const info = await client.inspectImage(ref).catch(() => undefined)
          if (info) baseImages[ref] = pickDigest(ref, info.repoDigests) ?? info.id
        }
        // the steps that follow belong to this target (the Engine's vertex names carry none)
        recording.push({type: 'record', record: {target: name}, position: {}})
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
        imageId = outcome.imageId ?? imageId
        inputsByTarget.push(computeInputsFor(inputsCtx, walk.entries, {baseImages, platform: platform ?? (await enginePlatform()), salt: options.salt, target: name}))
        buildArgs[name] = maskArgsForRecord(args, options.salt)
        baseImagesByTarget[`${name}${platform ? `@${platform}` : ''}`] = baseImages
        if (outcome.cancelled) {
          cancelled = true
          break
        }
        if (outcome.error) {
          error ??= names.length > 1 ? `${name}: ${outcome.error}` : outcome.error
          break
        }
        if (outcome.interrupted) {
          interrupted = outcome.interrupted
          break
        }
      }
      let run: Run = recording.finish()
      if (cancelled) run = {...run, status: 'cancelled', error: 'cancelled'}
      else if (error && run.status === 'completed') run = {...run, status: 'failed', error}
      else if (interrupted && (run.status === 'completed' || run.status === 'incomplete')) {
        // the Engine's response stream broke off: record what was seen, as incomplete
        run = {...run, status: 'incomplete', error: `the Docker Engine's build stream was cut before the build finished (${interrupted})`}
      }
      for (const inputs of inputsByTarget) run = attachInputs(run, inputs)
      run.labels = {}
      if (git) run.git = git
      if (run.platforms.length === 0) run.platforms = [platform ?? (await enginePlatform())]
      run.metadata = {buildArgs, baseImages: baseImagesByTarget}
      const {id} = await recordRun(options.db, {run, plan: planRecord, secretValues})
      runs.push(summarize(id, run, platform, imageId))
      if (cancelled) break
    }
  } finally {
    await client.close()
  }
  return {driver: 'engine', db: options.db, runs, ok: !cancelled && runs.length > 0 && runs.every((r) => r.status === 'completed'), cancelled}
}
