/**
 * buildx's `Target` during resolution: decode from evaluated HCL values, `Merge` (inherits, same-name
 * blocks, compose + HCL), `normalize` (bake.md §2.2, §7).
 */
import {cleanPath} from './go-path.js'
import {EvalError, type Value, isObject, toBool, toNum, toStr, typeName} from './value.js'
import {
  type PlanAttest,
  type PlanEntry,
  type PlanResources,
  type PlanSecret,
  type PlanSsh,
  type PlanTarget,
  attestFromCsv,
  parseEntryCsv,
  secretFromCsv,
  sshFromString,
} from './plan.js'

/** A target block's value before resolution: maps may hold null values, `inherits` is kept. */
export interface TargetSpec extends Omit<PlanTarget, 'args' | 'labels' | 'extra-hosts'> {
  inherits?: string[]
  args?: Record<string, string | null>
  labels?: Record<string, string | null>
  'extra-hosts'?: Record<string, string | null>
}

const STRING_KEYS = ['description', 'context', 'dockerfile', 'dockerfile-inline', 'target', 'network', 'shm-size', 'call'] as const
const STRING_LIST_KEYS = ['inherits', 'annotations', 'tags', 'platforms', 'no-cache-filter', 'ulimits', 'entitlements'] as const
const NULLABLE_MAP_KEYS = ['args', 'labels', 'extra-hosts'] as const

/** Every attribute a target block may set (others are ignored like buildx does). */
export const TARGET_ATTRIBUTES = new Set<string>([
  ...STRING_KEYS,
  ...STRING_LIST_KEYS,
  ...NULLABLE_MAP_KEYS,
  'contexts',
  'attest',
  'cache-from',
  'cache-to',
  'secret',
  'ssh',
  'output',
  'pull',
  'no-cache',
  'resources',
  'policy',
])

function listOf(v: Value, key: string): Value[] {
  if (Array.isArray(v)) return v
  throw new EvalError(`Incorrect attribute value type; Inappropriate value for attribute "${key}": list of string required, got ${typeName(v)}.`)
}

function strOf(v: Value, key: string): string {
  if (Array.isArray(v) || isObject(v)) throw new EvalError(`Incorrect attribute value type; Inappropriate value for attribute "${key}": string required, got ${typeName(v)}.`)
  return toStr(v, `value for attribute "${key}"`)
}

function stringRecord(v: Value, key: string): Record<string, string> {
  if (!isObject(v)) throw new EvalError(`Incorrect attribute value type; Inappropriate value for attribute "${key}": object required, got ${typeName(v)}.`)
  const out: Record<string, string> = {}
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = strOf(x, key)
  return out
}

export function parseEntryString(s: string, kind: 'cache' | 'output'): PlanEntry[] {
  return parseEntryCsv(s, kind, {
    strict: true,
    fail: (message) => {
      throw new EvalError(message)
    },
  })
}

function decodeEntries(v: Value, key: string, kind: 'cache' | 'output'): PlanEntry[] {
  const out: PlanEntry[] = []
  for (const x of listOf(v, key)) {
    if (x === null || x === '') continue
    if (isObject(x)) {
      const e = stringRecord(x, key)
      if (!e.type) throw new EvalError(`type is required for ${key} entries`)
      out.push(e)
    } else out.push(...parseEntryString(strOf(x, key), kind))
  }
  return out
}

function decodeAttest(v: Value, key: string): PlanAttest[] {
  const out: PlanAttest[] = []
  for (const x of listOf(v, key)) {
    if (x === null || x === '') continue
    let a: PlanAttest
    if (isObject(x)) {
      a = {}
      for (const [k, y] of Object.entries(x)) {
        if (y === null) continue
        if (k === 'disabled') {
          if (toBool(y)) a.disabled = true
        } else a[k] = strOf(y, key)
      }
    } else a = attestFromCsv(strOf(x, key))
    if (!a.type) throw new EvalError('attestation type must be specified')
    out.push(a)
  }
  return out
}

function decodeSecrets(v: Value, key: string): PlanSecret[] {
  const out: PlanSecret[] = []
  for (const x of listOf(v, key)) {
    if (x === null || x === '') continue
    if (isObject(x)) {
      const r = stringRecord(x, key)
      const s: PlanSecret = {}
      if (r.id) s.id = r.id
      if (r.src ?? r.source) s.src = r.src ?? r.source
      if (r.env) s.env = r.env
      out.push(s)
    } else out.push(secretFromCsv(strOf(x, key)))
  }
  return out
}

function decodeSsh(v: Value, key: string): PlanSsh[] {
  const out: PlanSsh[] = []
  for (const x of listOf(v, key)) {
    if (x === null || x === '') continue
    if (isObject(x)) {
      const id = x.id === null || x.id === undefined ? 'default' : strOf(x.id, key)
      const paths = x.paths === null || x.paths === undefined ? [] : listOf(x.paths, key).map((p) => strOf(p, key))
      out.push(paths.length ? {id, paths} : {id})
    } else out.push(sshFromString(strOf(x, key)))
  }
  return out
}

function decodeResources(v: Value, key: string): PlanResources {
  if (!isObject(v)) throw new EvalError(`Incorrect attribute value type; Inappropriate value for attribute "${key}": object required.`)
  const r: PlanResources = {}
  for (const [k, x] of Object.entries(v)) {
    if (x === null) continue
    if (k === 'cpu-shares' || k === 'cpu-period' || k === 'cpu-quota') r[k] = toNum(x, `resources.${k}`)
    else if (k === 'memory' || k === 'memory-swap' || k === 'cpuset-cpus' || k === 'cpuset-mems') r[k] = strOf(x, `resources.${k}`)
  }
  return r
}

/**
 * Decodes one attribute's evaluated value into the target. A null value leaves the field unset (nil
 * pointer in Go). Throws EvalError for a wrong type.
 */
export function decodeAttribute(t: TargetSpec, key: string, v: Value): void {
  if (v === null) return
  if ((STRING_KEYS as readonly string[]).includes(key)) {
    ;(t as Record<string, unknown>)[key] = strOf(v, key)
  } else if ((STRING_LIST_KEYS as readonly string[]).includes(key)) {
    ;(t as Record<string, unknown>)[key] = listOf(v, key)
      .filter((x) => x !== null)
      .map((x) => strOf(x, key))
  } else if ((NULLABLE_MAP_KEYS as readonly string[]).includes(key)) {
    if (!isObject(v)) throw new EvalError(`Incorrect attribute value type; Inappropriate value for attribute "${key}": map of string required, got ${typeName(v)}.`)
    const m: Record<string, string | null> = {}
    for (const [k, x] of Object.entries(v)) m[k] = x === null ? null : strOf(x, key)
    ;(t as Record<string, unknown>)[key] = m
  } else if (key === 'contexts') t.contexts = stringRecord(v, key)
  else if (key === 'cache-from' || key === 'cache-to') t[key] = decodeEntries(v, key, 'cache')
  else if (key === 'output') t.output = decodeEntries(v, key, 'output')
  else if (key === 'attest') t.attest = decodeAttest(v, key)
  else if (key === 'secret') t.secret = decodeSecrets(v, key)
  else if (key === 'ssh') t.ssh = decodeSsh(v, key)
  else if (key === 'pull' || key === 'no-cache') t[key] = toBool(v, `value for attribute "${key}"`)
  else if (key === 'resources') t.resources = decodeResources(v, key)
  else if (key === 'policy') t.policy = listOf(v, key).filter((x) => x !== null && x !== '')
}

/**
 * The value a `target.NAME.ATTR` reference sees: the decoded attribute as cty would expose it
 * (entries as string maps; outputs always carry `type` and `dest`; secrets `{id, src, env}`).
 */
export function attributeAsValue(t: TargetSpec, key: string): Value {
  const v = (t as Record<string, unknown>)[key]
  if (v === undefined) return null
  if (key === 'output') return (v as PlanEntry[]).map((e) => ({dest: '', ...e}))
  if (key === 'secret') return (v as PlanSecret[]).map((s) => ({id: s.id ?? '', src: s.src ?? '', env: s.env ?? ''}))
  if (key === 'ssh') return (v as PlanSsh[]).map((s) => ({id: s.id, paths: s.paths ?? []}))
  return v as Value
}

function dedupeBy<T>(base: T[] | undefined, add: T[], keyOf: (x: T) => string | undefined): T[] {
  const out = [...(base ?? [])]
  for (const x of add) {
    const k = keyOf(x)
    const at = k === undefined ? -1 : out.findIndex((y) => keyOf(y) === k)
    if (at >= 0) out[at] = x
    else out.push(x)
  }
  return out
}

/** buildx `removeDupes`: a later duplicate is removed by swapping the last element into its slot. */
export function removeDupes<T>(s: T[]): T[] {
  const out = [...s]
  const seen = new Set<string>()
  for (let i = 0; i < out.length; i++) {
    const k = JSON.stringify(out[i])
    if (seen.has(k)) {
      out[i] = out[out.length - 1] as T
      out.pop()
      i--
      continue
    }
    seen.add(k)
  }
  return out
}

function mergeMap(base: Record<string, string | null> | undefined, add: Record<string, string | null>): Record<string, string | null> {
  const out = {...(base ?? {})}
  for (const [k, v] of Object.entries(add)) if (v !== null) out[k] = v
  return out
}

/** `Target.Merge`: `t2` on top of `t1` (returns a new target). */
export function mergeTargets(t1: TargetSpec, t2: TargetSpec): TargetSpec {
  const t: TargetSpec = {...t1}
  for (const k of ['context', 'dockerfile', 'dockerfile-inline', 'target', 'call', 'network', 'shm-size'] as const) if (t2[k] !== undefined) t[k] = t2[k]
  if (t2.description) t.description = t2.description
  if (t2.pull !== undefined) t.pull = t2.pull
  if (t2['no-cache'] !== undefined) t['no-cache'] = t2['no-cache']
  for (const k of ['tags', 'platforms'] as const) if (t2[k] !== undefined) t[k] = t2[k]
  if (t2.output !== undefined) t.output = t2.output
  if (t2['cache-to'] !== undefined) t['cache-to'] = t2['cache-to']
  for (const k of NULLABLE_MAP_KEYS) {
    const add = t2[k]
    if (add) t[k] = mergeMap(t[k], add)
  }
  if (t2.contexts) t.contexts = {...(t.contexts ?? {}), ...t2.contexts}
  if (t2['cache-from']) t['cache-from'] = removeDupes([...(t['cache-from'] ?? []), ...t2['cache-from']])
  for (const k of ['annotations', 'no-cache-filter', 'ulimits', 'entitlements'] as const) {
    const add = t2[k]
    if (add) t[k] = [...(t[k] ?? []), ...add]
  }
  if (t2.policy) t.policy = [...(t.policy ?? []), ...t2.policy]
  if (t2.attest) t.attest = dedupeBy(t.attest, t2.attest, (a) => String(a.type))
  if (t2.secret) t.secret = dedupeBy(t.secret, t2.secret, (s) => s.id)
  if (t2.ssh) t.ssh = dedupeBy(t.ssh, t2.ssh, (s) => s.id)
  if (t2.resources) t.resources = {...(t.resources ?? {}), ...t2.resources}
  if (t2.inherits !== undefined) t.inherits = t2.inherits
  return t
}

function dedupeStrings(s: string[] | undefined): string[] | undefined {
  if (!s) return s
  const out: string[] = []
  for (const x of s) if (x !== '' && !out.includes(x)) out.push(x)
  return out
}

/** `Target.normalize`. */
export function normalizeTarget(t: TargetSpec): TargetSpec {
  const out: TargetSpec = {...t}
  for (const k of ['annotations', 'tags', 'platforms', 'no-cache-filter', 'ulimits', 'entitlements'] as const) {
    const v = dedupeStrings(out[k])
    if (v !== undefined) out[k] = v
  }
  for (const k of ['cache-from', 'cache-to', 'output'] as const) {
    const v = out[k]
    if (v) out[k] = removeDupes(v)
  }
  if (out.contexts) {
    const c: Record<string, string> = {}
    for (const [k, v] of Object.entries(out.contexts)) if (v !== '') c[k] = v
    out.contexts = c
  }
  if (out.network === 'host') out.entitlements = dedupeStrings([...(out.entitlements ?? []), 'network.host'])
  return out
}

const REMOTE = /^(https?:\/\/|git:\/\/|ssh:\/\/|git@|github\.com\/)/

export {cleanPath}

/** The resolved target as `--print` shows it (context cleaned, defaults, null map entries dropped). */
export function toPlanTarget(t: TargetSpec, env: Record<string, string | undefined>): PlanTarget {
  const {inherits: _inherits, ...rest} = t
  void _inherits
  const out: PlanTarget = {...(rest as PlanTarget)}
  let ctx = t.context ?? '.'
  if (ctx === '-') throw new EvalError('context "-" is not supported by bake --print (context from stdin)')
  if (ctx.startsWith('cwd://')) ctx = cleanPath(ctx.slice('cwd://'.length))
  else if (!REMOTE.test(ctx) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(ctx)) ctx = cleanPath(ctx)
  out.context = ctx
  if (!t.dockerfile) out.dockerfile = 'Dockerfile'
  for (const k of NULLABLE_MAP_KEYS) {
    const m = t[k]
    if (!m) continue
    const clean: Record<string, string> = {}
    for (const [a, v] of Object.entries(m)) if (v !== null) clean[a] = v
    out[k] = clean
  }
  const sde = env.SOURCE_DATE_EPOCH
  if (sde) out.args = {SOURCE_DATE_EPOCH: sde, ...(out.args ?? {})}
  // Go omits empty maps and lists (omitempty)
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v) && v.length === 0) delete (out as Record<string, unknown>)[k]
    else if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete (out as Record<string, unknown>)[k]
    else if (k === 'description' && v === '') delete (out as Record<string, unknown>)[k]
  }
  return out
}
