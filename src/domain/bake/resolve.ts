/**
 * The whole built-in resolution, buildx's `ReadLocalFiles → ParseFiles → ReadTargets → --print`
 * (bake.md §0.1, §9, §10), over already-read and structurally parsed files.
 */
import {InputError} from '../errors.js'
import {type StructuredBakeFile, parseFileBody} from './body.js'
import {type ComposeInput, composeToConfig} from './compose.js'
import {type EvaluatedConfig, evaluateBodies} from './evaluate.js'
import type {FunctionEnv} from './functions.js'
import {applyOverrides, globMatch, isGlob, parseOverrides, type Override} from './overrides.js'
import {type Plan, type PlanGroup, byteCompare, orderTarget} from './plan.js'
import {type TargetSpec, mergeTargets, normalizeTarget, toPlanTarget} from './target.js'
import {EvalError} from './value.js'

export interface ResolveInput {
  /** HCL and JSON files in the order given (compose files go in `compose`) */
  files: StructuredBakeFile[]
  compose?: ComposeInput[]
  /** positional targets; empty = `default` */
  targets: string[]
  /** `--set` values in order */
  set?: string[]
  /** `--var NAME=value` */
  vars?: Record<string, string>
  /** environment visible to bake (never process.env directly: domain is pure) */
  env: Record<string, string | undefined>
  fnEnv: FunctionEnv
  localPlatform?: string
}

interface ConfigTarget {
  spec: TargetSpec
  file?: string
  line?: number
}

interface Config {
  targets: Map<string, ConfigTarget>
  groups: Map<string, PlanGroup>
  /** where each HCL/JSON group's targets are defined (for errors) */
  groupLocations: Map<string, {file?: string; line?: number}>
}

function buildConfig(input: ResolveInput): Config {
  const targets = new Map<string, ConfigTarget>()
  const groups = new Map<string, PlanGroup>()
  if (input.compose?.length) {
    const c = composeToConfig(input.compose, input.env, input.vars ?? {})
    for (const t of c.targets) targets.set(t.name, {spec: t.spec, file: t.file})
    if (c.targets.length) groups.set('default', {targets: c.targets.map((t) => t.name)})
  }
  let evaluated: EvaluatedConfig = {targets: [], groups: []}
  if (input.files.length) {
    const bodies = input.files.map(parseFileBody)
    evaluated = evaluateBodies(bodies, {env: input.env, vars: input.vars, fnEnv: input.fnEnv, localPlatform: input.localPlatform})
  }
  for (const t of evaluated.targets) {
    const prev = targets.get(t.name)
    targets.set(t.name, prev ? {spec: mergeTargets(prev.spec, t.spec), file: prev.file ?? t.file, line: prev.line ?? t.line} : {spec: t.spec, file: t.file, line: t.line})
  }
  const groupLocations = new Map<string, {file?: string; line?: number}>()
  for (const g of evaluated.groups) {
    groups.set(g.name, g.description ? {description: g.description, targets: g.targets} : {targets: g.targets})
    groupLocations.set(g.name, {file: g.file, line: g.line})
  }
  return {targets, groups, groupLocations}
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)]
}

/** Resolves the bake definition to the plan `docker buildx bake --print` would show. */
export function resolveBake(input: ResolveInput): Plan {
  const fileList = [...input.files.map((f) => f.name), ...(input.compose ?? []).map((c) => c.name)].join(', ')
  try {
    return resolveConfig(input, fileList)
  } catch (err) {
    // the last line of defence: every recursion is bounded (BAKE_LIMITS), but an input error beats a crash
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new InputError('the bake definition nests too deeply to evaluate', {file: fileList, position: {line: 1}, fix: 'flatten long chains of variables, inherits, groups or nested expressions'})
    }
    if (err instanceof RangeError && /Invalid (string|array) length/.test(err.message)) {
      throw new InputError('the bake definition produces a value too large to hold', {file: fileList, position: {line: 1}, fix: 'do not build strings or lists by repeating a value at every level'})
    }
    throw err
  }
}

function resolveConfig(input: ResolveInput, fileList: string): Plan {
  const cfg = buildConfig(input)
  if (cfg.targets.size === 0 && cfg.groups.size === 0 && input.files.length + (input.compose?.length ?? 0) === 0) {
    throw new InputError("couldn't find a bake definition", {fix: 'add a docker-bake.hcl (or pass -f FILE)'})
  }

  // requested names: `.` → `_`, globs over groups and targets
  const requested0 = (input.targets.length ? input.targets : ['default']).map((n) => n.replace(/\./g, '_'))
  const allNames = [...new Set([...cfg.groups.keys(), ...cfg.targets.keys()])].sort(byteCompare)
  const requested: string[] = []
  for (const n of requested0) {
    if (cfg.groups.has(n) || cfg.targets.has(n) || !isGlob(n)) {
      requested.push(n)
      continue
    }
    const hits = allNames.filter((x) => globMatch(n, x))
    if (hits.length === 0) throw new InputError(`could not find any target matching "${n}"`, {file: fileList})
    requested.push(...hits)
  }
  const names = dedupe(requested)

  const overrides = parseOverrides(input.set ?? [], [...cfg.targets.keys()], input.env)

  const visitedGroups: string[] = []
  const expand = (name: string, stack: string[]): string[] => {
    const g = cfg.groups.get(name)
    if (!g) return [name]
    if (stack.includes(name)) {
      const cycle = [...stack.slice(stack.indexOf(name)), name]
      const at = cfg.groupLocations.get(stack[stack.length - 1]!)
      throw new InputError(`group cycle: ${cycle.join(' → ')}`, {
        file: at?.file ?? fileList, position: {line: at?.line ?? 1}, fix: `remove "${name}" from the targets of group "${stack[stack.length - 1]}" (a group cannot contain itself)`,
      })
    }
    if (!visitedGroups.includes(name)) visitedGroups.push(name)
    return g.targets.flatMap((t) => expand(t, [...stack, name]))
  }

  const resolved = new Map<string, TargetSpec>()
  const resolveOne = (name: string): TargetSpec => {
    const visited = new Map<string, TargetSpec | null>()
    const rec = (n: string, from?: ConfigTarget): TargetSpec | null => {
      if (visited.has(n)) return visited.get(n) ?? null
      visited.set(n, null)
      const ct = cfg.targets.get(n)
      if (!ct) throw new InputError(`failed to find target ${n}`, {...(from?.file ? {file: from.file, position: {line: from.line ?? 1}} : {file: fileList, position: {line: 1}}), fix: n === 'default' ? 'name the targets to build, or define a `default` group' : `define target "${n}", or correct the name`})
      let parents: TargetSpec = {}
      for (const p of ct.spec.inherits ?? []) {
        const pt = rec(p, ct)
        if (pt) parents = mergeTargets(parents, pt)
      }
      let t = mergeTargets(mergeTargets({}, parents), ct.spec)
      t = applyOverrides(t, overrides.get(n) as Map<string, Override> | undefined)
      t = normalizeTarget(t)
      visited.set(n, t)
      return t
    }
    const t = rec(name) as TargetSpec
    const {inherits: _i, ...rest} = t
    void _i
    const out: TargetSpec = {...rest}
    if (out.context === undefined) out.context = '.'
    if (out.dockerfile === undefined) out.dockerfile = 'Dockerfile'
    return out
  }

  for (const n of names) {
    for (const tn of dedupe(expand(n, []))) {
      if (!resolved.has(tn)) resolved.set(tn, resolveOne(tn))
    }
  }

  // linked targets: contexts = {x = "target:y"}
  const loadLinks = (name: string, t: TargetSpec, chain: string[]): void => {
    for (const v of Object.values(t.contexts ?? {})) {
      if (!v.startsWith('target:')) continue
      const link = v.slice('target:'.length)
      if (link === name) throw new InputError(`target ${name} cannot link to itself`, {file: cfg.targets.get(name)?.file ?? fileList})
      if (chain.includes(link)) throw new InputError(`infinite loop from ${name} to ${link}`, {file: cfg.targets.get(name)?.file ?? fileList})
      let t2 = resolved.get(link)
      if (!t2) {
        t2 = {...resolveOne(link), output: [{type: 'cacheonly'}]}
        resolved.set(link, t2)
      }
      loadLinks(link, t2, [...chain, name])
    }
  }
  for (const [name, t] of [...resolved]) loadLinks(name, t, [])

  const plan: Plan = {group: {}, target: {}}
  for (const gname of visitedGroups) {
    const g = cfg.groups.get(gname) as PlanGroup
    plan.group[gname] = g.description ? {description: g.description, targets: dedupe(g.targets)} : {targets: dedupe(g.targets)}
  }
  const defTargets = visitedGroups.includes('default') && cfg.groups.has('default') ? [...(cfg.groups.get('default') as PlanGroup).targets, ...names.filter((n) => n !== 'default')] : names
  const def = plan.group.default
  plan.group.default = {...(def?.description ? {description: def.description} : {}), targets: dedupe(defTargets).sort(byteCompare)}

  for (const [name, t] of [...resolved].sort(([a], [b]) => byteCompare(a, b))) {
    try {
      plan.target[name] = orderTarget(toPlanTarget(t, input.env))
    } catch (err) {
      const ct = cfg.targets.get(name)
      if (err instanceof EvalError) throw new InputError(`target "${name}": ${err.message}`, {file: ct?.file ?? fileList, position: ct?.line ? {line: ct.line} : undefined})
      throw err
    }
  }
  return plan
}
