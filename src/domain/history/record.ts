import {InputError} from '../errors.js'
import {validateStepProvenance} from '../provenance/validate.js'
import {INSTRUCTION_KEYWORDS, type InputComponent, type Run, type RunStatus, type Step} from '../model/run.js'
import {isGlobalId} from './global-id.js'

/**
 * A run as it travels through team history: what the index stores of it (already redacted at the
 * index boundary), its global id, the baseline it was explained against, its stored totals and its
 * plan. Parsing is strict and bounded: a record comes from the network.
 */
export const RECORD_SCHEMA = 'bakedoctor.run/v1'

export interface RecordTotals {
  cacheable: number
  hits: number
  servedInRun: number
  spentMs: number
  savedMs: number
  timeWeighted: number | null
}

export interface HistoryRecord {
  schema: typeof RECORD_SCHEMA
  globalId: string
  baselineGlobalId?: string
  /** names the secret salt of the index that recorded the run (a hash of it, not the salt) */
  saltId?: string
  totals: RecordTotals
  /** the canonical plan JSON recorded with the run (`build`), when there is one */
  plan?: {hash: string; json: string}
  run: Run
}

export const RECORD_LIMITS = {
  steps: 100_000,
  /** any one string */
  stringChars: 1024 * 1024,
  componentsPerStep: 10_000,
  logLines: 10_000,
  mapEntries: 10_000,
}

/** The record's JSON (the run without its local id). */
export function serializeRecord(record: HistoryRecord): string {
  const {id: _localId, ...run} = record.run
  return JSON.stringify({...record, run})
}

const STATUSES: RunStatus[] = ['completed', 'failed', 'cancelled', 'incomplete']
const KINDS = new Set<string>([...INSTRUCTION_KEYWORDS, 'internal'])
const COMPONENT_KINDS = new Set<string>(['instruction', 'platform', 'arg', 'env', 'file', 'base-image', 'from-stage', 'mount'])

class Checker {
  constructor(private readonly where: string) {}

  fail(path: string, expected: string): never {
    throw new InputError(`the run record's ${path} is not ${expected}`, {
      file: this.where,
      fix: 'the history holds a record bakedoctor cannot read (another version, or altered): delete that tag, or pull with a bakedoctor that writes this schema',
    })
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'an object')
    return v as Record<string, unknown>
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string' || v.length > RECORD_LIMITS.stringChars) this.fail(path, 'a string (of at most 1 MiB)')
    return v
  }

  optString(v: unknown, path: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, path)
  }

  number(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, 'a number')
    return v
  }

  optNumber(v: unknown, path: string): number | undefined {
    return v === undefined || v === null ? undefined : this.number(v, path)
  }

  boolean(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'true or false')
    return v
  }

  array(v: unknown, path: string, max: number): unknown[] {
    if (!Array.isArray(v) || v.length > max) this.fail(path, `a list (of at most ${max})`)
    return v
  }

  strings(v: unknown, path: string, max: number): string[] {
    return this.array(v, path, max).map((x, i) => this.string(x, `${path}[${i}]`))
  }

  stringMap(v: unknown, path: string): Record<string, string> {
    const o = this.object(v, path)
    const entries = Object.entries(o)
    if (entries.length > RECORD_LIMITS.mapEntries) this.fail(path, `a map of at most ${RECORD_LIMITS.mapEntries} entries`)
    return Object.fromEntries(entries.map(([k, x]) => [k, this.string(x, `${path}.${k}`)]))
  }
}

/** Parses and validates a record's JSON text; `where` names it in errors (`REF:TAG`). */
export function parseRecord(text: string, where: string): HistoryRecord {
  const c = new Checker(where)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new InputError(`the run record is not valid JSON (${(error as Error).message})`, {file: where, fix: 'delete that tag from the history repository; it was not written by bakedoctor or was altered'})
  }
  const root = c.object(value, 'top level')
  if (root.schema !== RECORD_SCHEMA) c.fail('schema', `"${RECORD_SCHEMA}"`)
  const globalId = c.string(root.globalId, 'globalId')
  if (!isGlobalId(globalId)) c.fail('globalId', 'a global run id')
  const baselineGlobalId = c.optString(root.baselineGlobalId, 'baselineGlobalId')
  if (baselineGlobalId !== undefined && !isGlobalId(baselineGlobalId)) c.fail('baselineGlobalId', 'a global run id')
  const t = c.object(root.totals, 'totals')
  const totals: RecordTotals = {
    cacheable: c.number(t.cacheable, 'totals.cacheable'),
    hits: c.number(t.hits, 'totals.hits'),
    servedInRun: c.number(t.servedInRun, 'totals.servedInRun'),
    spentMs: c.number(t.spentMs, 'totals.spentMs'),
    savedMs: c.number(t.savedMs, 'totals.savedMs'),
    timeWeighted: t.timeWeighted === null ? null : c.number(t.timeWeighted, 'totals.timeWeighted'),
  }
  let plan: HistoryRecord['plan']
  if (root.plan !== undefined && root.plan !== null) {
    const p = c.object(root.plan, 'plan')
    plan = {hash: c.string(p.hash, 'plan.hash'), json: c.string(p.json, 'plan.json')}
  }
  const saltId = c.optString(root.saltId, 'saltId')
  return {schema: RECORD_SCHEMA, globalId, baselineGlobalId, saltId, totals, plan, run: parseRun(c, c.object(root.run, 'run'))}
}

function parseRun(c: Checker, r: Record<string, unknown>): Run {
  const status = c.string(r.status, 'run.status') as RunStatus
  if (!STATUSES.includes(status)) c.fail('run.status', STATUSES.join(' / '))
  const steps = c.array(r.steps, 'run.steps', RECORD_LIMITS.steps).map((s, i) => parseStep(c, c.object(s, `run.steps[${i}]`), `run.steps[${i}]`))
  let git: Run['git']
  if (r.git !== undefined && r.git !== null) {
    const g = c.object(r.git, 'run.git')
    git = {commit: c.optString(g.commit, 'run.git.commit'), branch: c.optString(g.branch, 'run.git.branch')}
  }
  let metadata: Run['metadata']
  if (r.metadata !== undefined && r.metadata !== null) {
    // a JSON object stored as the index stores it; bounded by the blob's size limit
    metadata = c.object(r.metadata, 'run.metadata') as Run['metadata']
  }
  return {
    source: c.string(r.source, 'run.source'),
    sourceFile: c.optString(r.sourceFile, 'run.sourceFile'),
    createdAt: c.number(r.createdAt, 'run.createdAt'),
    startedAt: c.optNumber(r.startedAt, 'run.startedAt'),
    finishedAt: c.optNumber(r.finishedAt, 'run.finishedAt'),
    durationMs: c.number(r.durationMs, 'run.durationMs'),
    status,
    error: c.optString(r.error, 'run.error'),
    targets: c.strings(r.targets, 'run.targets', RECORD_LIMITS.mapEntries),
    platforms: c.strings(r.platforms, 'run.platforms', RECORD_LIMITS.mapEntries),
    steps,
    labels: c.stringMap(r.labels, 'run.labels'),
    git,
    skippedLines: c.number(r.skippedLines, 'run.skippedLines'),
    metadata,
    planHash: c.optString(r.planHash, 'run.planHash'),
  }
}

function parseStep(c: Checker, s: Record<string, unknown>, at: string): Step {
  const kind = c.string(s.kind, `${at}.kind`)
  if (!KINDS.has(kind)) c.fail(`${at}.kind`, 'an instruction keyword or "internal"')
  const step: Step = {
    digest: c.string(s.digest, `${at}.digest`),
    name: c.string(s.name, `${at}.name`),
    platform: c.optString(s.platform, `${at}.platform`),
    stage: c.optString(s.stage, `${at}.stage`),
    index: c.optNumber(s.index, `${at}.index`),
    total: c.optNumber(s.total, `${at}.total`),
    kind: kind as Step['kind'],
    instruction: c.string(s.instruction, `${at}.instruction`),
    internal: c.boolean(s.internal, `${at}.internal`),
    cacheable: c.boolean(s.cacheable, `${at}.cacheable`),
    cached: c.boolean(s.cached, `${at}.cached`),
    servedInRun: c.boolean(s.servedInRun, `${at}.servedInRun`),
    completed: c.boolean(s.completed, `${at}.completed`),
    started: c.optNumber(s.started, `${at}.started`),
    finished: c.optNumber(s.finished, `${at}.finished`),
    durationMs: c.number(s.durationMs, `${at}.durationMs`),
    error: c.optString(s.error, `${at}.error`),
    inputs: c.strings(s.inputs, `${at}.inputs`, RECORD_LIMITS.steps),
    logTail: c.strings(s.logTail, `${at}.logTail`, RECORD_LIMITS.logLines),
  }
  const target = c.optString(s.target, `${at}.target`)
  if (target !== undefined) step.target = target
  if (s.stepInputs !== undefined && s.stepInputs !== null) {
    const si = c.object(s.stepInputs, `${at}.stepInputs`)
    const components = c.array(si.components, `${at}.stepInputs.components`, RECORD_LIMITS.componentsPerStep).map((x, j): InputComponent => {
      const cp = c.object(x, `${at}.stepInputs.components[${j}]`)
      const ckind = c.string(cp.kind, `${at}.stepInputs.components[${j}].kind`)
      if (!COMPONENT_KINDS.has(ckind)) c.fail(`${at}.stepInputs.components[${j}].kind`, 'a known input kind')
      const out: InputComponent = {kind: ckind as InputComponent['kind'], name: c.string(cp.name, `${at}.stepInputs.components[${j}].name`), value: c.string(cp.value, `${at}.stepInputs.components[${j}].value`)}
      if (cp.secret !== undefined) out.secret = c.boolean(cp.secret, `${at}.stepInputs.components[${j}].secret`)
      return out
    })
    step.stepInputs = {
      components,
      fingerprint: c.string(si.fingerprint, `${at}.stepInputs.fingerprint`),
      dockerfile: c.optString(si.dockerfile, `${at}.stepInputs.dockerfile`),
      line: c.optNumber(si.line, `${at}.stepInputs.line`),
    }
  }
  if (s.provenance !== undefined && s.provenance !== null) {
    const p = validateStepProvenance(s.provenance)
    if ('invalid' in p) c.fail(`${at}.provenance${p.invalid}`, 'a step definition as bakedoctor writes it')
    step.provenance = p
  }
  return step
}
