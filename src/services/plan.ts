/**
 * `bakedoctor plan` / `plan diff`: resolve bake files into a Plan, from `docker buildx bake --print`
 * or bakedoctor's own resolver (same model either way), and compare two plans.
 */
import {existsSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {UsageError} from '../errors.js'
import {type Plan, planFromPrintJson, planHash} from '../domain/bake/plan.js'
import {resolveBake} from '../domain/bake/resolve.js'
import {type PlanDiff, diffPlan} from '../domain/bake/plan-diff.js'
import type {Redactor} from '../domain/redact/policy.js'

export type PlanSource = 'auto' | 'buildx' | 'builtin'

export interface ResolvePlanOptions {
  cwd: string
  /** -f values in order; empty = BUILDX_BAKE_FILE or the default lookup */
  files?: string[]
  targets?: string[]
  set?: string[]
  vars?: Record<string, string>
  source?: PlanSource
  /** environment visible to bake (the caller passes process.env) */
  env: Record<string, string | undefined>
  /** read the bake files as of this git revision (built-in resolver only) */
  rev?: string
  /** stdin reader for `-f -` */
  stdin?: () => Promise<string>
  now?: () => Date
}

export interface ResolvedPlan {
  plan: Plan
  source: 'buildx' | 'builtin'
  files: string[]
  /** sha256 of the canonical plan JSON */
  hash: string
  /** the target names the request expands to (through groups) */
  targets: string[]
}

function localPlatform(): string {
  const arch: Record<string, string> = {x64: 'amd64', arm64: 'arm64/v8', arm: 'arm/v7', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64'}
  const platform = process.platform === 'win32' ? 'windows' : process.platform
  return `${platform}/${arch[process.arch] ?? process.arch}`
}

/** Target names a request expands to through the plan's groups. */
export function expandPlanTargets(plan: Plan, requested: string[]): string[] {
  const out: string[] = []
  const visit = (name: string, stack: string[]): void => {
    if (plan.target[name]) {
      if (!out.includes(name)) out.push(name)
      return
    }
    const g = plan.group[name]
    if (g && !stack.includes(name)) for (const t of g.targets) visit(t, [...stack, name])
  }
  for (const r of requested.length ? requested : ['default']) visit(r.replace(/\./g, '_'), [])
  return out
}

export async function resolvePlan(options: ResolvePlanOptions): Promise<ResolvedPlan> {
  const files = await import('../adapters/bake/files.js')
  const source = options.source ?? 'auto'
  const targets = options.targets ?? []
  const set = options.set ?? []
  const vars = options.vars ?? {}

  let useBuildx = source === 'buildx'
  if (source === 'auto' && !options.rev) {
    const {detectBuildx} = await import('../adapters/bake/buildx.js')
    useBuildx = (await detectBuildx({cwd: options.cwd, env: options.env})) !== undefined
  }
  if (useBuildx) {
    if (options.rev) throw new UsageError('--rev needs the built-in resolver', {fix: 'use --source builtin (or auto) with --rev'})
    const {buildxPrint} = await import('../adapters/bake/buildx.js')
    const doc = await buildxPrint({cwd: options.cwd, env: options.env, files: options.files ?? [], targets, set, vars})
    const plan = planFromPrintJson(doc)
    const names = options.files?.length ? options.files : files.DEFAULT_BAKE_FILES.filter((f) => existsSync(path.join(options.cwd, f)))
    return {plan, source: 'buildx', files: names, hash: planHash(plan), targets: expandPlanTargets(plan, targets)}
  }

  let texts
  if (options.rev) {
    const git = await import('../adapters/bake/git.js')
    const names = options.files?.length ? options.files : await git.existingAtRevision(options.cwd, options.rev, files.DEFAULT_BAKE_FILES)
    if (names.length === 0) throw new UsageError(`couldn't find a bake definition at revision ${options.rev}`, {fix: 'pass -f FILE'})
    texts = await git.readFilesAtRevision(options.cwd, options.rev, names)
  } else {
    const names = files.findBakeFiles({cwd: options.cwd, files: options.files, env: options.env})
    texts = await files.readBakeFiles(names, options.cwd, options.stdin)
  }
  const dotenv = await files.readDotenv(options.cwd)
  const parsed = await files.parseBakeFiles(texts, dotenv)
  const plan = resolveBake({
    files: parsed.files,
    compose: parsed.compose,
    targets,
    set,
    vars,
    env: options.env,
    fnEnv: {now: options.now ?? (() => new Date()), homedir: os.homedir()},
    localPlatform: localPlatform(),
  })
  return {plan, source: 'builtin', files: texts.map((t) => t.name), hash: planHash(plan), targets: expandPlanTargets(plan, targets)}
}

/**
 * The redaction policy for showing plans (issue #13), with the index's salt when there is an index,
 * so that the `secret:…` markers shown match the ones `build` stored.
 */
async function displayRedactor(options: {db?: string; cwd: string}): Promise<Redactor> {
  const {resolveDbPath} = await import('../adapters/db/open.js')
  const file = resolveDbPath({db: options.db, cwd: options.cwd})
  if (existsSync(file)) {
    try {
      const {IndexStore} = await import('../adapters/db/index-store.js')
      ;(await IndexStore.open(file, {readonly: true})).close()
    } catch {
      // an unreadable index costs the matching markers, not the plan
    }
  }
  const {outputRedactor} = await import('../lib/redact.js')
  return outputRedactor()
}

/** A resolved plan as it may be shown: secret args and token-shaped values hashed, the hash over that. */
function redactResolved(resolved: ResolvedPlan, redactor: Redactor): ResolvedPlan {
  const plan = redactor.plan(resolved.plan)
  const hash = planHash(plan)
  return hash === resolved.hash ? resolved : {...resolved, plan, hash}
}

/** `bakedoctor plan`: the resolved plan through the redaction policy. */
export async function showPlan(options: ResolvePlanOptions & {db?: string}): Promise<ResolvedPlan> {
  const resolved = await resolvePlan(options)
  return redactResolved(resolved, await displayRedactor(options))
}

/** One side of a plan comparison. */
export type PlanRef = {kind: 'files'; files: string[]} | {kind: 'rev'; rev: string} | {kind: 'run'; runId: string}

export interface DiffPlansOptions {
  cwd: string
  env: Record<string, string | undefined>
  left: PlanRef
  right: PlanRef
  /** -f files used with rev refs */
  files?: string[]
  targets?: string[]
  set?: string[]
  vars?: Record<string, string>
  source?: PlanSource
  /** index location for run refs */
  db?: string
}

export interface PlanDiffResult {
  left: {label: string; hash: string}
  right: {label: string; hash: string}
  diff: PlanDiff
}

/** Classifies a positional `plan diff` argument: an existing file, else a run id. */
export function planRefFromArg(arg: string, cwd: string): PlanRef {
  if (arg === '-' || existsSync(path.resolve(cwd, arg))) return {kind: 'files', files: [arg]}
  return {kind: 'run', runId: arg}
}

async function loadRef(ref: PlanRef, options: DiffPlansOptions): Promise<{plan: Plan; label: string}> {
  if (ref.kind === 'run') {
    const {loadPlanForRun} = await import('./run-plans.js')
    return {plan: await loadPlanForRun({db: options.db, cwd: options.cwd, runId: ref.runId}), label: `run ${ref.runId}`}
  }
  const common = {cwd: options.cwd, env: options.env, targets: options.targets, set: options.set, vars: options.vars}
  if (ref.kind === 'rev') {
    const r = await resolvePlan({...common, files: options.files, rev: ref.rev, source: 'builtin'})
    return {plan: r.plan, label: ref.rev}
  }
  const r = await resolvePlan({...common, files: ref.files, source: options.source ?? 'builtin'})
  return {plan: r.plan, label: ref.files.join(', ')}
}

export async function diffPlans(options: DiffPlansOptions): Promise<PlanDiffResult> {
  const loaded = [await loadRef(options.left, options), await loadRef(options.right, options)]
  // both sides through the same policy and salt: a plan recorded by `build` holds markers, a bake
  // file plaintext; compared redacted, an unchanged secret is unchanged and a changed one changed
  const redactor = await displayRedactor(options)
  const [a, b] = loaded.map((side) => ({...side, plan: redactor.plan(side.plan)})) as [typeof loaded[0], typeof loaded[0]]
  return {left: {label: a.label, hash: planHash(a.plan)}, right: {label: b.label, hash: planHash(b.plan)}, diff: diffPlan(a.plan, b.plan)}
}
