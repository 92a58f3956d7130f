/**
 * Finding and reading bake definition files like buildx (`ReadLocalFiles`, bake.md §1), and the
 * structural parse of each format (HCL via `@cdktf/hcl2json`, JSON, Compose YAML).
 */
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {InputError} from '../../domain/errors.js'
import type {BakeFileText, StructuredBakeFile} from '../../domain/bake/body.js'
import type {ComposeInput} from '../../domain/bake/compose.js'

/** buildx's default lookup order (since v0.20.0). */
export const DEFAULT_BAKE_FILES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yml',
  'docker-compose.yaml',
  'docker-bake.json',
  'docker-bake.hcl',
  'docker-bake.override.json',
  'docker-bake.override.hcl',
]

/**
 * The files to read: `-f` values as given, else `BUILDX_BAKE_FILE` (split on
 * `BUILDX_BAKE_PATH_SEPARATOR`, default `:`), else every default name that exists in `cwd`.
 */
export function findBakeFiles(options: {cwd: string; files?: string[]; env: Record<string, string | undefined>}): string[] {
  if (options.files?.length) return options.files
  const fromEnv = options.env.BUILDX_BAKE_FILE
  if (fromEnv) {
    const sep = options.env.BUILDX_BAKE_PATH_SEPARATOR || path.delimiter
    const list = fromEnv.split(sep).filter((f) => f !== '')
    for (const f of list) {
      if (!existsSync(path.resolve(options.cwd, f))) throw new InputError(`bake file from BUILDX_BAKE_FILE not found: ${f}`, {file: f})
    }
    return list
  }
  const found = DEFAULT_BAKE_FILES.filter((f) => existsSync(path.join(options.cwd, f)))
  if (found.length === 0) {
    throw new InputError("couldn't find a bake definition", {
      file: options.cwd,
      fix: `add one of ${DEFAULT_BAKE_FILES.join(', ')} or pass -f FILE`,
    })
  }
  return found
}

export async function readBakeFiles(names: string[], cwd: string, stdin?: () => Promise<string>): Promise<BakeFileText[]> {
  return Promise.all(
    names.map(async (name) => {
      if (name === '-') return {name: '-', data: stdin ? await stdin() : ''}
      const local = name.startsWith('cwd://') ? name.slice('cwd://'.length) : name
      try {
        return {name: local, data: await readFile(path.resolve(cwd, local), 'utf8')}
      } catch (err) {
        throw new InputError(`cannot read bake file ${local}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {file: local, fix: 'check the -f path'})
      }
    }),
  )
}

/** `KEY=value` lines of a `.env` file (compose interpolation). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (!m || line.trim().startsWith('#')) continue
    let v = m[2] ?? ''
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1)
    out[m[1] as string] = v
  }
  return out
}

export async function readDotenv(cwd: string): Promise<Record<string, string>> {
  try {
    return parseDotenv(await readFile(path.join(cwd, '.env'), 'utf8'))
  } catch {
    return {}
  }
}

const HCL_DIAG = /^(?:parse config: )?\[?(.*?):(\d+),\d+(?:-\d+)?(?:,\d+)?: (.*?)\]?$/s

/** Parses native HCL with `@cdktf/hcl2json` (lazy: the WASM costs ~250 ms to load). */
export async function parseHclStructure(name: string, text: string): Promise<unknown> {
  checkNesting(name, text)
  const {parse} = await import('@cdktf/hcl2json')
  try {
    return await parse(name, text)
  } catch (err) {
    const msg = String(err instanceof Error ? err.message : err)
    const m = HCL_DIAG.exec(msg.replace(/^Error: /, ''))
    if (m) throw new InputError(m[3] as string, {file: name, position: {line: Number(m[2])}})
    throw new InputError(`failed to parse ${name}: ${msg}`, {file: name})
  }
}

/** deeper than this, hcl2json's Go parser overflows the JS stack and leaves its WASM runtime broken */
const MAX_HCL_NESTING = 256

/** Refuses absurdly nested brackets before the text reaches hcl2json (an input error with a line, not a crash). */
export function checkNesting(name: string, text: string): void {
  let depth = 0
  let line = 1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) line++
    else if (c === 40 || c === 91 || c === 123) {
      if (++depth > MAX_HCL_NESTING) {
        throw new InputError(`brackets nest deeper than ${MAX_HCL_NESTING} levels`, {file: name, position: {line}, fix: 'flatten the expression (use variables or locals for the inner parts)'})
      }
    } else if (c === 41 || c === 93 || c === 125) depth = Math.max(0, depth - 1)
  }
}

function kindOf(name: string): 'compose' | 'json' | 'hcl' | 'unknown' {
  const lower = name.toLowerCase()
  if (lower.endsWith('.yml') || lower.endsWith('.yaml')) return 'compose'
  if (lower.endsWith('.json')) return 'json'
  if (lower.endsWith('.hcl')) return 'hcl'
  return 'unknown'
}

function lineOfOffset(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length
}

async function parseYaml(f: BakeFileText): Promise<unknown> {
  const {parse} = await import('yaml')
  try {
    return parse(f.data)
  } catch (err) {
    const pos = (err as {linePos?: {line: number}[]}).linePos?.[0]
    throw new InputError(`failed to parse ${f.name}: parsing yaml: ${(err as Error).message.split('\n')[0]}`, {file: f.name, position: pos ? {line: pos.line} : undefined})
  }
}

function parseJson(f: BakeFileText): unknown {
  try {
    return JSON.parse(f.data)
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message)
    throw new InputError(`failed to parse ${f.name}: ${(err as Error).message}`, {file: f.name, position: m ? {line: lineOfOffset(f.data, Number(m[1]))} : undefined})
  }
}

/**
 * Splits files into Compose documents and structurally parsed HCL/JSON files (order kept), with
 * buildx's format detection (extension, else compose → HCL → JSON).
 */
export async function parseBakeFiles(files: BakeFileText[], dotenv: Record<string, string> = {}): Promise<{files: StructuredBakeFile[]; compose: ComposeInput[]}> {
  const out: StructuredBakeFile[] = []
  const compose: ComposeInput[] = []
  for (const f of files) {
    const kind = kindOf(f.name)
    if (kind === 'compose') {
      compose.push({name: f.name, doc: await parseYaml(f), dotenv})
    } else if (kind === 'json') {
      out.push({name: f.name, format: 'json', json: parseJson(f), source: f.data})
    } else if (kind === 'hcl') {
      out.push({name: f.name, format: 'hcl', json: await parseHclStructure(f.name, f.data), source: f.data})
    } else {
      const errors: string[] = []
      try {
        const doc = await parseYaml(f)
        if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'services' in doc) {
          compose.push({name: f.name, doc, dotenv})
          continue
        }
        errors.push('parsing yaml: not a compose file')
      } catch (err) {
        errors.push(`parsing yaml: ${(err as Error).message}`)
      }
      try {
        out.push({name: f.name, format: 'hcl', json: await parseHclStructure(f.name, f.data), source: f.data})
        continue
      } catch (err) {
        errors.push(`parsing hcl: ${(err as Error).message}`)
      }
      try {
        out.push({name: f.name, format: 'json', json: JSON.parse(f.data), source: f.data})
      } catch {
        throw new InputError(`failed to parse ${f.name}: ${errors.join(', ')}`, {file: f.name})
      }
    }
  }
  return {files: out, compose}
}
