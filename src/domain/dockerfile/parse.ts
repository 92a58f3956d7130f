import {createRequire} from 'node:module'
import type * as DockerfileAst from 'dockerfile-ast'
import type {Instruction, Property} from 'dockerfile-ast'
import {InputError} from '../errors.js'

/**
 * `dockerfile-ast` (CommonJS, ~40 modules with its language-server types) is loaded on the first
 * parse, not with every module that may parse: `explain` and `gate` import this module but parse a
 * Dockerfile only for the few verdicts that read one (~110 M instructions at every start otherwise).
 */
let parser: typeof DockerfileAst.DockerfileParser | undefined
const dockerfileParser = () => (parser ??= (createRequire(import.meta.url)('dockerfile-ast') as typeof DockerfileAst).DockerfileParser)

export interface DockerfileFlag {
  name: string
  /** null for a bare `--flag` */
  value: string | null
}

export interface DockerfileProperty {
  name: string
  /** the value as written (quotes kept, variables unexpanded); null for `ARG NAME` without default */
  raw: string | null
}

export interface DockerfileInstruction {
  /** upper-case keyword: RUN, COPY, … */
  keyword: string
  flags: DockerfileFlag[]
  /** the arguments after the flags, line continuations joined the way BuildKit joins them */
  args: string
  /** the argument words (flags excluded); for JSON form the parsed strings */
  words: string[]
  /** JSON (exec) form `["a","b"]` */
  json: boolean
  /** ARG/ENV/LABEL name=value pairs */
  properties: DockerfileProperty[]
  /** 1-based first line */
  line: number
  /** 1-based last line */
  endLine: number
}

export interface DockerfileStage {
  /** position among the FROMs, 0-based */
  index: number
  /** `AS name`, lower-cased like BuildKit does; undefined when unnamed */
  name?: string
  from: DockerfileInstruction & {
    /** the image reference as written (may contain `${VAR}`) */
    image: string
    platform?: string
  }
  /** every instruction after FROM up to the next FROM */
  instructions: DockerfileInstruction[]
}

export interface ParsedDockerfile {
  /** ARGs before the first FROM (usable in FROM lines; re-declared inside a stage to be used there) */
  globalArgs: DockerfileInstruction[]
  stages: DockerfileStage[]
  escape: string
}

function flagsOf(instruction: Instruction): DockerfileFlag[] {
  const withFlags = instruction as Instruction & {getFlags?: () => Array<{getName(): string; getValue(): string | null}>}
  if (typeof withFlags.getFlags !== 'function') return []
  return withFlags.getFlags().map((f) => ({name: f.getName(), value: f.getValue()}))
}

function propertiesOf(instruction: Instruction): DockerfileProperty[] {
  const withProps = instruction as Instruction & {getProperties?: () => Property[]}
  if (typeof withProps.getProperties !== 'function') return []
  // getUnescapedValue() returns the text as written (quotes kept); expansion happens later
  return withProps.getProperties().map((p) => ({name: p.getName(), raw: p.getUnescapedValue()}))
}

function toInstruction(instruction: Instruction): DockerfileInstruction {
  const keyword = instruction.getKeyword().toUpperCase()
  const range = instruction.getRange()
  const args = (instruction.getArgumentsContent() ?? '').trim()
  const json = /^\[/.test(args) && /\]$/.test(args) && ['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'SHELL', 'VOLUME'].includes(keyword)
  let words = instruction.getArguments().map((a) => a.getValue())
  if (json) {
    try {
      const parsed = JSON.parse(args) as unknown
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) words = parsed as string[]
    } catch {
      // not valid JSON: BuildKit treats it as shell form, so do we
    }
  }
  return {
    keyword,
    flags: flagsOf(instruction),
    args,
    words,
    json,
    properties: propertiesOf(instruction),
    line: range.start.line + 1,
    endLine: range.end.line + 1,
  }
}

/**
 * Parses a Dockerfile into stages and instructions with 1-based line numbers (docs/architecture.md, "Recorded inputs").
 * Throws InputError (with the file and line) for a Dockerfile BuildKit would reject outright.
 */
export function parseDockerfile(text: string, file = 'Dockerfile'): ParsedDockerfile {
  // dockerfile-ast reads parser directives in time quadratic in a first line of `#`s when the file has
  // no line break at all (50,000 of them: 4 s); a final newline does not change what a one-line file means
  const ast = dockerfileParser().parse(/[\r\n]/.test(text) ? text : `${text}\n`)
  const escape = ast.getEscapeCharacter()
  const globalArgs: DockerfileInstruction[] = []
  const stages: DockerfileStage[] = []
  for (const raw of ast.getInstructions()) {
    const instruction = toInstruction(raw)
    if (instruction.keyword === 'FROM') {
      const from = raw as Instruction & {getBuildStage(): string | null; getPlatformFlag(): {getValue(): string | null} | null}
      const words = instruction.words
      if (words.length === 0) {
        throw new InputError('FROM needs an image reference', {file, position: {line: instruction.line}, fix: 'write `FROM <image>[:tag] [AS name]`'})
      }
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === 'as')) {
        throw new InputError(`FROM has unexpected arguments: ${instruction.args}`, {
          file,
          position: {line: instruction.line},
          fix: 'write `FROM <image>[:tag] [AS name]`',
        })
      }
      const name = from.getBuildStage()?.toLowerCase() ?? undefined
      const platform = from.getPlatformFlag()?.getValue() ?? undefined
      stages.push({index: stages.length, name, from: {...instruction, image: words[0]!, platform}, instructions: []})
      continue
    }
    const stage = stages.at(-1)
    if (!stage) {
      if (instruction.keyword === 'ARG') {
        globalArgs.push(instruction)
        continue
      }
      throw new InputError(`${instruction.keyword} before the first FROM`, {
        file,
        position: {line: instruction.line},
        fix: 'only ARG may come before the first FROM; start the Dockerfile with `FROM <image>`',
      })
    }
    stage.instructions.push(instruction)
  }
  if (stages.length === 0) {
    throw new InputError('the Dockerfile has no FROM instruction', {file, fix: 'start the Dockerfile with `FROM <image>`'})
  }
  const seen = new Map<string, number>()
  for (const stage of stages) {
    if (!stage.name) continue
    if (seen.has(stage.name)) {
      throw new InputError(`duplicate stage name "${stage.name}"`, {file, position: {line: stage.from.line}, fix: 'give each stage a unique `AS` name'})
    }
    seen.set(stage.name, stage.index)
  }
  return {globalArgs, stages, escape}
}
