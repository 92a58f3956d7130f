/**
 * Shell-word variable expansion the way BuildKit's `shell.Lex` does it, in the two modes the
 * Dockerfile frontend uses (events.md §1.4):
 * - `display` (RawQuotes + SkipUnsetEnv): how instruction text is expanded for vertex names; quotes and
 *   escapes are kept, unset variables are left as written.
 * - `word`: how ARG/ENV/FROM values are evaluated; quotes are removed, unset variables become ''.
 * Supported forms: `$NAME`, `${NAME}`, `${NAME:-w}`, `${NAME-w}`, `${NAME:+w}`, `${NAME+w}`, `${NAME:?m}`.
 */
import {InputError} from '../errors.js'

export type Lookup = (name: string) => string | undefined

export interface ExpandOptions {
  mode: 'display' | 'word'
  escape?: string
  /** nesting of `${A:-${B:-…}}` so far */
  depth?: number
}

/** the longest expanded value: ARGs that double each other per line reach 2^60 characters */
export const MAX_EXPANDED_CHARS = 1024 * 1024
/** how deep `${A:-${B:-…}}` may nest */
export const MAX_EXPANSION_DEPTH = 64

function tooLarge(): never {
  throw new InputError(`a variable expands to more than ${MAX_EXPANDED_CHARS / 1024 / 1024} MiB (ARG or ENV values that repeat each other?)`, {fix: 'do not build ARG / ENV values by repeating other values'})
}

const NAME_START = /[A-Za-z_]/
const NAME_CHAR = /[A-Za-z0-9_]/

export function expandVariables(text: string, lookup: Lookup, options: ExpandOptions): string {
  if ((options.depth ?? 0) > MAX_EXPANSION_DEPTH) {
    throw new InputError(`variable expansions nest deeper than ${MAX_EXPANSION_DEPTH} levels`, {fix: 'flatten the ${A:-${B:-…}} expression'})
  }
  const escape = options.escape ?? '\\'
  const raw = options.mode === 'display'
  let out = ''
  let i = 0
  let inDouble = false
  while (i < text.length) {
    const c = text[i]!
    if (c === escape && i + 1 < text.length) {
      // an escaped character is literal; display mode keeps the escape as written
      out += raw ? c + text[i + 1]! : text[i + 1]!
      i += 2
      continue
    }
    if (c === "'" && !inDouble) {
      const end = text.indexOf("'", i + 1)
      const stop = end < 0 ? text.length : end
      out += raw ? text.slice(i, stop + 1) : text.slice(i + 1, stop)
      i = stop + 1
      continue
    }
    if (c === '"') {
      inDouble = !inDouble
      if (raw) out += c
      i++
      continue
    }
    if (c === '$') {
      const parsed = parseVariable(text, i, lookup, options)
      if (parsed) {
        out += parsed.value
        if (out.length > MAX_EXPANDED_CHARS) tooLarge()
        i = parsed.end
        continue
      }
    }
    out += c
    i++
  }
  return out
}

function parseVariable(text: string, start: number, lookup: Lookup, options: ExpandOptions): {value: string; end: number} | undefined {
  const next = text[start + 1]
  if (next === undefined) return undefined
  const keepUnset = options.mode === 'display'
  if (next === '{') {
    const close = findClose(text, start + 2)
    if (close < 0) return undefined
    const body = text.slice(start + 2, close)
    const original = text.slice(start, close + 1)
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(body)
    if (!m) return {value: original, end: close + 1}
    const name = m[1]!
    const op = m[2]
    const word = m[3] ?? ''
    const value = lookup(name)
    const end = close + 1
    if (!op) return {value: value ?? (keepUnset ? original : ''), end}
    const colon = op.startsWith(':')
    const isSet = colon ? value !== undefined && value !== '' : value !== undefined
    switch (op.slice(-1)) {
      case '-':
        if (isSet) return {value: value!, end}
        if (keepUnset && value === undefined) return {value: original, end}
        return {value: expandVariables(word, lookup, {...options, mode: 'word', depth: (options.depth ?? 0) + 1}), end}
      case '+':
        if (isSet) return {value: expandVariables(word, lookup, {...options, mode: 'word', depth: (options.depth ?? 0) + 1}), end}
        if (keepUnset && value === undefined) return {value: original, end}
        return {value: '', end}
      default: // '?'
        if (isSet) return {value: value!, end}
        return {value: original, end}
    }
  }
  if (NAME_START.test(next)) {
    let j = start + 1
    while (j < text.length && NAME_CHAR.test(text[j]!)) j++
    const name = text.slice(start + 1, j)
    const value = lookup(name)
    if (value === undefined) return {value: keepUnset ? text.slice(start, j) : '', end: j}
    return {value, end: j}
  }
  return undefined
}

function findClose(text: string, from: number): number {
  let depth = 1
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{') depth++
    else if (text[j] === '}' && --depth === 0) return j
  }
  return -1
}
