/**
 * The Compose subset bake reads (bake.md §11): services with a `build` section become targets, the
 * `default` group lists them. Input is the parsed YAML document; variable interpolation uses the
 * environment, `.env` and `--var`.
 */
import {InputError} from '../errors.js'
import {secretFromCsv, sshFromString} from './plan.js'
import {type TargetSpec, parseEntryString} from './target.js'
import {EvalError} from './value.js'

export interface ComposeInput {
  name: string
  /** parsed YAML */
  doc: unknown
  /** `.env` of the current directory, already parsed */
  dotenv?: Record<string, string>
}

export interface ComposeTarget {
  name: string
  spec: TargetSpec
  file: string
}

type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** compose-go style interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR:+a}`. */
export function interpolate(s: string, lookup: (k: string) => string | undefined, file: string): string {
  return s.replace(/\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, braced: string | undefined, bare: string | undefined) => {
    if (m === '$$') return '$'
    if (bare !== undefined) return lookup(bare) ?? ''
    const e = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])(.*))?$/s.exec(braced ?? '')
    if (!e) throw new InputError(`invalid interpolation format for "${m}"`, {file})
    const [, name = '', colon, op, arg = ''] = e
    const v = lookup(name)
    const unset = v === undefined || (colon === ':' && v === '')
    if (op === '-') return unset ? interpolate(arg, lookup, file) : (v as string)
    if (op === '?') {
      if (unset) throw new InputError(`required variable ${name} is missing a value: ${arg}`, {file})
      return v as string
    }
    if (op === '+') return unset ? '' : interpolate(arg, lookup, file)
    return v ?? ''
  })
}

/** deeper than this is no compose file: a YAML alias that contains itself (`x: &x {y: *x}`) parses to a cycle */
const MAX_COMPOSE_DEPTH = 64

function interpolateDeep(v: unknown, lookup: (k: string) => string | undefined, file: string, depth = 0): unknown {
  if (depth > MAX_COMPOSE_DEPTH) {
    throw new InputError(`the compose file nests deeper than ${MAX_COMPOSE_DEPTH} levels (a YAML alias that refers to itself?)`, {file, position: {line: 1}, fix: 'remove the recursive alias (an anchor &x used as *x inside itself)'})
  }
  if (typeof v === 'string') return interpolate(v, lookup, file)
  if (Array.isArray(v)) return v.map((x) => interpolateDeep(x, lookup, file, depth + 1))
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateDeep(x, lookup, file, depth + 1)]))
  return v
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : String(v)
}

function strList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(str)
  return [str(v)]
}

/** `{K: v}` or `["K=v", "K"]` → map (null for a bare name). */
function kvMap(v: unknown, sep = '='): Record<string, string | null> | undefined {
  if (v === undefined || v === null) return undefined
  const out: Record<string, string | null> = {}
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = str(item)
      const i = s.indexOf(sep)
      if (i < 0) out[s] = null
      else out[s.slice(0, i)] = s.slice(i + 1)
    }
    return out
  }
  if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) out[k] = x === null || x === undefined ? null : str(x)
    return out
  }
  return undefined
}

function mergeDocs(docs: Obj[]): Obj {
  const out: Obj = {}
  for (const d of docs) {
    for (const [k, v] of Object.entries(d)) {
      const prev = out[k]
      if (isObj(prev) && isObj(v) && (k === 'services' || k === 'secrets')) {
        const merged: Obj = {...prev}
        for (const [name, s] of Object.entries(v)) merged[name] = isObj(merged[name]) && isObj(s) ? {...(merged[name] as Obj), ...s} : s
        out[k] = merged
      } else out[k] = v
    }
  }
  return out
}

export function composeToConfig(
  inputs: ComposeInput[],
  env: Record<string, string | undefined>,
  vars: Record<string, string>,
): {targets: ComposeTarget[]} {
  const file = inputs.map((i) => i.name).join(', ')
  const dotenv = Object.assign({}, ...inputs.map((i) => i.dotenv ?? {})) as Record<string, string>
  const lookup = (k: string): string | undefined => vars[k] ?? env[k] ?? dotenv[k]
  const docs = inputs.map((i) => {
    if (!isObj(i.doc)) throw new InputError('a compose file must be a mapping at the top level', {file: i.name})
    return interpolateDeep(i.doc, lookup, i.name) as Obj
  })
  const doc = mergeDocs(docs)
  const services = isObj(doc.services) ? doc.services : {}
  const topSecrets = isObj(doc.secrets) ? doc.secrets : {}
  const targets: ComposeTarget[] = []
  for (const [sname, svc] of Object.entries(services)) {
    if (!isObj(svc) || svc.build === undefined || svc.build === null) continue
    const name = sname.replace(/\./g, '_')
    if (!/^[a-zA-Z0-9_-]+$/.test(name)) throw new InputError(`service "${sname}": invalid target name ${name}: only "[a-zA-Z0-9_-]+" are allowed`, {file})
    const build: Obj = typeof svc.build === 'string' ? {context: svc.build} : isObj(svc.build) ? svc.build : {}
    const where = `service "${sname}"`
    const t: TargetSpec = {}
    try {
      t.context = build.context !== undefined ? str(build.context) : '.'
      if (build.dockerfile !== undefined) t.dockerfile = str(build.dockerfile)
      if (build.dockerfile_inline !== undefined) t['dockerfile-inline'] = str(build.dockerfile_inline)
      const svcEnv = kvMap(svc.environment) ?? {}
      const args = kvMap(build.args)
      if (args) {
        const resolved: Record<string, string | null> = {}
        for (const [k, v] of Object.entries(args)) {
          const val = v ?? svcEnv[k] ?? lookup(k) ?? null
          if (val !== null) resolved[k] = val
        }
        t.args = resolved
      }
      const labels = kvMap(build.labels)
      if (labels) t.labels = labels
      const tags = [...(svc.image !== undefined ? [str(svc.image)] : []), ...(strList(build.tags) ?? [])]
      if (tags.length) t.tags = tags
      const cf = strList(build.cache_from)
      if (cf) t['cache-from'] = cf.flatMap((x) => parseEntryString(x, 'cache'))
      const ct = strList(build.cache_to)
      if (ct) t['cache-to'] = ct.flatMap((x) => parseEntryString(x, 'cache'))
      const platforms = strList(build.platforms)
      if (platforms) t.platforms = platforms
      if (build.network !== undefined) t.network = str(build.network)
      if (build.target !== undefined) t.target = str(build.target)
      if (build.shm_size !== undefined) t['shm-size'] = str(build.shm_size)
      if (build.no_cache !== undefined) t['no-cache'] = build.no_cache === true || build.no_cache === 'true'
      if (build.pull !== undefined) t.pull = build.pull === true || build.pull === 'true'
      const hosts = kvMap(build.extra_hosts, build.extra_hosts && Array.isArray(build.extra_hosts) && (build.extra_hosts as unknown[]).some((h) => str(h).includes('=')) ? '=' : ':')
      if (hosts) t['extra-hosts'] = hosts
      if (isObj(build.ulimits)) {
        t.ulimits = Object.entries(build.ulimits).map(([k, v]) => (isObj(v) ? `${k}=${str(v.soft)}:${str(v.hard)}` : `${k}=${str(v)}`))
      }
      const ssh = strList(build.ssh)
      if (ssh) t.ssh = ssh.sort().map(sshFromString)
      const ac = kvMap(build.additional_contexts)
      if (ac) t.contexts = Object.fromEntries(Object.entries(ac).map(([k, v]) => [k, (v ?? '').startsWith('service:') ? 'target:' + (v ?? '').slice('service:'.length) : (v ?? '')]))
      const secrets = strList(build.secrets)
      if (secrets) {
        t.secret = secrets.map((id) => {
          const s = topSecrets[id]
          if (!isObj(s)) throw new InputError(`${where}: undefined secret ${id}`, {file})
          if (s.external) throw new InputError(`${where}: unsupported external secret ${id}`, {file})
          if (s.file !== undefined) return {id, src: str(s.file)}
          if (s.environment !== undefined) return {id, env: str(s.environment)}
          throw new InputError(`${where}: unsupported secret ${id}: it needs file or environment`, {file})
        })
      }
      const attest: {type: string; disabled?: boolean}[] = []
      if (build.sbom !== undefined) attest.push(build.sbom === false ? {type: 'sbom', disabled: true} : {type: 'sbom'})
      if (build.provenance !== undefined) attest.push(build.provenance === false ? {type: 'provenance', disabled: true} : {type: 'provenance'})
      if (attest.length) t.attest = attest
      const xb = build['x-bake']
      if (isObj(xb)) applyXBake(t, xb)
    } catch (err) {
      if (err instanceof EvalError) throw new InputError(`${where}: ${err.message}`, {file})
      throw err
    }
    targets.push({name, spec: t, file})
  }
  return {targets}
}

function applyXBake(t: TargetSpec, xb: Obj): void {
  const l = (k: string): string[] | undefined => strList(xb[k])
  if (l('tags')) t.tags = [...(t.tags ?? []), ...(l('tags') as string[])]
  if (l('cache-from')) t['cache-from'] = (l('cache-from') as string[]).flatMap((x) => parseEntryString(x, 'cache'))
  if (l('cache-to')) t['cache-to'] = (l('cache-to') as string[]).flatMap((x) => parseEntryString(x, 'cache'))
  if (l('secret')) t.secret = (l('secret') as string[]).map(secretFromCsv)
  if (l('ssh')) t.ssh = (l('ssh') as string[]).map(sshFromString)
  if (l('platforms')) t.platforms = l('platforms')
  if (l('output')) t.output = (l('output') as string[]).flatMap((x) => parseEntryString(x, 'output'))
  if (xb.pull !== undefined) t.pull = xb.pull === true || xb.pull === 'true'
  if (xb['no-cache'] !== undefined) t['no-cache'] = xb['no-cache'] === true || xb['no-cache'] === 'true'
  if (l('no-cache-filter')) t['no-cache-filter'] = l('no-cache-filter')
  if (isObj(xb.contexts)) t.contexts = {...(t.contexts ?? {}), ...Object.fromEntries(Object.entries(xb.contexts).map(([k, v]) => [k, str(v)]))}
}
