/**
 * `--set PATTERN.KEY[.SUB]=VALUE` / `+=` overrides (bake.md §8: `newOverrides`, `AddOverrides`).
 */
import {InputError} from '../errors.js'
import {type PlanEntry, type PlanResources, attestFromCsv, secretFromCsv, sshFromString} from './plan.js'
import {type TargetSpec, parseEntryString} from './target.js'
import {EvalError} from './value.js'

export interface Override {
  key: string
  /** dotted sub-key: the arg name for `args.NAME` */
  sub?: string
  value: string
  values: string[]
  append: boolean
}

/** Go `path.Match` glob (`*`, `?`, `[...]`; `*` does not cross `/`). */
export function globMatch(pattern: string, name: string): boolean {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) return false
      let cls = pattern.slice(i + 1, end)
      if (cls.startsWith('^')) cls = '!' + cls.slice(1)
      re += '[' + (cls.startsWith('!') ? '^' + cls.slice(1) : cls).replace(/\\/g, '\\\\') + ']'
      i = end
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(re + '$').test(name)
}

export function isGlob(s: string): boolean {
  return /[*?[\\]/.test(s)
}

const LIST_KEYS = new Set(['tags', 'platform', 'cache-from', 'cache-to', 'output', 'secrets', 'ssh', 'policy'])
const KNOWN_KEYS = new Set([
  'context',
  'dockerfile',
  'target',
  'call',
  'shm-size',
  'args',
  'labels',
  'contexts',
  'extra-hosts',
  'tags',
  'platform',
  'cache-from',
  'cache-to',
  'output',
  'secrets',
  'secret',
  'ssh',
  'policy',
  'annotations',
  'entitlements',
  'attest',
  'no-cache',
  'pull',
  'push',
  'load',
  'no-cache-filter',
  'ulimits',
  'network',
  'resources',
])

/**
 * Parses `--set` values against the target names: `{targetName: {key: Override}}`. `args.NAME` without
 * `=` takes `NAME` from env (skipped when unset).
 */
export function parseOverrides(
  sets: string[],
  targetNames: string[],
  env: Record<string, string | undefined>,
): Map<string, Map<string, Override>> {
  const out = new Map<string, Map<string, Override>>()
  const disableEnv = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(env.BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP ?? '')
  for (const raw of sets) {
    const eq = raw.indexOf('=')
    let left = eq < 0 ? raw : raw.slice(0, eq)
    let value = eq < 0 ? '' : raw.slice(eq + 1)
    let append = false
    if (left.endsWith('+')) {
      append = true
      left = left.slice(0, -1)
    }
    const parts = left.split('.')
    if (parts.length < 2) throw new InputError(`invalid override key ${left}, expected target.name`, {file: '--set'})
    const pattern = parts[0] as string
    const key = parts[1] as string
    const sub = parts.length > 2 ? parts.slice(2).join('.') : undefined
    if (eq < 0) {
      if (key !== 'args' || sub === undefined) throw new InputError(`invalid override ${raw}, expected target.name=value`, {file: '--set'})
      const fromEnv = env[sub]
      if (fromEnv === undefined) {
        if (!disableEnv) continue
        value = ''
      } else value = disableEnv ? '' : fromEnv
    }
    const names = targetNames.includes(pattern) ? [pattern] : targetNames.filter((n) => globMatch(pattern, n))
    if (names.length === 0) throw new InputError(`could not find any target matching '${pattern}'`, {file: '--set', fix: `check the target name in --set ${raw}`})
    for (const name of names) {
      const m = out.get(name) ?? new Map<string, Override>()
      out.set(name, m)
      const mapKey = sub !== undefined && !LIST_KEYS.has(key) ? `${key}.${sub}` : key
      const prev = m.get(mapKey)
      if (LIST_KEYS.has(key) || key === 'annotations' || key === 'entitlements' || key === 'attest') {
        m.set(mapKey, {key, sub, value, values: [...(prev?.values ?? []), value], append})
      } else {
        m.set(mapKey, {key, sub, value, values: [value], append})
      }
    }
  }
  return out
}

function parseBool(key: string, v: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false
  throw new InputError(`invalid value ${v} for boolean key ${key}`, {file: '--set'})
}

function entries(values: string[], kind: 'cache' | 'output'): PlanEntry[] {
  try {
    return values.flatMap((v) => parseEntryString(v, kind))
  } catch (err) {
    if (err instanceof EvalError) throw new InputError(err.message, {file: '--set'})
    throw err
  }
}

/** `Target.AddOverrides`. Returns a new target. */
export function applyOverrides(t0: TargetSpec, overrides: Map<string, Override> | undefined): TargetSpec {
  if (!overrides) return t0
  const t: TargetSpec = {...t0}
  let load: boolean | undefined
  let push: boolean | undefined
  for (const o of overrides.values()) {
    const v = o.value
    switch (o.key) {
      case 'context':
      case 'dockerfile':
      case 'target':
      case 'call':
      case 'shm-size':
        t[o.key] = v
        break
      case 'network':
        // buildx stores o.Value for list-valued keys as "" here (bake.md §8, suspected upstream bug)
        t.network = ''
        break
      case 'args':
      case 'labels':
      case 'extra-hosts':
        if (o.sub === undefined) throw new InputError(`invalid key ${o.key}, ${o.key} requires name`, {file: '--set'})
        t[o.key] = {...(t[o.key] ?? {}), [o.sub]: v}
        break
      case 'contexts':
        if (o.sub === undefined) throw new InputError('invalid key contexts, contexts requires name', {file: '--set'})
        t.contexts = {...(t.contexts ?? {}), [o.sub]: v}
        break
      case 'tags':
        t.tags = o.append ? [...(t.tags ?? []), ...o.values] : o.values
        break
      case 'platform':
        t.platforms = o.append ? [...(t.platforms ?? []), ...o.values] : o.values
        break
      case 'cache-from':
        t['cache-from'] = o.append ? [...(t['cache-from'] ?? []), ...entries(o.values, 'cache')] : entries(o.values, 'cache')
        break
      case 'cache-to':
        t['cache-to'] = o.append ? [...(t['cache-to'] ?? []), ...entries(o.values, 'cache')] : entries(o.values, 'cache')
        break
      case 'output':
        t.output = o.append ? [...(t.output ?? []), ...entries(o.values, 'output')] : entries(o.values, 'output')
        break
      case 'secrets': {
        const s = o.values.map(secretFromCsv)
        t.secret = o.append ? [...(t.secret ?? []), ...s] : s
        break
      }
      case 'secret': {
        if (o.sub === undefined) throw new InputError('invalid key secret, use secrets=… or secret.ID=…', {file: '--set'})
        const at = (t.secret ?? []).findIndex((s) => s.id === o.sub)
        if (at < 0) throw new InputError(`secret "${o.sub}" must be declared before it can be overridden`, {file: '--set'})
        const next = secretFromCsv(v)
        const list = [...(t.secret ?? [])]
        list[at] = {id: o.sub, ...(next.src ? {src: next.src} : {}), ...(next.env ? {env: next.env} : {})}
        t.secret = list
        break
      }
      case 'ssh': {
        const s = o.values.map(sshFromString)
        t.ssh = o.append ? [...(t.ssh ?? []), ...s] : s
        break
      }
      case 'policy':
        t.policy = o.append ? [...(t.policy ?? []), ...o.values] : o.values
        break
      case 'annotations':
        t.annotations = [...(t.annotations ?? []), ...o.values]
        break
      case 'entitlements':
        t.entitlements = [...(t.entitlements ?? []), ...o.values]
        break
      case 'attest': {
        let list = [...(t.attest ?? [])]
        for (const a of o.values.map(attestFromCsv)) {
          const at = list.findIndex((x) => x.type === a.type)
          if (at >= 0) list[at] = a
          else list = [...list, a]
        }
        t.attest = list
        break
      }
      case 'no-cache':
        t['no-cache'] = parseBool(o.key, v)
        break
      case 'pull':
        t.pull = parseBool(o.key, v)
        break
      case 'no-cache-filter':
      case 'ulimits':
        // buildx reads o.ArrValue, which is empty for these keys: the list is cleared (bake.md §8)
        t[o.key] = []
        break
      case 'resources': {
        if (o.sub === undefined) throw new InputError('invalid key resources, resources requires a field', {file: '--set'})
        const r: PlanResources = {...(t.resources ?? {})}
        if (o.sub === 'cpu-shares' || o.sub === 'cpu-period' || o.sub === 'cpu-quota') {
          if (!/^-?\d+$/.test(v)) throw new InputError(`invalid value ${v} for resources.${o.sub}: an integer is required`, {file: '--set'})
          r[o.sub] = Number(v)
        } else if (o.sub === 'memory' || o.sub === 'memory-swap' || o.sub === 'cpuset-cpus' || o.sub === 'cpuset-mems') r[o.sub] = v
        else throw new InputError(`unknown key: resources.${o.sub}`, {file: '--set'})
        t.resources = r
        break
      }
      case 'push':
        push = parseBool(o.key, v)
        break
      case 'load':
        load = parseBool(o.key, v)
        break
      default:
        if (!KNOWN_KEYS.has(o.key)) throw new InputError(`unknown key: ${o.key}`, {file: '--set'})
    }
  }
  if (push !== undefined) t.output = setPush(t.output ?? [], push)
  if (load !== undefined && load) t.output = setLoad(t.output ?? [])
  return t
}

function setPush(outputs: PlanEntry[], push: boolean): PlanEntry[] {
  if (!push) {
    return outputs.filter((o) => o.type !== 'registry').map((o) => (o.type === 'image' ? {...o, push: 'false'} : o))
  }
  const out = outputs.map((o) => (o.type === 'image' ? {...o, push: 'true'} : o))
  if (outputs.every((o) => o.type === 'docker')) out.push({type: 'image', push: 'true'})
  return out
}

function setLoad(outputs: PlanEntry[]): PlanEntry[] {
  if (outputs.some((o) => o.type === 'docker' && !o.dest)) return outputs
  if (outputs.some((o) => !['image', 'registry', 'oci'].includes(o.type ?? ''))) return outputs
  return [...outputs, {type: 'docker'}]
}
