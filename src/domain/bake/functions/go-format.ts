/** Go-flavoured text: regular expressions (RE2, like Go's regexp), `format` verbs, fixed-point rounding. */
import {RE2JS, type Matcher} from 're2js'
import {BAKE_LIMITS} from '../budget.js'
import {type Value, formatNumber, makeObject, toBool, toNum, toStr} from '../value.js'
import {fnErr  } from './args.js'

/**
 * Go's regexp is RE2: linear-time matching, no catastrophic backtracking. A JS RegExp would hang on
 * `regex("(a+)+$", "aaaa…!")`, so patterns run on re2js (the RE2 port), which also reads Go's own
 * syntax (`(?P<name>…)`, `(?i)`, `(?U)`) as buildx does.
 */
export function goRegex(name: string, pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern)
  } catch (err) {
    throw fnErr(name, `invalid regular expression pattern: ${(err as Error).message}`)
  }
}

/** Go's `${name}` / `${1}` replacement syntax → the `$<name>` / `$1` re2js expands (String.prototype.replace rules). */
export const goReplacement = (rep: string): string => rep.replace(/\$\{(\w+)\}/g, '$<$1>').replace(/\$<(\d+)>/g, '$$$1')

export function regexResult(m: Matcher, re: RE2JS): Value {
  const named = Object.entries(re.namedGroups())
  if (named.length > 0) return makeObject(named.sort((x, y) => x[1] - y[1]).map(([k, i]) => [k, m.group(i) ?? '']))
  const n = m.groupCount()
  if (n > 0) return Array.from({length: n}, (_, i) => m.group(i + 1) ?? '')
  return m.group(0) ?? ''
}

/** `toFixed` with Go's round-half-to-even on exact ties (2.25 → "2.2"). */
export function goFixed(x: number, p: number): string {
  const exact = Math.abs(x).toFixed(Math.min(100, p + 60))
  const dot = exact.indexOf('.')
  const rest = exact.slice(dot + 1 + p)
  if (/^50*$/.test(rest)) {
    const kept = exact.slice(0, dot + 1 + p).replace(/\.$/, '')
    const lastDigit = Number(kept.replace('.', '').slice(-1))
    const down = kept
    const up = (Math.abs(x) + Math.pow(10, -p) / 2).toFixed(p)
    const r = lastDigit % 2 === 0 ? down : up
    return (x < 0 && Number(r) !== 0 ? '-' : '') + r
  }
  return x.toFixed(p)
}

/** Go fmt-style `format` (the verbs cty supports: %v %#v %t %d %f %e %g %s %q %%, width/precision/flags). */
export function goFormat(name: string, fmt: string, args: Value[]): string {
  let out = ''
  let argi = 0
  const re = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+))?(?:\[(\d+)\])?([a-zA-Z%])/g
  let last = 0
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    out += fmt.slice(last, m.index)
    last = re.lastIndex
    const [, flags = '', width, prec, explicit, verb] = m
    if (verb === '%') {
      out += '%'
      continue
    }
    if (explicit) argi = Number(explicit) - 1
    if (argi >= args.length) throw fnErr(name, `not enough arguments for format string`)
    const v = args[argi++] as Value
    let s: string
    switch (verb) {
      case 'v':
        s = flags.includes('#') ? JSON.stringify(v) : typeof v === 'string' ? v : v === null ? 'null' : typeof v === 'number' || typeof v === 'boolean' ? toStr(v) : JSON.stringify(v)
        break
      case 't':
        s = toBool(v) ? 'true' : 'false'
        break
      case 'd': {
        const n = toNum(v)
        if (!Number.isInteger(n)) throw fnErr(name, `unsupported value for "%d" at ${argi}: value has fractional part`)
        s = formatNumber(Math.abs(n))
        if (n < 0) s = '-' + s
        else if (flags.includes('+')) s = '+' + s
        break
      }
      case 'f':
      case 'F':
        s = goFixed(toNum(v), prec !== undefined ? Number(prec) : 6)
        if (flags.includes('+') && !s.startsWith('-')) s = '+' + s
        break
      case 'e':
      case 'E':
        s = toNum(v).toExponential(prec !== undefined ? Number(prec) : 6).replace(/e([+-])(\d)$/, 'e$10$2')
        if (verb === 'E') s = s.toUpperCase()
        break
      case 'g':
      case 'G':
        s = formatNumber(toNum(v))
        break
      case 's':
        s = toStr(v)
        if (prec !== undefined) s = [...s].slice(0, Number(prec)).join('')
        break
      case 'q':
        s = JSON.stringify(toStr(v))
        break
      default:
        throw fnErr(name, `unsupported format verb %${verb}`)
    }
    if (width && width !== '*') {
      const w = Number(width)
      if (w > BAKE_LIMITS.stringChars) throw fnErr(name, `width ${w} is larger than the ${BAKE_LIMITS.stringChars} character limit`)
      const len = [...s].length
      if (len < w) {
        if (flags.includes('-')) s = s + ' '.repeat(w - len)
        else if (flags.includes('0') && /[dfeEgG]/.test(verb ?? '')) {
          const neg = s.startsWith('-') || s.startsWith('+')
          s = (neg ? s[0] : '') + '0'.repeat(w - len) + (neg ? s.slice(1) : s)
        } else s = ' '.repeat(w - len) + s
      }
    }
    out += s
  }
  out += fmt.slice(last)
  if (argi < args.length && !/%\[\d+\]/.test(fmt)) throw fnErr(name, `too many arguments; only ${argi} used by format string`)
  return out
}
