import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import type {Plan, PlanTarget} from '../domain/bake/plan.js'
import type {Explanation} from '../domain/explain/types.js'
import {parseDockerfile} from '../domain/dockerfile/parse.js'
import {planSteps, type StepPlan} from '../domain/dockerfile/steps.js'
import {InputError} from '../domain/errors.js'
import type {StreamEvent} from '../domain/events/stream-event.js'
import {attachInputs, computeStepInputs} from '../domain/inputs/compute.js'
import type {ContextEntry} from '../domain/inputs/sources.js'
import type {Run, RunStatus, RunTotals, StepInputs} from '../domain/model/run.js'
import {computeTotals, totalsBy} from '../domain/model/totals.js'
import {hashSecret, isSecretArg} from '../domain/redact/policy.js'
import {ExternalError, UsageError} from '../errors.js'
import {registerSecret} from '../lib/redact.js'

export type BuildDriver = 'auto' | 'buildx' | 'engine'

export interface BuildOptions {
  targets: string[]
  /** -f: bake files, or a Dockerfile for a plain single build */
  files: string[]
  set: string[]
  driver: BuildDriver
  /** --context: build a Dockerfile in this directory without a bake file */
  context?: string
  cwd: string
  db?: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  /** every decoded event, tagged with the target it belongs to (progress views) */
  onEvent?: (event: StreamEvent, target: string | undefined) => void
  /** the docker CLI (buildx driver); default `docker` on PATH */
  dockerBin?: string
  /** explain every recorded run's misses against its baseline (or `against`) */
  explain?: boolean
  against?: string
}

export interface BuildPlatformTotals {
  platform: string
  totals: RunTotals
}

export interface BuildTargetRun {
  /** run id in the index */
  id: string
  targets: string[]
  /** platform requested for this run (engine driver builds one platform per run) */
  platform?: string
  status: RunStatus
  error?: string
  durationMs: number
  totals: RunTotals
  byTarget: Array<{target: string; totals: RunTotals}>
  byPlatform: BuildPlatformTotals[]
  imageId?: string
  /** steps that carry recorded inputs */
  stepsWithInputs: number
}

export interface BuildResult {
  driver: 'engine' | 'buildx'
  db: string
  runs: BuildTargetRun[]
  /** every run completed */
  ok: boolean
  cancelled: boolean
  /** with `explain`: one explanation per recorded run */
  explanations?: Explanation[]
  /** with gate flags (`--min-hit-rate` …): one gate result per recorded run */
  gates?: import('./gate.js').GateResult[]
}

const BAKE_FILES = [
  'compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml',
  'docker-bake.json', 'docker-bake.hcl', 'docker-bake.override.json', 'docker-bake.override.hcl',
]

function isBakeFile(file: string): boolean {
  return /\.(hcl|json|ya?ml)$/i.test(file) || BAKE_FILES.includes(path.basename(file))
}

/** A `--set` value for the Dockerfile fallback: `[target|*].key[.sub]=value`. */
function applySet(target: PlanTarget, name: string, set: string[]): void {
  for (const entry of set) {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new UsageError(`--set "${entry}" is not pattern.key=value`, {fix: 'write it as --set TARGET.args.NAME=value or --set *.platform=linux/amd64'})
    const lhs = entry.slice(0, eq)
    const value = entry.slice(eq + 1)
    const parts = lhs.split('.')
    let keyParts = parts
    if (parts.length > 1 && (parts[0] === '*' || parts[0] === name)) keyParts = parts.slice(1)
    else if (parts.length > 1 && !['args', 'labels'].includes(parts[0]!)) continue
    const [key, sub] = [keyParts[0], keyParts.slice(1).join('.')]
    switch (key) {
      case 'args':
        if (!sub) throw new UsageError(`--set "${entry}" names no build arg`, {fix: 'write it as --set *.args.NAME=value'})
        target.args = {...target.args, [sub]: value}
        break
      case 'labels':
        if (!sub) throw new UsageError(`--set "${entry}" names no label`, {fix: 'write it as --set *.labels.NAME=value'})
        target.labels = {...target.labels, [sub]: value}
        break
      case 'platform':
      case 'platforms':
        target.platforms = value.split(',').filter(Boolean)
        break
      case 'tags':
        target.tags = value.split(',').filter(Boolean)
        break
      case 'target':
        target.target = value
        break
      case 'context':
        target.context = value
        break
      case 'dockerfile':
        target.dockerfile = value
        break
      case 'no-cache':
        target['no-cache'] = value === '' || value === 'true' || value === '1'
        break
      case 'network':
        target.network = value
        break
      default:
        throw new UsageError(`--set key "${key}" is not supported without a bake file`, {fix: 'use args, labels, platform, tags, target, context, dockerfile, no-cache or network'})
    }
  }
}

export interface ResolvedBuildPlan {
  plan: Plan
  /** the targets to build, resolved from groups */
  targets: string[]
  /** where relative contexts are resolved from */
  baseDir: string
  /** built from a plain Dockerfile (no bake file) */
  dockerfileOnly: boolean
}

/**
 * The plan to build: from bake files via the resolver (src/services/plan.ts) when there are any,
 * else a single Dockerfile build (`-f Dockerfile`, `--context DIR`, or ./Dockerfile).
 */
export async function resolveBuildPlan(options: BuildOptions): Promise<ResolvedBuildPlan> {
  const dockerfiles = options.files.filter((f) => !isBakeFile(f))
  const bakeFiles = options.files.filter((f) => isBakeFile(f))
  const defaultBake = BAKE_FILES.some((f) => existsSync(path.join(options.cwd, f)))
  if (dockerfiles.length > 1) throw new UsageError('more than one Dockerfile given with -f', {fix: 'build one Dockerfile at a time, or use a bake file'})
  if (bakeFiles.length === 0 && (dockerfiles.length === 1 || options.context !== undefined || !defaultBake)) {
    const context = path.resolve(options.cwd, options.context ?? (dockerfiles[0] ? path.dirname(dockerfiles[0]) : '.'))
    const dockerfile = dockerfiles[0] ? path.resolve(options.cwd, dockerfiles[0]) : path.join(context, 'Dockerfile')
    if (!existsSync(dockerfile)) {
      throw new UsageError(`no bake file and no Dockerfile at ${path.relative(options.cwd, dockerfile) || dockerfile}`, {
        fix: 'run in a directory with docker-bake.hcl or a Dockerfile, or pass -f FILE / --context DIR',
      })
    }
    if (options.targets.length > 1) throw new UsageError('a Dockerfile build takes at most one TARGET (the stage to build)', {fix: 'pass one stage name, or use a bake file for several targets'})
    const name = options.targets[0] ?? 'default'
    const target: PlanTarget = {context, dockerfile, target: options.targets[0]}
    applySet(target, name, options.set)
    return {plan: {group: {}, target: {[name]: target}}, targets: [name], baseDir: options.cwd, dockerfileOnly: true}
  }
  const {resolvePlan} = await import('./plan.js')
  const resolved = await resolvePlan({
    cwd: options.cwd,
    files: bakeFiles,
    targets: options.targets,
    set: options.set,
    env: options.env ?? process.env,
    source: 'builtin',
  })
  const names = resolved.targets.length ? resolved.targets : expandTargets(resolved.plan, options.targets.length ? options.targets : ['default'])
  return {plan: resolved.plan, targets: names, baseDir: options.cwd, dockerfileOnly: false}
}

function expandTargets(plan: Plan, requested: string[]): string[] {
  const out: string[] = []
  const visit = (name: string, depth: number): void => {
    if (plan.target[name]) {
      if (!out.includes(name)) out.push(name)
      return
    }
    const group = plan.group[name]
    if (group && depth < 32) for (const t of group.targets) visit(t, depth + 1)
  }
  for (const r of requested) visit(r, 0)
  if (out.length === 0) out.push(...Object.keys(plan.target))
  return out
}

interface InputsContext {
  parsed: ReturnType<typeof parseDockerfile>
  dockerfilePath: string
  dockerfileRel: string
  stepPlan: StepPlan
}

async function loadDockerfile(target: PlanTarget, contextDir: string, baseDir: string, args: Record<string, string>, platform: string | undefined): Promise<InputsContext> {
  const dockerfilePath = target.dockerfile ? path.resolve(contextDir, target.dockerfile) : path.join(contextDir, 'Dockerfile')
  let text: string
  if (target['dockerfile-inline'] !== undefined) text = target['dockerfile-inline']
  else {
    try {
      text = await readFile(dockerfilePath, 'utf8')
    } catch (error) {
      throw new InputError('cannot read the Dockerfile', {file: dockerfilePath, fix: 'check the dockerfile and context of the target', cause: error})
    }
  }
  const dockerfileRel = path.relative(baseDir, dockerfilePath) || 'Dockerfile'
  const parsed = parseDockerfile(text, dockerfileRel)
  const stepPlan = planSteps(parsed, {buildArgs: args, target: target.target, platform, file: dockerfileRel})
  return {parsed, dockerfilePath, dockerfileRel, stepPlan}
}

function neededImages(stepPlan: StepPlan): string[] {
  const out = new Set<string>()
  for (const i of stepPlan.needed) {
    const s = stepPlan.stages[i]!
    if (s.base.kind === 'image') out.add(s.base.ref)
    for (const step of s.steps) for (const src of step.sources) if (src.kind === 'image') out.add(src.ref)
  }
  return [...out]
}

/** Secret-looking build-arg values: registered for redaction, scrubbed from the recorded run. */
function secretArgValues(args: Record<string, string>): string[] {
  return Object.entries(args).filter(([k, v]) => v !== '' && isSecretArg(k, v)).map(([, v]) => v)
}

function summarize(id: string, run: Run, platform: string | undefined, imageId: string | undefined): BuildTargetRun {
  const byPlatform = [...totalsBy(run.steps, (s) => s.platform ?? platform ?? '')].map(([p, totals]) => ({platform: p, totals}))
  return {
    id,
    targets: run.targets,
    platform,
    status: run.status,
    error: run.error,
    durationMs: run.durationMs,
    totals: computeTotals(run.steps),
    byTarget: [...totalsBy(run.steps, (s) => s.target ?? '')].map(([target, totals]) => ({target, totals})),
    byPlatform,
    imageId,
    stepsWithInputs: run.steps.filter((s) => s.stepInputs).length,
  }
}

async function buildxAvailable(dockerBin: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const {spawn} = await import('node:child_process')
  return await new Promise((resolve) => {
    const child = spawn(dockerBin, ['buildx', 'version'], {env, stdio: 'ignore'})
    child.on('error', () => resolve(false))
    child.on('close', (code) => resolve(code === 0))
  })
}

/**
 * `bakedoctor build`: resolve the plan, run each target through a driver, fold the events to a Run,
 * attach the recorded inputs, store the run, and summarize per target and platform (design.md §6).
 */
export async function runBuild(options: BuildOptions): Promise<BuildResult> {
  const env = options.env ?? process.env
  const dockerBin = options.dockerBin ?? 'docker'
  let driver: 'engine' | 'buildx'
  if (options.driver === 'auto') driver = (await buildxAvailable(dockerBin, env)) ? 'buildx' : 'engine'
  else driver = options.driver
  const {resolveDbPath} = await import('../adapters/db/open.js')
  const bakeFile = options.files.find(isBakeFile)
  const db = resolveDbPath({db: options.db, bakeFile, cwd: options.cwd})
  const {IndexStore} = await import('../adapters/db/index-store.js')
  const store = await IndexStore.open(db, {create: true})
  let salt: string
  try {
    salt = store.secretSalt()
  } finally {
    store.close()
  }
  const result = driver === 'buildx' ? await runBuildxBuilds({...options, env, dockerBin, db, salt}) : await runEngineBuilds({...options, env, db, salt})
  if (options.explain && result.runs.length) {
    const {explainRun} = await import('./explain.js')
    result.explanations = []
    for (const r of result.runs) result.explanations.push(await explainRun({db, cwd: options.cwd, run: r.id, against: options.against}))
  }
  return result
}

async function runEngineBuilds(options: BuildOptions & {env: NodeJS.ProcessEnv; db: string; salt: string}): Promise<BuildResult> {
  const resolved = await resolveBuildPlan(options)
  const {EngineClient} = await import('../adapters/engine/client.js')
  const {runEngineBuild} = await import('../adapters/engine/driver.js')
  const {walkContext} = await import('../adapters/context/walk.js')
  const {RunFolder} = await import('../domain/steps/fold-run.js')
  const {recordRun} = await import('./ingest.js')
  const {readGitInfo} = await import('../adapters/git.js')
  const {planHash, canonicalPlanJson} = await import('../domain/bake/plan.js')
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
      if (/^[a-z]+:\/\//i.test(context) || context.startsWith('git@')) {
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
        const folder = new RunFolder({target: name, source: 'engine', knownTargets: [name]})
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
          onEvent: (event) => {
            folder.push(event)
            options.onEvent?.(event, name)
          },
        })
        let run = folder.finish()
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
        const {id} = await recordRun({db: options.db, run, plan: planRecord, secretValues})
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

function maskArgsForRecord(args: Record<string, string>, salt: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(args)) out[k] = isSecretArg(k, v) ? secretMask(v, salt) : v
  return out
}

function secretMask(value: string, salt: string): string {
  // same scheme as the inputs (domain/redact hashSecret)
  return hashSecret(value, salt)
}

function pickDigest(ref: string, repoDigests: string[]): string | undefined {
  const pinned = /@(sha256:[0-9a-f]{64})$/.exec(ref)
  if (pinned) return pinned[1]
  const first = repoDigests[0]
  return first ? first.slice(first.indexOf('@') + 1) : undefined
}

function defaultPlatform(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm' ? 'arm' : process.arch
  return `linux/${arch}`
}

export function computeInputsFor(
  ctx: InputsContext,
  entries: readonly ContextEntry[] | undefined,
  options: {baseImages: Record<string, string>; platform: string; namePlatform?: string; salt: string; target?: string},
): Map<string, StepInputs> {
  return computeStepInputs({
    plan: ctx.stepPlan,
    dockerfile: ctx.dockerfileRel,
    platform: options.platform,
    namePlatform: options.namePlatform,
    target: options.target,
    context: entries,
    baseImages: options.baseImages,
    secretSalt: options.salt,
  })
}

export {loadDockerfile, neededImages, secretArgValues, summarize, defaultPlatform, maskArgsForRecord, pickDigest}
export type {InputsContext}

async function runBuildxBuilds(options: BuildOptions & {env: NodeJS.ProcessEnv; dockerBin: string; db: string; salt: string}): Promise<BuildResult> {
  const {bakePrint, bakeRun} = await import('../adapters/engine/buildx.js')
  const {planFromPrintJson, planHash, canonicalPlanJson} = await import('../domain/bake/plan.js')
  const {createRawjsonDecoder} = await import('../domain/events/decode-rawjson.js')
  const {RunFolder} = await import('../domain/steps/fold-run.js')
  const {parseMetadataFile} = await import('../domain/metadata/parse-metadata.js')
  const {walkContext} = await import('../adapters/context/walk.js')
  const {recordRun} = await import('./ingest.js')
  const {readGitInfo} = await import('../adapters/git.js')
  const {mkdtemp, rm} = await import('node:fs/promises')
  const os = await import('node:os')

  const inv = {dockerBin: options.dockerBin, files: options.files, set: options.set, targets: options.targets, cwd: options.cwd, env: options.env}
  const plan = planFromPrintJson(await bakePrint(inv))
  const targets = Object.keys(plan.target)
  const single = targets.length === 1 ? targets[0] : undefined
  const folder = new RunFolder({target: single, knownTargets: targets, source: 'rawjson'})
  const decoder = createRawjsonDecoder()
  const textLines: string[] = []
  const handle = (events: StreamEvent[]): void => {
    for (const event of events) {
      if (event.type === 'skipped' && event.text.trim() !== '') {
        textLines.push(event.text)
        if (textLines.length > 50) textLines.shift()
      }
      folder.push(event)
      options.onEvent?.(event, eventTarget(event, single))
    }
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-bake-'))
  const metadataFile = path.join(tmp, 'metadata.json')
  let outcome: {exitCode: number; cancelled: boolean}
  let metadataText: string | undefined
  try {
    outcome = await bakeRun({...inv, metadataFile, signal: options.signal, onLine: (text, line) => handle(decoder.push(text, line))})
    handle(decoder.end())
    metadataText = await readFile(metadataFile, 'utf8').catch(() => undefined)
  } finally {
    await rm(tmp, {recursive: true, force: true})
  }

  let run = folder.finish()
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
  }
  for (const t of Object.values(plan.target)) secretValues.push(...secretArgValues(t.args ?? {}))
  for (const v of secretValues) registerSecret(v)

  // recorded inputs, for targets whose context is a local directory
  const baseFromNames = baseDigestsFromSteps(run)
  const inputs = new Map<string, StepInputs>()
  for (const [name, target] of Object.entries(plan.target)) {
    const context = target.context ?? '.'
    if (/^[a-z]+:\/\//i.test(context) || context.startsWith('git@')) continue
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
  run = attachInputs(run, inputs)
  const git = await readGitInfo(options.cwd, options.env).catch(() => undefined)
  if (git) run.git = git
  run.labels = {}
  const {id} = await recordRun({db: options.db, run, plan: {hash: planHash(plan), json: canonicalPlanJson(plan)}, secretValues})
  const summary = summarize(id, run, undefined, undefined)
  return {driver: 'buildx', db: options.db, runs: [summary], ok: run.status === 'completed', cancelled: outcome.cancelled}
}

/** The bake target of an event's vertices (`[api 2/4] …` prefix), or the single target. */
function eventTarget(event: StreamEvent, single: string | undefined): string | undefined {
  if (single || event.type !== 'status') return single
  const name = event.status.vertexes?.find((v) => v.name)?.name
  const m = name ? /^\[([^\s\]]+)[\s\]]/.exec(name) : null
  return m?.[1] === 'internal' ? undefined : m?.[1]
}

/** `FROM ref@sha256:…` vertex names → {normalized ref: digest}. */
function baseDigestsFromSteps(run: Run): Map<string, string> {
  const out = new Map<string, string>()
  for (const s of run.steps) {
    if (s.kind !== 'FROM') continue
    const m = /^FROM\s+(\S+)@(sha256:[0-9a-f]{64})/.exec(s.instruction)
    if (m) out.set(normalizeRef(m[1]!), m[2]!)
  }
  return out
}

/** Docker reference normalization: `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeRef(ref: string): string {
  let r = ref.replace(/@sha256:[0-9a-f]{64}$/, '')
  const first = r.split('/')[0]!
  const hasRegistry = r.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  if (!hasRegistry) r = r.includes('/') ? `docker.io/${r}` : `docker.io/library/${r}`
  const last = r.split('/').at(-1)!
  if (!last.includes(':')) r += ':latest'
  return r
}

function lookupBaseDigest(digests: Map<string, string>, ref: string): string | undefined {
  const pinned = /@(sha256:[0-9a-f]{64})$/.exec(ref)
  return pinned?.[1] ?? digests.get(normalizeRef(ref))
}

/** For drivers: a failure to reach Docker at all is an ExternalError; re-exported for the buildx driver. */
export {ExternalError}
