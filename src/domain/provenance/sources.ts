import {InputError} from '../errors.js'
import type {Run} from '../model/run.js'
import {attachProvenance} from './attach.js'
import {parseProvenanceText, parseProvenanceValue, type ParsedProvenance} from './parse-provenance.js'
import type {ProvenanceRecord} from './types.js'

/** Provenance as found: text of a file / archive entry, or a value inside a metadata file. */
export type ProvenanceInput =
  | {kind: 'text'; text: string; file: string; entry?: string}
  | {kind: 'value'; value: unknown; file: string; entry: string}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * `buildx.build.provenance` (and `…/<platform>` per platform) in a metadata file, flat (build) or
 * per target (bake). mode=min values have no LLB definition but still args and materials.
 */
export function provenanceInMetadata(text: string, file: string): ProvenanceInput[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return [] // parseMetadataFile reports the bad JSON with its position
  }
  if (!isObj(json)) return []
  const out: ProvenanceInput[] = []
  const scan = (o: Obj, prefix: string) => {
    for (const [key, value] of Object.entries(o)) {
      if (!key.startsWith('buildx.build.provenance')) continue
      const parsed = typeof value === 'string' ? tryJson(value) : value
      if (isObj(parsed)) out.push({kind: 'value', value: parsed, file, entry: `${prefix}${key}`})
    }
  }
  scan(json, '')
  for (const [target, v] of Object.entries(json)) if (isObj(v)) scan(v, `${target}.`)
  return out
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Parses every input; an error names its file (and entry). */
export function parseProvenanceInputs(inputs: readonly ProvenanceInput[], salt: string): ParsedProvenance {
  const records: ProvenanceRecord[] = []
  const secretValues: string[] = []
  for (const input of inputs) {
    try {
      const parsed = input.kind === 'text'
        ? parseProvenanceText(input.text, {salt, entry: input.entry})
        : parseProvenanceValue(input.value, {salt, entry: input.entry})
      records.push(...parsed.records)
      secretValues.push(...parsed.secretValues)
    } catch (error) {
      if (error instanceof InputError) throw error.withFile(input.file)
      throw error
    }
  }
  return {records, secretValues}
}

export interface ApplyResult {
  run: Run
  attached: number
  notes: string[]
}

/**
 * Puts the parsed statements on the run: definitions on the steps (mode=max), a summary per
 * statement and the request's build args in the run metadata (mode=min has those too). A
 * statement that matches none of the run's vertices is refused when nothing at all matched: it
 * belongs to another build.
 */
export function applyProvenance(run: Run, records: readonly ProvenanceRecord[], options: {target?: string; sources: string[]}): ApplyResult {
  if (records.length === 0) return {run, attached: 0, notes: []}
  const {run: attachedRun, attached, unmatched} = attachProvenance(run, records)
  const maxRecords = records.filter((r) => r.mode === 'max')
  if (maxRecords.length > 0 && unmatched.length === maxRecords.length) {
    throw new InputError('the provenance does not describe this build: none of its digestMapping keys is a vertex digest of the events', {
      file: options.sources.join(', '),
      fix: 'pass the provenance written by the same build as the events (one statement per platform of that build)',
    })
  }
  const notes: string[] = []
  for (const u of unmatched) notes.push(`a provenance statement${u.platform ? ` for ${u.platform}` : ''} (${u.steps} steps) matched no vertex of this run`)
  const metadata = {...attachedRun.metadata}
  metadata.provenance = [
    ...(metadata.provenance ?? []),
    ...records.map((r) => ({platform: r.platform, predicateType: r.predicateType, mode: r.mode, steps: r.steps.length, materials: r.materials, buildArgs: r.buildArgs})),
  ]
  const target = options.target ?? attachedRun.targets[0] ?? 'default'
  if (!metadata.buildArgs?.[target]) {
    const args = Object.assign({}, ...records.map((r) => r.buildArgs)) as Record<string, string>
    if (Object.keys(args).length || records.length) metadata.buildArgs = {...metadata.buildArgs, [target]: args}
  }
  return {run: {...attachedRun, metadata}, attached, notes}
}
