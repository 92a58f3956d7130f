/**
 * The resolved bake plan: what `docker buildx bake --print` shows (bake.md §10), as one model for both
 * sources (buildx's own `--print`, bakedoctor's resolver). Composite entries (cache, output, attest)
 * are always objects — older buildx printed CSV strings, which `planFromPrintJson` normalizes.
 * Values are the evaluated ones: `--print`'s `$${` re-escaping is undone on read and redone on print.
 */
import {nodeCrypto} from '../lazy-crypto.js'

/** `{type, <attr>: value…}` — a cache-from/cache-to/output entry as --print shows it. */
export type PlanEntry = Record<string, string>
/** `{type, disabled?: true, <attr>…}` */
export type PlanAttest = Record<string, string | boolean>

export interface PlanSecret {
  id?: string
  src?: string
  env?: string
}

export interface PlanSsh {
  id: string
  paths?: string[]
}

export interface PlanResources {
  memory?: string
  'memory-swap'?: string
  'cpu-shares'?: number
  'cpu-period'?: number
  'cpu-quota'?: number
  'cpuset-cpus'?: string
  'cpuset-mems'?: string
}

/**
 * One resolved target. IMPORTANT: the key order of PLAN_TARGET_KEYS is buildx's `Target` struct field
 * order (what `--print` shows); if you add a field here, add it there too.
 */
export interface PlanTarget {
  description?: string
  annotations?: string[]
  attest?: PlanAttest[]
  context?: string
  contexts?: Record<string, string>
  dockerfile?: string
  'dockerfile-inline'?: string
  args?: Record<string, string>
  labels?: Record<string, string>
  tags?: string[]
  'cache-from'?: PlanEntry[]
  'cache-to'?: PlanEntry[]
  target?: string
  secret?: PlanSecret[]
  ssh?: PlanSsh[]
  platforms?: string[]
  output?: PlanEntry[]
  pull?: boolean
  'no-cache'?: boolean
  network?: string
  'no-cache-filter'?: string[]
  'shm-size'?: string
  ulimits?: string[]
  resources?: PlanResources
  call?: string
  entitlements?: string[]
  'extra-hosts'?: Record<string, string>
  policy?: unknown[]
}

export const PLAN_TARGET_KEYS = [
  'description',
  'annotations',
  'attest',
  'context',
  'contexts',
  'dockerfile',
  'dockerfile-inline',
  'args',
  'labels',
  'tags',
  'cache-from',
  'cache-to',
  'target',
  'secret',
  'ssh',
  'platforms',
  'output',
  'pull',
  'no-cache',
  'network',
  'no-cache-filter',
  'shm-size',
  'ulimits',
  'resources',
  'call',
  'entitlements',
  'extra-hosts',
  'policy',
] as const satisfies readonly (keyof PlanTarget)[]

export const RESOURCE_KEYS = ['memory', 'memory-swap', 'cpu-shares', 'cpu-period', 'cpu-quota', 'cpuset-cpus', 'cpuset-mems'] as const

export interface PlanGroup {
  description?: string
  targets: string[]
}

export interface Plan {
  group: Record<string, PlanGroup>
  target: Record<string, PlanTarget>
}

const ESCAPED_KEYS = ['args', 'labels', 'extra-hosts'] as const

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const k of Object.keys(r).sort(byteCompare)) out[k] = r[k] as T
  return out
}

export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function reescape(s: string): string {
  return s.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')
}

function unescape(s: string): string {
  return s.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{')
}

function mapStrings(t: PlanTarget, f: (s: string) => string): PlanTarget {
  const out: PlanTarget = {...t}
  for (const k of ESCAPED_KEYS) {
    const m = t[k]
    if (m) out[k] = Object.fromEntries(Object.entries(m).map(([a, v]) => [a, f(v)]))
  }
  if (t.annotations) out.annotations = t.annotations.map(f)
  if (t['dockerfile-inline'] !== undefined) out['dockerfile-inline'] = f(t['dockerfile-inline'])
  return out
}

/** A target with keys in `--print` order and maps sorted (the shape Go prints). */
export function orderTarget(t: PlanTarget): PlanTarget {
  const out: Record<string, unknown> = {}
  for (const k of PLAN_TARGET_KEYS) {
    const v = t[k]
    if (v === undefined) continue
    if (k === 'contexts' || k === 'args' || k === 'labels' || k === 'extra-hosts') out[k] = sortRecord(v as Record<string, string>)
    else if (k === 'cache-from' || k === 'cache-to' || k === 'output' || k === 'attest') out[k] = (v as Record<string, unknown>[]).map(sortRecord)
    else if (k === 'resources') {
      const r = v as PlanResources
      const ro: Record<string, unknown> = {}
      for (const rk of RESOURCE_KEYS) if (r[rk] !== undefined) ro[rk] = r[rk]
      out[k] = ro
    } else if (k === 'secret') out[k] = (v as PlanSecret[]).map((s) => ({...(s.id ? {id: s.id} : {}), ...(s.src ? {src: s.src} : {}), ...(s.env ? {env: s.env} : {})}))
    else out[k] = v
  }
  return out as PlanTarget
}

/**
 * `docker buildx bake --print` JSON text for a plan: Go struct order, sorted maps, `$${`/`%%{`
 * re-escaping, Go's HTML-safe escaping of `< > &`.
 */
export function planToPrintJson(plan: Plan): string {
  const group: Record<string, PlanGroup> = {}
  for (const name of Object.keys(plan.group).sort(byteCompare)) {
    const g = plan.group[name] as PlanGroup
    group[name] = g.description ? {description: g.description, targets: g.targets} : {targets: g.targets}
  }
  const target: Record<string, PlanTarget> = {}
  for (const name of Object.keys(plan.target).sort(byteCompare)) target[name] = orderTarget(mapStrings(plan.target[name] as PlanTarget, reescape))
  const def = Object.keys(group).length ? {group, target} : {target}
  return (
    JSON.stringify(def, null, 2)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029') + '\n'
  )
}

/** Splits a CSV line like Go's encoding/csv (quotes allowed) — used for `k=v,k=v` entries. */
export function splitCsv(s: string): string[] {
  const out: string[] = []
  let field = ''
  let q = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string
    if (q) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') q = false
      else field += c
    } else if (c === '"' && field === '') q = true
    else if (c === ',') {
      out.push(field)
      field = ''
    } else field += c
  }
  out.push(field)
  return out
}

/**
 * A `cache-from` / `cache-to` / `output` CSV (`type=registry,ref=x`, or bare refs / a dest path).
 * `strict` (bake files, `--set`) rejects fields without `=` and a missing type as buildx does;
 * lenient (old buildx `--print` output, already validated by buildx) keeps what it finds.
 */
export function parseEntryCsv(s: string, kind: 'cache' | 'output', options: {strict: boolean; fail?: (message: string) => never}): PlanEntry[] {
  const fields = splitCsv(s).map((f) => f.trim()).filter((f) => f !== '')
  if (fields.length === 0) return []
  if (fields.every((f) => !f.includes('='))) {
    if (kind === 'cache') return fields.map((ref) => ({type: 'registry', ref}))
    return [fields[0] === '-' ? {type: 'tar', dest: '-'} : {type: 'local', dest: fields[0] as string}]
  }
  const fail = options.fail ?? ((message: string) => {
    throw new Error(message)
  })
  const e: PlanEntry = {}
  for (const f of fields) {
    const i = f.indexOf('=')
    if (i < 0) {
      if (options.strict) fail(`invalid value ${f}: expected key=value in "${s}"`)
      e[f] = ''
    } else {
      const k = f.slice(0, i).trim()
      e[options.strict || k.toLowerCase() === 'type' ? k.toLowerCase() : k] = f.slice(i + 1)
    }
  }
  if (options.strict && !e.type) {
    if (kind === 'output' && e.dest !== undefined) e.type = 'local'
    else fail(`type required for ${kind === 'cache' ? 'cache' : 'output'} option "${s}"`)
  }
  return [e]
}

/** Normalizes one captured `--print` document (any buildx version) into a Plan. */
export function planFromPrintJson(doc: unknown): Plan {
  const d = (doc ?? {}) as {group?: Record<string, {targets?: string[]; description?: string}>; target?: Record<string, Record<string, unknown>>}
  const plan: Plan = {group: {}, target: {}}
  for (const [name, g] of Object.entries(d.group ?? {})) {
    plan.group[name] = g.description ? {description: g.description, targets: [...(g.targets ?? [])]} : {targets: [...(g.targets ?? [])]}
  }
  for (const [name, raw] of Object.entries(d.target ?? {})) {
    const t: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(raw)) {
      if (v === null || v === undefined) continue
      if (k === 'cache-from' || k === 'cache-to' || k === 'output') {
        t[k] = (v as unknown[]).flatMap((x) => (typeof x === 'string' ? parseEntryCsv(x, k === 'output' ? 'output' : 'cache', {strict: false}) : [stringRecord(x)]))
      } else if (k === 'attest') {
        t[k] = (v as unknown[]).map((x) => (typeof x === 'string' ? attestFromCsv(x) : (x as PlanAttest)))
      } else if (k === 'secret' || k === 'ssh') {
        t[k] = (v as unknown[]).map((x) => (typeof x === 'string' ? (k === 'secret' ? secretFromCsv(x) : sshFromString(x)) : x))
      } else if (k === 'inherits') continue
      else t[k] = v
    }
    plan.target[name] = orderTarget(mapStrings(t as PlanTarget, unescape))
  }
  return plan
}

function stringRecord(x: unknown): PlanEntry {
  const out: PlanEntry = {}
  for (const [k, v] of Object.entries((x ?? {}) as Record<string, unknown>)) out[k] = typeof v === 'string' ? v : String(v)
  return out
}

export function attestFromCsv(s: string): PlanAttest {
  const out: PlanAttest = {}
  for (const f of splitCsv(s)) {
    const i = f.indexOf('=')
    const k = (i < 0 ? f : f.slice(0, i)).trim()
    const v = i < 0 ? '' : f.slice(i + 1)
    if (k === '') continue
    if (k === 'disabled') {
      if (v === 'true' || v === '1') out.disabled = true
    } else out[k] = v
  }
  return out
}

export function secretFromCsv(s: string): PlanSecret {
  const out: PlanSecret = {}
  let type = ''
  for (const f of splitCsv(s)) {
    const i = f.indexOf('=')
    const k = (i < 0 ? f : f.slice(0, i)).trim().toLowerCase()
    const v = i < 0 ? '' : f.slice(i + 1)
    if (k === 'id') out.id = v
    else if (k === 'src' || k === 'source') out.src = v
    else if (k === 'env') out.env = v
    else if (k === 'type') type = v
  }
  if (type === 'env' && out.src && !out.env) {
    out.env = out.src
    delete out.src
  }
  return out
}

export function sshFromString(s: string): PlanSsh {
  const i = s.indexOf('=')
  if (i < 0) return {id: s}
  return {id: s.slice(0, i), paths: s.slice(i + 1).split(',').filter((p) => p !== '')}
}

/** Canonical JSON: keys sorted at every level, no whitespace. Stable across sources and runs. */
export function canonicalPlanJson(plan: Plan): string {
  return canonical(plan)
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort(byteCompare)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}

/** sha256 of the canonical JSON, `sha256:<hex>`. */
export function planHash(plan: Plan): string {
  return 'sha256:' + nodeCrypto().createHash('sha256').update(canonicalPlanJson(plan)).digest('hex')
}
