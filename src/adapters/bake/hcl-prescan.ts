/**
 * Scans of a bake file's text before it reaches hcl2json: shapes that cost hcl2json far more time or
 * memory than their size (invalid characters, `$` / `%` that start no interpolation, deep nesting)
 * are refused with an input error that names the line, instead of a parser that runs for minutes.
 */
import {InputError} from '../../domain/errors.js'

/**
 * Characters that are never valid outside HCL strings, comments and heredocs. hcl2json reports one
 * diagnostic per such character, with an excerpt: 32 KiB of backslashes cost it 160 MB and 3 MB of
 * messages, 1 MiB of them 1.6 GB. A file with many of them is not HCL: refuse it before parsing.
 */
const INVALID_OUTSIDE_STRINGS = new Set([...'\\\';`@^'].map((c) => c.charCodeAt(0)))
const MAX_INVALID_CHARACTERS = 16

/**
 * `$` and `%` inside strings and heredocs that start no interpolation (`$$`, `$HOME`, `100%`):
 * hcl2json's time grows with the square of their number in a template (8,000 of them: 0.5 s,
 * 16,000: 2 s, 32,000: 8 s). Real bake files have a handful.
 */
export const MAX_LONE_TEMPLATE_MARKS = 4096

const DOLLAR = 36
const PERCENT = 37
const OPEN_BRACE = 123

function loneMarkAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  return (c === DOLLAR || c === PERCENT) && text.charCodeAt(i + 1) !== OPEN_BRACE
}

export function checkInvalidCharacters(name: string, text: string): void {
  let count = 0
  let firstLine = 0
  let lone = 0
  let line = 1
  const countLone = (): void => {
    if (++lone > MAX_LONE_TEMPLATE_MARKS) {
      throw new InputError(`more than ${MAX_LONE_TEMPLATE_MARKS} "$" or "%" characters in strings that start no interpolation (the HCL parser needs time growing with the square of their number)`, {
        file: name, position: {line}, fix: 'shorten the strings and heredocs with many "$" or "%" (a long script belongs in a Dockerfile or a file, not in the bake file)',
      })
    }
  }
  // lexer state: a stack of 's' (inside a quoted template) and numbers (brace depth inside `${ }`)
  const stack: ('s' | number)[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) line++
    const top = stack[stack.length - 1]
    if (top === 's') {
      if (c === 92 /* \\ */) i++
      else if (c === 34 /* " */) stack.pop()
      else if ((c === DOLLAR || c === PERCENT) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === OPEN_BRACE) {
        countLone() // `$${` / `%%{`: an escaped, literal `${` / `%{`
        i += 2
      } else if ((c === DOLLAR || c === PERCENT) && text.charCodeAt(i + 1) === OPEN_BRACE) {
        stack.push(0)
        i++
      } else if (c === DOLLAR || c === PERCENT) countLone()
      else if (c === 10) stack.pop() // an unterminated string ends at the line (HCL reports it)
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
        for (let j = i; j < stop; j++) {
          if (text.charCodeAt(j) === 10) line++
          else if (loneMarkAt(text, j)) countLone()
        }
        i = stop - 1
        continue
      }
    }
    if (typeof top === 'number') {
      if (c === OPEN_BRACE) stack[stack.length - 1] = top + 1
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
