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
    return await parseInWorker(name, text)
  } catch (err) {
    if (err instanceof InputError) throw err
    const msg = String(err instanceof Error ? err.message : err)
    const m = HCL_DIAG.exec(msg.replace(/^Error: /, ''))
    if (m) throw new InputError(firstDiagnostic(m[3] as string), {file: name, position: {line: Number(m[2])}, fix: HCL_FIX})
    throw new InputError(`failed to parse ${name}: ${msg.slice(0, 500)}`, {file: name, position: {line: 1}, fix: HCL_FIX})
  }
}

/**
 * hcl2json (Go compiled to WASM) cannot be interrupted from JS and spends ~70 µs on every invalid
 * token it reports: a few hundred KiB of some junk keep it busy for a minute. It runs in a worker
 * thread that is terminated at the deadline, so a parse is bounded in time as well as input size.
 */
export const HCL_PARSE_DEADLINE_MS = 20_000

/** the deadline: BAKEDOCTOR_HCL_PARSE_TIMEOUT (seconds) or HCL_PARSE_DEADLINE_MS */
function parseDeadlineMs(): number {
  const seconds = Number(process.env.BAKEDOCTOR_HCL_PARSE_TIMEOUT)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : HCL_PARSE_DEADLINE_MS
}

const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads')
const hcl = import(workerData.module)
parentPort.on('message', ({id, name, text}) => {
  hcl.then((m) => m.parse(name, text)).then(
    (json) => parentPort.postMessage({id, json}),
    (error) => parentPort.postMessage({id, error: String(error && error.message !== undefined ? error.message : error)}),
  )
})`

type Reply = {id: number; json?: unknown; error?: string}

/** one parser worker per process, reused (the WASM loads once); replaced after a deadline kill */
let parser: {worker: import('node:worker_threads').Worker; pending: Map<number, (r: Reply | Error) => void>} | undefined
let nextId = 0
let queue: Promise<unknown> = Promise.resolve()

async function startParser(): Promise<NonNullable<typeof parser>> {
  const [{Worker}, {createRequire}, {pathToFileURL}] = await Promise.all([import('node:worker_threads'), import('node:module'), import('node:url')])
  const module = pathToFileURL(createRequire(import.meta.url).resolve('@cdktf/hcl2json')).href
  const worker = new Worker(WORKER_SOURCE, {eval: true, workerData: {module}})
  const p = {worker, pending: new Map<number, (r: Reply | Error) => void>()}
  worker.on('message', (m: Reply) => p.pending.get(m.id)?.(m))
  worker.on('error', (e) => {
    for (const done of p.pending.values()) done(e)
    if (parser === p) parser = undefined
  })
  // an idle parser must not keep the process alive (listeners re-ref it: unref after them, and per parse)
  worker.unref()
  return p
}

/** Parses with the shared worker, one file at a time; a parse over the deadline kills the worker. */
function parseInWorker(name: string, text: string): Promise<unknown> {
  const job = queue.then(async () => {
    parser ??= await startParser()
    const p = parser
    const id = nextId++
    const deadline = parseDeadlineMs()
    const reply = await new Promise<Reply | Error>((resolve) => {
      const timer = setTimeout(() => {
        p.pending.delete(id)
        if (parser === p) parser = undefined
        void p.worker.terminate()
        resolve(new InputError(`the HCL parser did not finish within ${deadline / 1000} s`, {
          file: name, position: {line: 1}, fix: 'check that this is a bake file; a real one parses in a second or two (split a very large one into several -f files, or raise BAKEDOCTOR_HCL_PARSE_TIMEOUT=<seconds>)',
        }))
      }, deadline)
      p.pending.set(id, (r) => {
        clearTimeout(timer)
        p.pending.delete(id)
        p.worker.unref()
        resolve(r)
      })
      p.worker.ref()
      p.worker.postMessage({id, name, text})
    })
    if (reply instanceof Error) throw reply
    if (reply.error !== undefined) throw new Error(reply.error)
    return reply.json
  })
  queue = job.catch(() => undefined)
  return job
}

const HCL_FIX = 'correct the HCL syntax on this line (https://docs.docker.com/build/bake/reference/)'

/** hcl2json joins every diagnostic into one message; the first says what is wrong, the rest can be megabytes */
function firstDiagnostic(text: string): string {
  const first = text.split(/; (?=\S+:\d+,\d+)|\n/)[0] ?? text
  return first.length > 500 ? `${first.slice(0, 500)}…` : first
}

/**
 * Characters that are never valid outside HCL strings, comments and heredocs. hcl2json reports one
 * diagnostic per such character, with an excerpt: 32 KiB of backslashes cost it 160 MB and 3 MB of
 * messages, 1 MiB of them 1.6 GB. A file with many of them is not HCL: refuse it before parsing.
 */
const INVALID_OUTSIDE_STRINGS = new Set([...'\\\';`@^'].map((c) => c.charCodeAt(0)))
const MAX_INVALID_CHARACTERS = 16

export function checkInvalidCharacters(name: string, text: string): void {
  let count = 0
  let firstLine = 0
  let line = 1
  // lexer state: a stack of 's' (inside a quoted template) and numbers (brace depth inside `${ }`)
  const stack: ('s' | number)[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) line++
    const top = stack[stack.length - 1]
    if (top === 's') {
      if (c === 92 /* \\ */) i++
      else if (c === 34 /* " */) stack.pop()
      else if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === 123) {
        stack.push(0)
        i++
      } else if (c === 10) stack.pop() // an unterminated string ends at the line (HCL reports it)
      continue
    }
    if (c === 34) {
      stack.push('s')
      continue
    }
    if (c === 35 /* # */ || (c === 47 && text.charCodeAt(i + 1) === 47)) {
      const nl = text.indexOf('\n', i)
      i = (nl < 0 ? text.length : nl) - 1
      continue
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2)
      const stop = end < 0 ? text.length : end + 2
      for (let j = i; j < stop; j++) if (text.charCodeAt(j) === 10) line++
      i = stop - 1
      continue
    }
    if (c === 60 && text.charCodeAt(i + 1) === 60) {
      const m = /^<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n/.exec(text.slice(i, i + 200))
      if (m) {
        const end = new RegExp(`\\n[ \\t]*${m[1]}[ \\t]*(\\r?\\n|$)`).exec(text.slice(i + m[0].length - 1))
        const stop = end ? i + m[0].length - 1 + end.index + 1 : text.length
        for (let j = i; j < stop; j++) if (text.charCodeAt(j) === 10) line++
        i = stop - 1
        continue
      }
    }
    if (typeof top === 'number') {
      if (c === 123) stack[stack.length - 1] = top + 1
      else if (c === 125) {
        if (top === 0) stack.pop()
        else stack[stack.length - 1] = top - 1
      }
    }
    if (INVALID_OUTSIDE_STRINGS.has(c) || (c < 32 && c !== 9 && c !== 10 && c !== 13)) {
      if (count++ === 0) firstLine = line
      if (count > MAX_INVALID_CHARACTERS) {
        throw new InputError(`not HCL: more than ${MAX_INVALID_CHARACTERS} characters that are invalid outside strings (the first on line ${firstLine})`, {
          file: name, position: {line: firstLine}, fix: 'check that this is a bake file (HCL), and quote values that contain \\, \', ;, ` or @',
        })
      }
    }
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
