/**
 * Finding and reading bake definition files like buildx (`ReadLocalFiles`, bake.md §1), and the
 * structural parse of each format (HCL via `@cdktf/hcl2json`, JSON, Compose YAML).
 */
import {existsSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {InputError} from '../../domain/errors.js'
import {BAKE_LIMITS} from '../../domain/bake/budget.js'
import {jsonErrorOffset, jsonTooDeepAt} from '../../domain/json-error-offset.js'
import type {BakeFileText, StructuredBakeFile} from '../../domain/bake/body.js'
import type {ComposeInput} from '../../domain/bake/compose.js'
import {checkInvalidCharacters, checkNesting} from './hcl-prescan.js'
import {parseHclInWorker} from './hcl-worker.js'

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
      if (name === '-') return checkSize({name: '-', data: stdin ? await stdin() : ''})
      const local = name.startsWith('cwd://') ? name.slice('cwd://'.length) : name
      try {
        // refuse an oversized file before reading it: the parsers' memory grows far faster than their input
        const {size} = await stat(path.resolve(cwd, local))
        if (size > BAKE_LIMITS.fileBytes) tooLarge(local)
        return checkSize({name: local, data: await readFile(path.resolve(cwd, local), 'utf8')})
      } catch (err) {
        if (err instanceof InputError) throw err
        throw new InputError(`cannot read bake file ${local}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {file: local, fix: 'check the -f path'})
      }
    }),
  )
}

function tooLarge(name: string): never {
  throw new InputError(`the bake file is larger than the ${BAKE_LIMITS.fileBytes / 1024 / 1024} MiB limit`, {
    file: name, position: {offset: BAKE_LIMITS.fileBytes}, fix: 'split the definition into several files (-f a.hcl -f b.hcl), or check that -f names a bake definition',
  })
}

function checkSize(f: BakeFileText): BakeFileText {
  if (Buffer.byteLength(f.data) > BAKE_LIMITS.fileBytes) tooLarge(f.name)
  return f
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
  checkInvalidCharacters(name, text)
  try {
    return await parseHclInWorker(name, text)
  } catch (err) {
    if (err instanceof InputError) throw err
    const msg = String(err instanceof Error ? err.message : err)
    const m = HCL_DIAG.exec(msg.replace(/^Error: /, ''))
    if (m) throw new InputError(firstDiagnostic(m[3] as string), {file: name, position: {line: Number(m[2])}, fix: HCL_FIX})
    throw new InputError(`failed to parse ${name}: ${msg.slice(0, 500)}`, {file: name, position: {line: 1}, fix: HCL_FIX})
  }
}

const HCL_FIX = 'correct the HCL syntax on this line (https://docs.docker.com/build/bake/reference/)'

/** hcl2json joins every diagnostic into one message; the first says what is wrong, the rest can be megabytes */
function firstDiagnostic(text: string): string {
  const first = text.split(/; (?=\S+:\d+,\d+)|\n/)[0] ?? text
  return first.length > 500 ? `${first.slice(0, 500)}…` : first
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
    const message = /Maximum call stack/.test((err as Error).message) ? 'the YAML nests too deeply to parse' : (err as Error).message.split('\n')[0]
    throw new InputError(`failed to parse ${f.name}: parsing yaml: ${message}`, {file: f.name, position: {line: pos?.line ?? 1}, fix: 'correct the YAML on this line (indentation, brackets, quotes); compose files follow https://docs.docker.com/reference/compose-file/'})
  }
}

const JSON_FIX = 'correct the JSON on this line (a missing comma, quote or bracket?)'

function parseJson(f: BakeFileText): unknown {
  checkJsonNesting(f.name, f.data)
  try {
    return JSON.parse(f.data)
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message) ?? [undefined, String(jsonErrorOffset(f.data))]
    const message = (err as Error).message.replace(/, "[\s\S]*" is not valid JSON$/, '')
    throw new InputError(`failed to parse ${f.name}: ${message.slice(0, 300)}`, {file: f.name, position: {line: m ? lineOfOffset(f.data, Number(m[1])) : 1}, fix: JSON_FIX})
  }
}

/** JSON bake files nest a few levels; thousands would overflow the evaluator's recursion. */
const MAX_JSON_NESTING = 64

function checkJsonNesting(name: string, text: string): void {
  const line = jsonTooDeepAt(text, MAX_JSON_NESTING)
  if (line !== undefined) {
    throw new InputError(`JSON nests deeper than ${MAX_JSON_NESTING} levels`, {file: name, position: {line}, fix: 'a bake file needs only a few levels (target → name → attribute → value): flatten the value'})
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
    checkSize(f) // read files were checked already; text from elsewhere (git, tests) is checked here
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
        checkJsonNesting(f.name, f.data)
        out.push({name: f.name, format: 'json', json: JSON.parse(f.data), source: f.data})
      } catch {
        throw new InputError(`failed to parse ${f.name}: ${errors.join(', ').slice(0, 1000)}`, {file: f.name, position: {line: 1}, fix: 'name the file *.hcl, *.json or *.yml so its format is known, and correct its syntax'})
      }
    }
  }
  return {files: out, compose}
}
