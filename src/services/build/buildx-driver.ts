import {mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {canonicalPlanJson, planFromPrintJson, planHash, type PlanTarget} from '../../domain/bake/plan.js'
import {eventTarget} from '../../domain/events/event-target.js'
import {attachInputs} from '../../domain/inputs/compute.js'
import {baseDigestsFromSteps, lookupBaseDigest, neededImages} from '../../domain/inputs/base-images.js'
import type {Run, StepInputs} from '../../domain/model/run.js'
import {parseMetadataFile} from '../../domain/metadata/parse-metadata.js'
import {applyProvenance, parseProvenanceInputs, provenanceInMetadata} from '../../domain/provenance/sources.js'
import {recordRun, RunRecording} from '../record.js'
import {computeInputsFor, defaultPlatform, isRemoteContext, loadDockerfile, secretArgValues} from './recorded-inputs.js'
import {summarize} from './summary.js'
import type {BuildResult, DriverOptions} from './types.js'

/**
 * The buildx driver: one `docker buildx bake --progress=rawjson` for all targets, one recorded run.
 * Recorded inputs are computed for targets whose context is a local directory (best effort: the
 * base digests come from the FROM vertex names).
 */
export async function runBuildxBuilds(options: DriverOptions): Promise<BuildResult> {
  const {bakePrint, bakeRun} = await import('../../adapters/engine/buildx.js')
  const {createDecoder} = await import('../../adapters/input/read-events.js')
  const {readGitInfo} = await import('../../adapters/git.js')

  const inv = {dockerBin: options.dockerBin, files: options.files, set: options.set, targets: options.targets, cwd: options.cwd, env: options.env}
  const plan = planFromPrintJson(await bakePrint(inv))
  const targets = Object.keys(plan.target)
  const single = targets.length === 1 ? targets[0] : undefined
  // the CLI's own text lines (`ERROR: …`) among the events: the failure message when the build fails
  const textLines: string[] = []
  const recording = new RunRecording({target: single, knownTargets: targets, source: 'rawjson'}, (event) => {
    if (event.type === 'skipped' && event.text.trim() !== '') {
      textLines.push(event.text)
      if (textLines.length > 50) textLines.shift()
    }
    options.onEvent?.(event, eventTarget(event, single))
  })
  const decoder = await createDecoder('rawjson')
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-bake-'))
  const metadataFile = path.join(tmp, 'metadata.json')
  let outcome: {exitCode: number; cancelled: boolean}
  let metadataText: string | undefined
  try {
    // the metadata file then carries the build record's provenance (mode=max: every step's definition)
    const env = {...(inv.env ?? process.env), BUILDX_METADATA_PROVENANCE: 'max'}
    outcome = await bakeRun({...inv, env, metadataFile, signal: options.signal, onLine: (text, line) => recording.pushAll(decoder.push(text, line))})
    recording.pushAll(decoder.end())
    metadataText = await readFile(metadataFile, 'utf8').catch(() => undefined)
  } finally {
    await rm(tmp, {recursive: true, force: true})
  }

  let run = recording.finish()
  if (outcome.cancelled) run = {...run, status: 'cancelled', error: 'cancelled'}
  else if (outcome.exitCode !== 0 && run.status === 'completed') {
    const message = textLines.filter((l) => /error/i.test(l)).at(-1) ?? textLines.at(-1) ?? `docker buildx bake exited with ${outcome.exitCode}`
    run = {...run, status: 'failed', error: message.replace(/^ERROR:\s*/, '')}
  }
  let secretValues: string[] = []
  if (metadataText !== undefined) {
    try {
      const parsed = parseMetadataFile(metadataText, {salt: options.salt, target: single})
      run.metadata = parsed.metadata
      secretValues = parsed.secretValues
    } catch {
      // a metadata file we cannot read costs the metadata, not the run
    }
    try {
      const parsed = parseProvenanceInputs(provenanceInMetadata(metadataText, 'metadata.json'), options.salt)
      run = applyProvenance(run, parsed.records, {target: single, sources: ['metadata.json']}).run
      secretValues.push(...parsed.secretValues)
    } catch {
      // provenance we cannot use costs the definitions, not the run
    }
  }
  for (const t of Object.values(plan.target)) secretValues.push(...secretArgValues(t.args ?? {}))

  run = attachInputs(run, await recordedInputs(run, plan.target, single, options))
  const git = await readGitInfo(options.cwd, options.env).catch(() => undefined)
  if (git) run.git = git
  run.labels = {}
  const {id} = await recordRun(options.db, {run, plan: {hash: planHash(plan), json: canonicalPlanJson(plan)}, secretValues})
  const summary = summarize(id, run, undefined, undefined)
  return {driver: 'buildx', db: options.db, runs: [summary], ok: run.status === 'completed', cancelled: outcome.cancelled}
}

/** Recorded inputs of the targets whose context is a local directory. */
async function recordedInputs(run: Run, targets: Record<string, PlanTarget>, single: string | undefined, options: DriverOptions): Promise<Map<string, StepInputs>> {
  const {walkContext} = await import('../../adapters/context/walk.js')
  const baseFromNames = baseDigestsFromSteps(run)
  const inputs = new Map<string, StepInputs>()
  for (const [name, target] of Object.entries(targets)) {
    const context = target.context ?? '.'
    if (isRemoteContext(context)) continue
    const contextDir = path.resolve(options.cwd, context)
    const platforms = target.platforms?.length ? target.platforms : [undefined]
    try {
      const walk = await walkContext(contextDir, {dockerfile: target.dockerfile ? path.resolve(contextDir, target.dockerfile) : undefined})
      for (const platform of platforms) {
        const ctx = await loadDockerfile(target, contextDir, options.cwd, target.args ?? {}, platform)
        const baseImages: Record<string, string> = {}
        for (const ref of neededImages(ctx.stepPlan)) {
          const digest = lookupBaseDigest(baseFromNames, ref)
          if (digest) baseImages[ref] = digest
        }
        const computed = computeInputsFor(ctx, walk.entries, {
          baseImages,
          platform: platform ?? defaultPlatform(),
          namePlatform: platforms.length > 1 ? platform : undefined,
          salt: options.salt,
          target: single ? undefined : name,
        })
        for (const [k, v] of computed) inputs.set(k, v)
      }
    } catch {
      // inputs are best effort for the buildx driver: the build itself is recorded regardless
    }
  }
  return inputs
}
