import {InputError} from '../errors.js'
import {jsonTooDeepAt} from '../json-error-offset.js'
import {beforeCut} from '../redact/cut.js'
import {THRESHOLD_NAMES, thresholdExpectation} from './rule-registry.js'
import {GATE_SCOPES, type GateFileConfig, type GateScope, type LoadedConfig, type ThresholdValues} from './types.js'

/** a config is a few levels deep (gate → targets → name → platforms → name → rule) */
const MAX_CONFIG_NESTING = 32

/**
 * Parses and validates a bakedoctor config file's text (pure: the adapter reads the file).
 *
 * `bakedoctor.config.json`:
 * ```json
 * {"gate": {"minHitRate": 80, "per": ["overall", "target-platform"],
 *           "targets": {"api": {"minHitRate": 90, "platforms": {"linux/arm64": {"minHitRate": 50}}}},
 *           "platforms": {"linux/arm64": {"minHitRate": 60}}}}
 * ```
 * or the same object under a `bakedoctor` key of package.json. Unknown keys and bad values are
 * InputErrors naming the file, the key (JSON path) and the fix: a typo must never silently
 * turn a rule off.
 *
 * @returns undefined for a package.json without a `bakedoctor` key (the search goes on)
 */
export function parseConfigText(text: string, file: string, options: {packageJson?: boolean} = {}): LoadedConfig | undefined {
  const deep = jsonTooDeepAt(text, MAX_CONFIG_NESTING)
  if (deep !== undefined) {
    throw new InputError(`nests deeper than ${MAX_CONFIG_NESTING} levels: not a bakedoctor config`, {file, position: {line: deep}, fix: `write it as ${EXAMPLE}`})
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new InputError(`is not valid JSON: ${(error as Error).message}`, {
      file, position: {line: lineOfJsonError(text, error as Error)}, fix: 'fix the JSON syntax (no comments or trailing commas in JSON)',
    })
  }
  if (options.packageJson) {
    if (!isObject(value) || !('bakedoctor' in value)) return undefined
    return {file, prefix: 'bakedoctor.gate', gate: validateRoot(value.bakedoctor, file, 'bakedoctor'), history: historyRef(value.bakedoctor, file, 'bakedoctor.history')}
  }
  return {file, prefix: 'gate', gate: validateRoot(value, file, ''), history: historyRef(value, file, 'history')}
}

/** `"history": "ghcr.io/acme/shop/bakedoctor-history"`: the default ref of `history push/pull`. */
function historyRef(root: unknown, file: string, path: string): string | undefined {
  const value = isObject(root) ? root.history : undefined
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.trim() === '') throw badValue(file, path, value, 'a repository reference', '"history": "ghcr.io/acme/shop/bakedoctor-history"')
  return value.trim()
}

const ROOT_KEYS = ['$schema', 'gate', 'history']
/** every rule's threshold is a key at each level (rule-registry.ts) */
const PLATFORM_KEYS: string[] = [...THRESHOLD_NAMES]
const TARGET_KEYS = [...PLATFORM_KEYS, 'platforms']
const GATE_KEYS = [...PLATFORM_KEYS, 'baseline', 'per', 'allowEmpty', 'allowMissingBaseline', 'targets', 'platforms']

const EXAMPLE = '{"gate": {"minHitRate": 80, "targets": {"api": {"minHitRate": 90}}, "platforms": {"linux/arm64": {"minHitRate": 50}}}}'

function validateRoot(value: unknown, file: string, prefix: string): GateFileConfig {
  const at = (key: string) => (prefix ? `${prefix}.${key}` : key)
  if (!isObject(value)) {
    throw new InputError(`${prefix || 'the top level'} must be an object, not ${describe(value)}`, {file, fix: `write it as ${EXAMPLE}`})
  }
  checkKeys(value, ROOT_KEYS, file, prefix)
  if (value.$schema !== undefined && typeof value.$schema !== 'string') {
    throw badValue(file, at('$schema'), value.$schema, 'a string (a schema URL)', '"$schema": "…"')
  }
  if (value.gate === undefined) return {}
  const gatePath = at('gate')
  const gate = value.gate
  if (!isObject(gate)) throw new InputError(`"${gatePath}" must be an object, not ${describe(gate)}`, {file, fix: `write it as ${EXAMPLE}`})
  checkKeys(gate, GATE_KEYS, file, gatePath)
  const out: GateFileConfig = {...thresholds(gate, file, gatePath)}
  if (gate.baseline !== undefined) {
    if (typeof gate.baseline !== 'string' || !isBaselineRef(gate.baseline)) {
      throw badValue(file, `${gatePath}.baseline`, gate.baseline, 'a run id (r12), latest~N or branch:NAME', '"baseline": "branch:main"')
    }
    out.baseline = gate.baseline
  }
  if (gate.per !== undefined) {
    const per = gate.per
    if (!Array.isArray(per) || per.length === 0 || per.some((p) => typeof p !== 'string' || !GATE_SCOPES.includes(p as GateScope))) {
      throw badValue(file, `${gatePath}.per`, per, `a non-empty list of ${GATE_SCOPES.map((s) => `"${s}"`).join(', ')}`, '"per": ["overall", "target-platform"]')
    }
    out.per = [...new Set(per as GateScope[])]
  }
  if (gate.allowEmpty !== undefined) {
    if (typeof gate.allowEmpty !== 'boolean') throw badValue(file, `${gatePath}.allowEmpty`, gate.allowEmpty, 'true or false', '"allowEmpty": true')
    out.allowEmpty = gate.allowEmpty
  }
  if (gate.allowMissingBaseline !== undefined) {
    if (typeof gate.allowMissingBaseline !== 'boolean') throw badValue(file, `${gatePath}.allowMissingBaseline`, gate.allowMissingBaseline, 'true or false', '"allowMissingBaseline": true')
    out.allowMissingBaseline = gate.allowMissingBaseline
  }
  if (gate.targets !== undefined) {
    const targetsPath = `${gatePath}.targets`
    if (!isObject(gate.targets)) throw badValue(file, targetsPath, gate.targets, 'an object of target names', '"targets": {"api": {"minHitRate": 90}}')
    out.targets = {}
    for (const [name, t] of Object.entries(gate.targets)) {
      const tPath = `${targetsPath}${key(name)}`
      if (name.trim() === '') throw new InputError(`"${tPath}": a target name cannot be empty`, {file, fix: 'use the bake target name, e.g. "api"'})
      if (!isObject(t)) throw badValue(file, tPath, t, 'an object of thresholds', `"${name}": {"minHitRate": 90}`)
      checkKeys(t, TARGET_KEYS, file, tPath)
      const target: NonNullable<GateFileConfig['targets']>[string] = thresholds(t, file, tPath)
      if (t.platforms !== undefined) target.platforms = platformMap(t.platforms, file, `${tPath}.platforms`)
      out.targets[name] = target
    }
  }
  if (gate.platforms !== undefined) out.platforms = platformMap(gate.platforms, file, `${gatePath}.platforms`)
  return out
}

function platformMap(value: unknown, file: string, path: string): Record<string, ThresholdValues> {
  if (!isObject(value)) throw badValue(file, path, value, 'an object of platforms', '"platforms": {"linux/arm64": {"minHitRate": 50}}')
  const out: Record<string, ThresholdValues> = {}
  for (const [name, p] of Object.entries(value)) {
    const pPath = `${path}${key(name)}`
    if (!/^[a-z0-9_.-]+\/[a-z0-9_.-]+(\/[a-z0-9_.-]+)?$/i.test(name)) {
      throw new InputError(`"${pPath}": "${name}" is not a platform`, {file, fix: 'write platforms as os/arch[/variant], e.g. "linux/arm64" or "linux/arm/v7"'})
    }
    if (!isObject(p)) throw badValue(file, pPath, p, 'an object of thresholds', `"${name}": {"minHitRate": 50}`)
    checkKeys(p, PLATFORM_KEYS, file, pPath)
    out[name] = thresholds(p, file, pPath)
  }
  return out
}

function thresholds(obj: Record<string, unknown>, file: string, path: string): ThresholdValues {
  const out: ThresholdValues = {}
  for (const name of THRESHOLD_NAMES) {
    const v = obj[name]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
      const {expected, example} = thresholdExpectation(name)
      throw badValue(file, `${path}.${name}`, v, expected, `"${name}": ${example}`)
    }
    out[name] = v
  }
  return out
}

function checkKeys(obj: Record<string, unknown>, allowed: string[], file: string, path: string): void {
  for (const k of Object.keys(obj)) {
    if (allowed.includes(k)) continue
    const full = path ? `${path}${key(k)}` : k
    const near = closest(k, allowed)
    throw new InputError(`unknown key "${full}"`, {
      file,
      fix: `${near ? `did you mean "${near}"? ` : ''}allowed keys${path ? ` in "${path}"` : ''}: ${allowed.join(', ')}`,
    })
  }
}

function badValue(file: string, path: string, value: unknown, expected: string, example: string): InputError {
  return new InputError(`"${path}" must be ${expected}, not ${describe(value)}`, {file, fix: `write it as ${example}`})
}

/** `.api` or `["linux/arm64"]` — a JSON path segment that reads back unambiguously. */
function key(name: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `a list (${truncate(JSON.stringify(value))})`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${truncate(JSON.stringify(value))}`
}

// whole words only: a value cut inside a token (an AWS secret key pasted in the wrong place) is no longer recognisable as one
const truncate = (s: string) => (s.length > 40 ? beforeCut(s, 37) : s)

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `r12`, `12`, `latest`, `latest~2`, `branch:main` */
export function isBaselineRef(ref: string): boolean {
  return /^(r?\d+|latest(~\d+)?|branch:\S+)$/.test(ref.trim())
}

/** Case-insensitive edit distance ≤ 2, for "did you mean". */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestD = 3
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase())
    if (d < bestD) {
      bestD = d
      best = c
    }
  }
  return best
}

function distance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]!
}

function lineOfJsonError(text: string, error: Error): number {
  const line = /line (\d+)/.exec(error.message)
  if (line) return Number(line[1])
  const pos = /position (\d+)/.exec(error.message)
  if (!pos) return 1
  return text.slice(0, Number(pos[1])).split('\n').length
}
