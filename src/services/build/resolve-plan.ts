import {existsSync} from 'node:fs'
import path from 'node:path'
import {dockerfileTarget} from '../../domain/bake/dockerfile-target.js'
import type {Plan, PlanTarget} from '../../domain/bake/plan.js'
import {UsageError} from '../../errors.js'
import type {BuildOptions} from './types.js'

const BAKE_FILES = [
  'compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml',
  'docker-bake.json', 'docker-bake.hcl', 'docker-bake.override.json', 'docker-bake.override.hcl',
]

export function isBakeFile(file: string): boolean {
  return /\.(hcl|json|ya?ml)$/i.test(file) || BAKE_FILES.includes(path.basename(file))
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
    const target: PlanTarget = dockerfileTarget(name, {context, dockerfile, target: options.targets[0]}, options.set, options.env ?? process.env)
    return {plan: {group: {}, target: {[name]: target}}, targets: [name], baseDir: options.cwd, dockerfileOnly: true}
  }
  const {resolvePlan} = await import('../plan.js')
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
