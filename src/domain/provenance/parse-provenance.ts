/**
 * SLSA provenance as BuildKit writes it (provenance.md, events.md §6) → one ProvenanceRecord per
 * statement. Accepts the full in-toto statement (local/tar exporter, registry attestation) or the
 * bare predicate (history attachments, `.dockerbuild` layers, metadata files), SLSA v0.2 and v1.
 *
 * Pure. Limits: the caller's text size, JSON nesting (checked before JSON.parse), number of steps,
 * env entries, mounts and file actions per step; beyond them an InputError (exit 2) says what to do.
 */
import {InputError} from '../errors.js'
import {canonicalJson, sha256} from './canonical.js'
import {ProvenanceRedactor} from './redact.js'
import {FIX, inputKind, normalizeOp} from './llb-op.js'
import type {ProvenanceMaterial, ProvenanceRecord, ProvenanceStep, StepLocation} from './types.js'

export interface ProvenanceLimits {
  maxBytes: number
  maxDepth: number
  maxSteps: number
  /** env entries, args, mounts, file actions of one step */
  maxItemsPerStep: number
  /** Dockerfile lines kept per step */
  maxLocationLines: number
}

export const DEFAULT_PROVENANCE_LIMITS: ProvenanceLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 64,
  maxSteps: 100_000,
  maxItemsPerStep: 10_000,
  maxLocationLines: 20,
}


type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export interface ParseOptions {
  salt: string
  limits?: Partial<ProvenanceLimits>
  /** where the JSON came from (for positions in errors), e.g. `blobs/sha256/…` */
  entry?: string
}

export interface ParsedProvenance {
  records: ProvenanceRecord[]
  /** plaintext of values the secret policy masked: to scrub them from names and logs */
  secretValues: string[]
}

/** Statement(s) from text: one statement, a bare predicate, or a JSON array / JSON lines of them. */
export function parseProvenanceText(text: string, options: ParseOptions): ParsedProvenance {
  const limits = {...DEFAULT_PROVENANCE_LIMITS, ...options.limits}
  if (text.length > limits.maxBytes) {
    throw new InputError(`the provenance is ${text.length} bytes, more than the ${limits.maxBytes}-byte limit`, {position: {entry: options.entry, offset: limits.maxBytes}, fix: FIX})
  }
  const values = parseJsonValues(text, limits, options.entry)
  const redactor = new ProvenanceRedactor(options.salt)
  const records: ProvenanceRecord[] = []
  for (const value of values) {
    for (const item of Array.isArray(value) ? value : [value]) records.push(parseStatement(item, redactor, limits, options.entry))
  }
  if (records.length === 0) throw new InputError('the provenance file holds no statement', {position: {entry: options.entry}, fix: FIX})
  return {records, secretValues: redactor.secretValues}
}

/** One already-parsed statement or predicate (metadata files embed it as JSON). */
export function parseProvenanceValue(value: unknown, options: ParseOptions): ParsedProvenance {
  const limits = {...DEFAULT_PROVENANCE_LIMITS, ...options.limits}
  checkDepthOfValue(value, limits.maxDepth, options.entry)
  const redactor = new ProvenanceRedactor(options.salt)
  return {records: [parseStatement(value, redactor, limits, options.entry)], secretValues: redactor.secretValues}
}

function parseJsonValues(text: string, limits: ProvenanceLimits, entry: string | undefined): unknown[] {
  checkDepthOfText(text, limits.maxDepth, entry)
  const trimmed = text.trim()
  if (!trimmed) throw new InputError('the provenance file is empty', {position: {entry, line: 1}, fix: FIX})
  try {
    return [JSON.parse(trimmed)]
  } catch (error) {
    // JSON lines: one statement per line
    const lines = trimmed.split('\n')
    if (lines.length > 1) {
      const out: unknown[] = []
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!.trim()
        if (!line) continue
        try {
          out.push(JSON.parse(line))
        } catch {
          throw new InputError(`the provenance is not valid JSON: ${(error as Error).message}`, {position: {entry, line: i + 1}, fix: FIX, cause: error})
        }
      }
      return out
    }
    throw new InputError(`the provenance is not valid JSON: ${(error as Error).message}`, {position: {entry, line: 1}, fix: FIX, cause: error})
  }
}

/** Nesting depth by scanning brackets outside strings: JSON.parse itself would recurse without bound. */
function checkDepthOfText(text: string, maxDepth: number, entry: string | undefined): void {
  let depth = 0
  let inString = false
  let line = 1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
      continue
    }
    if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) throw new InputError(`the provenance nests deeper than ${maxDepth} levels`, {position: {entry, line}, fix: FIX})
    } else if (c === 125 || c === 93) depth--
    else if (c === 10) line++
  }
}

function checkDepthOfValue(value: unknown, maxDepth: number, entry: string | undefined): void {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length) {
    const [v, d] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (d > maxDepth) throw new InputError(`the provenance nests deeper than ${maxDepth} levels`, {position: {entry}, fix: FIX})
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, d + 1])
  }
}

function parseStatement(value: unknown, redactor: ProvenanceRedactor, limits: ProvenanceLimits, entry: string | undefined): ProvenanceRecord {
  if (!isObj(value)) throw new InputError('a provenance statement is not a JSON object', {position: {entry}, fix: FIX})
  const predicateType = str(value.predicateType)
  const predicate = isObj(value.predicate) ? value.predicate : value
  const isV1 = predicateType ? /provenance\/v1/.test(predicateType) : isObj(predicate.buildDefinition) || isObj(predicate.runDetails)
  if (predicateType && !/slsa\.dev\/provenance\/v(0\.2|1)/.test(predicateType)) {
    throw new InputError(`unsupported predicate type ${predicateType}: bakedoctor reads SLSA provenance v0.2 and v1`, {position: {entry}, fix: FIX})
  }
  const parts = isV1 ? v1Parts(predicate) : v02Parts(predicate)
  if (!parts.recognised) {
    throw new InputError('not an SLSA provenance predicate: none of buildType, buildConfig, invocation, materials (v0.2) or buildDefinition/runDetails (v1) is present', {position: {entry}, fix: FIX})
  }
  const buildArgs: Record<string, string> = {}
  if (isObj(parts.args)) {
    for (const [k, v] of Object.entries(parts.args)) {
      if (k.startsWith('build-arg:') && typeof v === 'string') buildArgs[k.slice(10)] = redactor.value(k.slice(10), v)
    }
  }
  const materials: ProvenanceMaterial[] = []
  for (const m of Array.isArray(parts.materials) ? parts.materials : []) {
    if (!isObj(m) || typeof m.uri !== 'string' || !isObj(m.digest)) continue
    const [alg, hex] = Object.entries(m.digest).find((e) => typeof e[1] === 'string') ?? []
    if (alg && typeof hex === 'string') materials.push({uri: redactor.text(m.uri), digest: `${alg}:${hex}`})
  }
  const llb = isObj(parts.buildConfig) && Array.isArray(parts.buildConfig.llbDefinition) ? parts.buildConfig.llbDefinition : undefined
  const mapping = isObj(parts.buildConfig) && isObj(parts.buildConfig.digestMapping) ? parts.buildConfig.digestMapping : {}
  const record: ProvenanceRecord = {
    predicateType: isV1 ? 'v1' : 'v0.2',
    mode: llb ? 'max' : 'min',
    steps: [],
    digestToStep: {},
    buildArgs,
    materials,
  }
  for (const [digest, id] of Object.entries(mapping)) if (typeof id === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest)) record.digestToStep[digest] = id
  if (llb) {
    if (llb.length > limits.maxSteps) {
      throw new InputError(`the provenance defines ${llb.length} steps, more than the ${limits.maxSteps} limit`, {position: {entry}, fix: FIX})
    }
    record.steps = parseSteps(llb, isObj(parts.buildkitMetadata) ? parts.buildkitMetadata : undefined, redactor, limits, entry)
  }
  record.platform = record.steps.find((s) => s.definition.platform)?.definition.platform ?? platformOfMaterials(materials)
  return record
}

interface Parts {
  recognised: boolean
  args?: unknown
  materials?: unknown
  buildConfig?: unknown
  buildkitMetadata?: unknown
}

function v02Parts(p: Obj): Parts {
  const inv = isObj(p.invocation) ? p.invocation : undefined
  const params = isObj(inv?.parameters) ? inv.parameters : undefined
  const metadata = isObj(p.metadata) ? p.metadata : undefined
  return {
    recognised: 'buildType' in p || 'buildConfig' in p || 'invocation' in p || 'materials' in p,
    args: params?.args,
    materials: p.materials,
    buildConfig: p.buildConfig,
    buildkitMetadata: metadata?.['https://mobyproject.org/buildkit@v1#metadata'],
  }
}

function v1Parts(p: Obj): Parts {
  const def = isObj(p.buildDefinition) ? p.buildDefinition : {}
  const ext = isObj(def.externalParameters) ? def.externalParameters : {}
  const request = isObj(ext.request) ? ext.request : {}
  const internal = isObj(def.internalParameters) ? def.internalParameters : {}
  const run = isObj(p.runDetails) ? p.runDetails : {}
  const metadata = isObj(run.metadata) ? run.metadata : {}
  return {
    recognised: isObj(p.buildDefinition) || isObj(p.runDetails),
    args: request.args,
    materials: def.resolvedDependencies,
    buildConfig: internal.buildConfig,
    buildkitMetadata: metadata.buildkit_metadata,
  }
}

function platformOfMaterials(materials: ProvenanceMaterial[]): string | undefined {
  for (const m of materials) {
    const q = /[?&]platform=([^&#]+)/.exec(m.uri)
    if (q) return decodeURIComponent(q[1]!)
  }
  return undefined
}

interface RawStep {
  id: string
  op: Obj | undefined
  inputs: string[]
}

function parseSteps(llb: unknown[], meta: Obj | undefined, redactor: ProvenanceRedactor, limits: ProvenanceLimits, entry: string | undefined): ProvenanceStep[] {
  const raw: RawStep[] = []
  for (const [i, item] of llb.entries()) {
    if (!isObj(item) || typeof item.id !== 'string') {
      throw new InputError(`llbDefinition[${i}] has no step id`, {position: {entry}, fix: FIX})
    }
    const op = isObj(item.op) && isObj(item.op.Op) ? item.op : undefined
    const inputs = (Array.isArray(item.inputs) ? item.inputs : []).filter((x): x is string => typeof x === 'string')
    raw.push({id: item.id, op, inputs})
  }
  const byId = new Map(raw.map((r) => [r.id, r]))
  const locations = readLocations(meta, redactor, limits)
  const out = new Map<string, ProvenanceStep>()
  const visiting = new Set<string>()

  const build = (r: RawStep): ProvenanceStep => {
    const done = out.get(r.id)
    if (done) return done
    if (visiting.has(r.id)) throw new InputError(`llbDefinition has a cycle through ${r.id}`, {position: {entry}, fix: FIX})
    visiting.add(r.id)
    const parentIds = r.inputs.map((x) => x.replace(/:\d+$/, ''))
    const parents = parentIds.map((id) => byId.get(id))
    const parentSteps: ProvenanceStep[] = []
    for (const p of parents) if (p?.op) parentSteps.push(build(p))
    const inputKinds = parents.map((p) => inputKind(p?.op))
    const definition = normalizeOp(r.op!, inputKinds, redactor, limits, r.id, entry)
    const hash = sha256(canonicalJson(definition))
    const outputIndexes = r.inputs.map((x) => /:(\d+)$/.exec(x)?.[1] ?? '0')
    // 128 bits: an equality test, stored per step per run
    const lineage = sha256([hash, ...parentSteps.map((p, i) => `${p.lineage}:${outputIndexes[i]}`)].join('\n')).slice(0, 32)
    const readsContext = inputKinds.includes('context') || parentSteps.some((p) => p.readsContext)
    const step: ProvenanceStep = {id: r.id, definition, parents: parentIds, hash, lineage, readsContext}
    const location = locations.get(r.id)
    if (location) step.location = location
    visiting.delete(r.id)
    out.set(r.id, step)
    return step
  }
  // the result pseudo-op (`Op: null`) has no vertex and no definition
  for (const r of raw) if (r.op) build(r)
  return raw.filter((r) => r.op).map((r) => out.get(r.id)!)
}

function readLocations(meta: Obj | undefined, redactor: ProvenanceRedactor, limits: ProvenanceLimits): Map<string, StepLocation> {
  const out = new Map<string, StepLocation>()
  const source = isObj(meta?.source) ? meta.source : undefined
  if (!source || !isObj(source.locations)) return out
  const infos = (Array.isArray(source.infos) ? source.infos : []).map((info) => {
    if (!isObj(info)) return {file: 'Dockerfile', lines: [] as string[]}
    let lines: string[] = []
    if (typeof info.data === 'string' && info.data.length <= 8 * 1024 * 1024) {
      lines = Buffer.from(info.data, 'base64').toString('utf8').split('\n')
    }
    return {file: redactor.text(str(info.filename) ?? 'Dockerfile'), lines}
  })
  for (const [id, value] of Object.entries(source.locations)) {
    if (!isObj(value) || !Array.isArray(value.locations)) continue
    // a base image shared by several FROMs lists one location per FROM: keep the first
    const loc = value.locations.find((l) => isObj(l) && Array.isArray(l.ranges) && l.ranges.length) as Obj | undefined
    if (!loc) continue
    const info = infos[typeof loc.sourceIndex === 'number' ? loc.sourceIndex : 0] ?? {file: 'Dockerfile', lines: []}
    const ranges = (loc.ranges as unknown[]).filter(isObj)
    const lineOf = (r: Obj, side: 'start' | 'end') => (isObj(r[side]) && typeof r[side].line === 'number' ? (r[side].line as number) : undefined)
    const starts = ranges.map((r) => lineOf(r, 'start')).filter((n): n is number => n !== undefined && n > 0)
    if (!starts.length) continue
    const ends = ranges.map((r) => lineOf(r, 'end') ?? lineOf(r, 'start')).filter((n): n is number => n !== undefined && n > 0)
    const startLine = Math.min(...starts)
    const endLine = Math.max(startLine, ...ends)
    const text = info.lines.slice(startLine - 1, Math.min(endLine, startLine - 1 + limits.maxLocationLines)).map((l) => redactor.text(l.slice(0, 500)))
    out.set(id, {file: info.file, startLine, endLine, text})
  }
  return out
}
