/**
 * The one redaction policy (issue #13): every value, text, run and plan that enters the index or
 * leaves through a presenter passes through a `Redactor`. A secret is replaced by
 * `secret:<16 hex>`, a salted hash of the value: the same secret gives the same marker under the same
 * salt, so "changed / unchanged" comparisons (plan diff, input diff, step matching) still work, while
 * the value itself, or a cheap dictionary test against it, never leaves.
 */
import {nodeCrypto} from '../lazy-crypto.js'
import type {Plan, PlanTarget} from '../bake/plan.js'
import type {InputComponent, Run, RunMetadata, Step} from '../model/run.js'
import {ANY_TOKEN, ASSIGNMENT, JSON_ASSIGNMENT, PEM_BLOCK, PEM_ORPHAN_END, REF_CREDENTIALS, URL_CREDENTIALS, ASSIGNMENT_HINT, TOKEN_HINT, hasBase64Run, isEnvStyleName, isHighEntropy, isSecretAssignmentName, isSecretName, isTokenMatch, looksLikeToken} from './patterns.js'

export {isSecretName, looksLikeToken, isHighEntropy} from './patterns.js'

/** A redacted value: `secret:` and 16 hex digits. Never redacted again. */
export const MARKER = /^secret:[0-9a-f]{16}$/
const MARKER_IN_TEXT = /secret:[0-9a-f]{16}/

/** `secret:<hex>`: lets two runs tell "changed" from "same" without storing the value. */
export function hashSecret(value: string, salt: string): string {
  return 'secret:' + nodeCrypto().createHash('sha256').update(salt).update('\u0000').update(value).digest('hex').slice(0, 16)
}

/**
 * A build arg (or env var, label) whose value is never stored or shown: a secret name, a token-shaped
 * value, or (for build args) a long random string.
 */
export function isSecretArg(name: string, value: string): boolean {
  if (value === '' || MARKER.test(value)) return false
  return isSecretName(name) || looksLikeToken(value) || isHighEntropy(value)
}

export interface RedactorOptions {
  /** the index's salt (random per index); '' hashes unsalted, so callers always pass one */
  salt: string
  /** values known to be secret (secret-named build args, registry passwords): replaced wherever seen */
  known?: Iterable<string>
}

/** Keys whose value is a map of named values: build args, env vars, labels. */
const NAMED_VALUE_MAPS: ReadonlySet<string> = new Set(['args', 'buildArgs', 'build-args', 'env', 'environment', 'labels'])

/** Step fields that hold no free text (digests, parsed name parts, flags, times) or that `step` redacts itself. */
const SAFE_STEP_FIELDS: ReadonlySet<string> = new Set(['digest', 'target', 'platform', 'stage', 'index', 'total', 'kind', 'internal', 'cacheable', 'cached', 'servedInRun', 'completed', 'started', 'finished', 'durationMs', 'inputs', 'name', 'instruction', 'error', 'logTail', 'stepInputs'])
/** Run fields that hold no free text or that `run` redacts itself. */
const SAFE_RUN_FIELDS: ReadonlySet<string> = new Set(['id', 'source', 'createdAt', 'startedAt', 'finishedAt', 'durationMs', 'status', 'platforms', 'skippedLines', 'planHash', 'steps', 'sourceFile', 'error', 'targets', 'labels', 'git', 'metadata'])

export class Redactor {
  readonly salt: string
  private readonly known: string[]

  constructor(options: RedactorOptions) {
    this.salt = options.salt
    // longest first, so that a value containing another is replaced whole
    this.known = [...new Set([...(options.known ?? [])].filter((v) => v.length >= 4 && !MARKER.test(v)))].sort((a, b) => b.length - a.length)
  }

  /** A new redactor that also replaces these values. */
  withKnown(values: Iterable<string>): Redactor {
    return new Redactor({salt: this.salt, known: [...this.known, ...values]})
  }

  marker(value: string): string {
    return MARKER.test(value) ? value : hashSecret(value, this.salt)
  }

  /** A named value (build arg, env var, label): hashed whole when secret, else its text redacted. */
  value(name: string, value: string): string {
    if (typeof value !== 'string') return value
    return isSecretArg(name, value) ? this.marker(value) : this.text(value)
  }

  /** Named values, each through `value`. */
  values(map: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(map)) out[k] = this.value(k, v)
    return out
  }

  /**
   * Free text (step names, logs, errors, file names): known values, PEM private keys, URL
   * credentials, token-shaped strings and the values of `SECRET_NAME=value` assignments are
   * replaced by their markers. Digests, paths and versions are left as they are.
   */
  text(text: string): string {
    if (typeof text !== 'string' || text === '') return text
    let out = text
    for (const v of this.known) if (out.includes(v)) out = out.split(v).join(this.marker(v))
    if (out.includes('PRIVATE KEY-----')) {
      PEM_BLOCK.lastIndex = 0
      out = out.replace(PEM_BLOCK, (m) => this.marker(m))
      out = out.replace(PEM_ORPHAN_END, (m) => this.marker(m))
    }
    if (out.includes('@') && out.includes('://')) {
      URL_CREDENTIALS.lastIndex = 0
      out = out.replace(URL_CREDENTIALS, (_m, scheme: string, userinfo: string) => `${scheme}${this.marker(userinfo)}@`)
    }
    if (out.includes('@')) {
      REF_CREDENTIALS.lastIndex = 0
      out = out.replace(REF_CREDENTIALS, (m, userinfo: string) => (MARKER.test(userinfo) ? m : `${this.marker(userinfo)}@`))
    }
    if (TOKEN_HINT.test(out) || hasBase64Run(out)) {
      ANY_TOKEN.lastIndex = 0
      out = out.replace(ANY_TOKEN, (m) => (isTokenMatch(m) ? this.marker(m) : m))
    }
    if (!ASSIGNMENT_HINT.test(out)) return out
    if (out.includes('=')) {
      ASSIGNMENT.lastIndex = 0
      out = out.replace(ASSIGNMENT, (m, prefix: string, value: string) => (isSecretAssignmentName(prefix.slice(0, -1)) ? prefix + this.quoted(value) : m))
    }
    if (out.includes('":')) {
      JSON_ASSIGNMENT.lastIndex = 0
      out = out.replace(JSON_ASSIGNMENT, (m, prefix: string, name: string, value: string) => (isSecretAssignmentName(name) ? prefix + this.quoted(value) : m))
    }
    return out
  }

  /** `"value"` → `"secret:…"`, keeping the quotes; an already redacted or empty value stays. */
  private quoted(value: string): string {
    const q = value[0] === '"' || value[0] === "'" ? value[0] : ''
    const inner = q ? value.slice(1, -1) : value
    if (inner === '' || MARKER_IN_TEXT.test(inner) || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(inner)) return value
    return q + this.marker(inner) + q
  }

  /**
   * Any JSON-like value: strings through `text`; under a key that is a secret name (an env-var or
   * build-arg style name), string values hashed whole. Object keys are redacted as text too.
   */
  deep<T>(value: T, keyIsName: (key: string) => boolean = isEnvStyleName): T {
    // Results repeat (the same digests, keys and shared sub-objects: 100 tags of one cache share one
    // summary), so free text, key tests and whole objects are redacted once per call: the output is
    // the same. An array or object in which nothing changed is returned as it is, not copied: a
    // 2,400-step explanation is ~70,000 strings of which none usually changes, and copying it all
    // was most of the cost of printing it.
    const texts = new Map<string, string>()
    const text = (t: string): string => {
      let out = texts.get(t)
      if (out === undefined) texts.set(t, (out = this.text(t)))
      return out
    }
    const names = new Map<string, boolean>()
    const isName = (k: string): boolean => {
      let yes = names.get(k)
      if (yes === undefined) names.set(k, (yes = keyIsName(k)))
      return yes
    }
    const done = [new Map<object, unknown>(), new Map<object, unknown>()]
    // inside a map of named values (`args`, `env`, `labels` …) every key is a name, whatever its case
    const walk = (v: unknown, key: string | undefined, named: boolean): unknown => {
      if (typeof v === 'string') return key !== undefined && (named || isName(key)) ? this.value(key, v) : text(v)
      if (Array.isArray(v)) {
        let out = done[0]!.get(v) as unknown[] | undefined
        if (out === undefined) {
          for (let i = 0; i < v.length; i++) {
            const x = walk(v[i], undefined, false)
            if (x !== v[i] && out === undefined) out = v.slice(0, i)
            if (out !== undefined) out.push(x)
          }
          done[0]!.set(v, (out ??= v))
        }
        return out
      }
      if (v && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
        const namedChildren = key !== undefined && NAMED_VALUE_MAPS.has(key)
        const seen = done[namedChildren ? 1 : 0]!
        let out = seen.get(v) as Record<string, unknown> | undefined
        if (out !== undefined) return out
        const record = v as Record<string, unknown>
        const keys = Object.keys(record)
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!
          const rk = text(k)
          const x = walk(record[k], k, namedChildren)
          if ((rk !== k || x !== record[k]) && out === undefined) {
            // the first change: copy what came before it (its keys and values unchanged)
            out = Object.getPrototypeOf(v) === null ? Object.create(null) as Record<string, unknown> : {}
            for (let j = 0; j < i; j++) out[keys[j]!] = record[keys[j]!]
          }
          if (out !== undefined) out[rk] = x
        }
        seen.set(v, (out ??= record))
        return out
      }
      return v
    }
    return walk(value, undefined, false) as T
  }

  private component(c: InputComponent): InputComponent {
    if (c.kind === 'arg' || c.kind === 'env') {
      const value = this.value(c.name, c.value)
      return value === c.value ? c : {...c, value, secret: true}
    }
    const name = this.text(c.name)
    const value = this.text(c.value)
    return name === c.name && value === c.value ? c : {...c, name, value}
  }

  private step(s: Step): Step {
    const name = this.text(s.name)
    const instruction = this.text(s.instruction)
    const error = s.error !== undefined ? this.text(s.error) : undefined
    const log = s.logTail.length ? this.text(s.logTail.join('\n')) : ''
    const logTail = s.logTail.length ? log.split('\n') : s.logTail
    let stepInputs = s.stepInputs
    if (stepInputs) {
      const components = stepInputs.components.map((c) => this.component(c))
      const dockerfile = stepInputs.dockerfile !== undefined ? this.text(stepInputs.dockerfile) : undefined
      if (components.some((c, i) => c !== stepInputs!.components[i]) || dockerfile !== stepInputs.dockerfile) stepInputs = {...stepInputs, components, dockerfile}
    }
    return {...this.unknownFields(s, SAFE_STEP_FIELDS), name, instruction, error, logTail, stepInputs}
  }

  /**
   * The fields of a record this policy does not handle by name (provenance definitions, and whatever
   * the model gains later) are redacted as JSON, so that a new field cannot carry a secret past it.
   */
  private unknownFields<T extends object>(record: T, safe: ReadonlySet<string>): T {
    // the record itself when it has none (its callers copy it): no copy and no entry list per step
    let out: Record<string, unknown> | undefined
    for (const k of Object.keys(record)) {
      if (safe.has(k)) continue
      const v = (record as Record<string, unknown>)[k]
      if (v !== undefined && v !== null && typeof v !== 'number' && typeof v !== 'boolean') (out ??= {...record} as Record<string, unknown>)[k] = this.deep(v)
    }
    return (out ?? record) as T
  }

  /** A run as it may be stored or shown: every free text, label, arg and recorded input redacted. */
  run(run: Run): Run {
    const metadata: RunMetadata | undefined = run.metadata
      ? {
          ...this.deep(run.metadata),
          // build args are named values whatever their case
          ...(run.metadata.buildArgs ? {buildArgs: Object.fromEntries(Object.entries(run.metadata.buildArgs).map(([t, a]) => [t, this.values(a)]))} : {}),
        }
      : undefined
    return {
      ...this.unknownFields(run, SAFE_RUN_FIELDS),
      sourceFile: run.sourceFile !== undefined ? this.text(run.sourceFile) : undefined,
      error: run.error !== undefined ? this.text(run.error) : undefined,
      targets: run.targets.map((t) => this.text(t)),
      labels: Object.fromEntries(Object.entries(run.labels ?? {}).map(([k, v]) => [this.text(k), this.value(k, v)])),
      git: run.git ? {commit: run.git.commit, branch: run.git.branch !== undefined ? this.text(run.git.branch) : undefined} : undefined,
      metadata,
      steps: run.steps.map((s) => this.step(s)),
    }
  }

  private target(t: PlanTarget): PlanTarget {
    // (a copy: deep returns an unchanged object as it is, and args/labels are set on it below)
    const out = {...this.deep(t, () => false)} as PlanTarget
    if (t.args) out.args = this.values(t.args)
    if (t.labels) out.labels = this.values(t.labels)
    return out
  }

  /** A resolved bake plan: build args and labels as named values, every other string as text. */
  plan(plan: Plan): Plan {
    const target: Record<string, PlanTarget> = {}
    for (const [name, t] of Object.entries(plan.target)) target[name] = this.target(t as PlanTarget)
    return {...this.deep(plan, () => false), target} as Plan
  }
}
