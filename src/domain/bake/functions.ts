/**
 * The bake function library (bake.md §2.4: go-cty stdlib, go-cty-funcs, buildx additions), over plain
 * JS values. `can`, `try` and `convert` are handled by the evaluator (they need unevaluated arguments).
 * Non-deterministic inputs (`timestamp`, `homedir`) come from the injected environment so this module
 * stays pure. Functions buildx has but bakedoctor does not are named in the error.
 */
import {createHash, randomUUID} from 'node:crypto'
import {RE2JS, type Matcher} from 're2js'
import {BAKE_LIMITS} from './budget.js'
import {cleanPath} from './go-path.js'
import {
  EvalError,
  type Value,
  formatNumber,
  isObject,
  makeObject,
  toBool,
  toList,
  toNum,
  toSet,
  toStr,
  typeName,
  valueEquals,
  valueKey,
} from './value.js'

export interface FunctionEnv {
  /** current time for `timestamp()` */
  now: () => Date
  /** for `homedir()` */
  homedir?: string
}

type Fn = (args: Value[], env: FunctionEnv) => Value

/** Functions buildx ships that this resolver does not implement. */
export const UNSUPPORTED_FUNCTIONS = new Set(['bcrypt', 'rsadecrypt', 'formattimestamp', 'unixtimestampparse', 'byteslen', 'bytesslice'])

function arity(name: string, args: Value[], min: number, max = min): void {
  if (args.length < min) throw new EvalError(`Not enough function arguments; Function "${name}" expects ${min} argument(s). Missing value for argument ${args.length + 1}.`)
  if (args.length > max) throw new EvalError(`Too many function arguments; Function "${name}" expects only ${max} argument(s).`)
}

function fnErr(name: string, msg: string): EvalError {
  return new EvalError(`Error in function call; Call to function "${name}" failed: ${msg}.`)
}

function a(args: Value[], i: number): Value {
  return args[i] ?? null
}

function str(name: string, args: Value[], i: number): string {
  const v = a(args, i)
  if (v === null) throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": argument must not be null.`)
  try {
    return toStr(v)
  } catch {
    throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": string required, got ${typeName(v)}.`)
  }
}

function num(name: string, args: Value[], i: number): number {
  const v = a(args, i)
  try {
    return toNum(v)
  } catch {
    throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": number required, got ${typeName(v)}.`)
  }
}

function list(name: string, args: Value[], i: number): Value[] {
  const v = a(args, i)
  if (Array.isArray(v)) return v
  throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": list, set or tuple required, got ${typeName(v)}.`)
}

function obj(name: string, args: Value[], i: number): Record<string, Value> {
  const v = a(args, i)
  if (isObject(v)) return v
  throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": map or object required, got ${typeName(v)}.`)
}

const unary = (name: string, f: (s: string) => Value): Fn => (args) => {
  arity(name, args, 1)
  return f(str(name, args, 0))
}

const math = (name: string, f: (...n: number[]) => number, n = 1): Fn => (args) => {
  arity(name, args, n)
  return f(...args.map((_, i) => num(name, args, i)))
}

/**
 * Go's regexp is RE2: linear-time matching, no catastrophic backtracking. A JS RegExp would hang on
 * `regex("(a+)+$", "aaaa…!")`, so patterns run on re2js (the RE2 port), which also reads Go's own
 * syntax (`(?P<name>…)`, `(?i)`, `(?U)`) as buildx does.
 */
function goRegex(name: string, pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern)
  } catch (err) {
    throw fnErr(name, `invalid regular expression pattern: ${(err as Error).message}`)
  }
}

/** Go's `${name}` / `${1}` replacement syntax → the `$<name>` / `$1` re2js expands (String.prototype.replace rules). */
const goReplacement = (rep: string): string => rep.replace(/\$\{(\w+)\}/g, '$<$1>').replace(/\$<(\d+)>/g, '$$$1')

function regexResult(m: Matcher, re: RE2JS): Value {
  const named = Object.entries(re.namedGroups())
  if (named.length > 0) return makeObject(named.sort((x, y) => x[1] - y[1]).map(([k, i]) => [k, m.group(i) ?? '']))
  const n = m.groupCount()
  if (n > 0) return Array.from({length: n}, (_, i) => m.group(i + 1) ?? '')
  return m.group(0) ?? ''
}

/** `toFixed` with Go's round-half-to-even on exact ties (2.25 → "2.2"). */
function goFixed(x: number, p: number): string {
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
function goFormat(name: string, fmt: string, args: Value[]): string {
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

/** Terraform/cty `formatdate` spec. */
function formatDate(name: string, spec: string, ts: string): string {
  const d = parseRfc3339(name, ts)
  const {date, offsetMin} = d
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
  const local = new Date(date.getTime() + offsetMin * 60_000)
  const Y = local.getUTCFullYear()
  const M = local.getUTCMonth()
  const D = local.getUTCDate()
  const h = local.getUTCHours()
  const mi = local.getUTCMinutes()
  const s = local.getUTCSeconds()
  const zone = (sep: string): string => {
    if (offsetMin === 0 && sep === 'Z') return 'Z'
    const sign = offsetMin < 0 ? '-' : '+'
    const ab = Math.abs(offsetMin)
    return `${sign}${pad(Math.floor(ab / 60))}${sep === ':' ? ':' : ''}${pad(ab % 60)}`
  }
  const table: [string, () => string][] = [
    ['YYYY', () => pad(Y, 4)],
    ['YY', () => pad(Y % 100)],
    ['MMMM', () => months[M] as string],
    ['MMM', () => (months[M] as string).slice(0, 3)],
    ['MM', () => pad(M + 1)],
    ['M', () => String(M + 1)],
    ['DD', () => pad(D)],
    ['D', () => String(D)],
    ['EEEE', () => days[local.getUTCDay()] as string],
    ['EEE', () => (days[local.getUTCDay()] as string).slice(0, 3)],
    ['hh', () => pad(h)],
    ['h', () => String(h)],
    ['HH', () => pad(h % 12 === 0 ? 12 : h % 12)],
    ['H', () => String(h % 12 === 0 ? 12 : h % 12)],
    ['AA', () => (h < 12 ? 'AM' : 'PM')],
    ['aa', () => (h < 12 ? 'am' : 'pm')],
    ['mm', () => pad(mi)],
    ['m', () => String(mi)],
    ['ss', () => pad(s)],
    ['s', () => String(s)],
    ['ZZZZZ', () => zone(':')],
    ['ZZZZ', () => zone('')],
    ['ZZZ', () => (offsetMin === 0 ? 'UTC' : zone(''))],
    ['Z', () => zone('Z')],
  ]
  let out = ''
  let i = 0
  while (i < spec.length) {
    const c = spec[i] as string
    if (c === "'") {
      const end = spec.indexOf("'", i + 1)
      if (end < 0) throw fnErr(name, 'unterminated literal')
      out += end === i + 1 ? "'" : spec.slice(i + 1, end)
      i = end + 1
      continue
    }
    if (/[A-Za-z]/.test(c)) {
      let run = 0
      while (spec[i + run] === c) run++
      const tok = spec.slice(i, i + run)
      const hit = table.find(([k]) => k === tok)
      if (!hit) throw fnErr(name, `invalid date format verb "${tok}"`)
      out += hit[1]()
      i += run
      continue
    }
    out += c
    i++
  }
  return out
}

function parseRfc3339(name: string, ts: string): {date: Date; offsetMin: number} {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(ts)
  if (!m) throw fnErr(name, `not a valid RFC3339 timestamp: "${ts}"`)
  const date = new Date(ts)
  if (Number.isNaN(date.getTime())) throw fnErr(name, `not a valid RFC3339 timestamp: "${ts}"`)
  const z = m[8] ?? 'Z'
  const offsetMin = z.toUpperCase() === 'Z' ? 0 : (z.startsWith('-') ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6)))
  return {date, offsetMin}
}

function formatRfc3339(date: Date, offsetMin: number): string {
  const local = new Date(date.getTime() + offsetMin * 60_000)
  const base = local.toISOString().replace(/\.\d{3}Z$/, '')
  if (offsetMin === 0) return base + 'Z'
  const ab = Math.abs(offsetMin)
  return `${base}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(ab / 60)).padStart(2, '0')}:${String(ab % 60).padStart(2, '0')}`
}

function parseGoDuration(name: string, s: string): number {
  const units: Record<string, number> = {ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000}
  const m = /^([-+]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(s)
  if (!m) throw fnErr(name, `time: invalid duration "${s}"`)
  let total = 0
  for (const part of (m[2] ?? '').matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * (units[part[2] ?? 's'] ?? 0)
  return m[1] === '-' ? -total : total
}

/** Masterminds/semver-style constraint check for `semvercmp`. */
function semverCompare(name: string, version: string, constraint: string): boolean {
  const parse = (v: string): number[] | undefined => {
    const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim())
    if (!m) return undefined
    return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ? -1 : 0]
  }
  const ver = parse(version)
  if (!ver) throw fnErr(name, `invalid version "${version}"`)
  const cmp = (x: number[], y: number[]): number => {
    for (let i = 0; i < 4; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1
    return 0
  }
  const check = (c: string): boolean => {
    const m = /^\s*(=|!=|>=|<=|>|<|~>|~|\^)?\s*v?([0-9x*X.]+(?:-[0-9A-Za-z.-]+)?)\s*$/.exec(c)
    if (!m) throw fnErr(name, `improper constraint: ${constraint}`)
    const op = m[1] ?? '='
    const raw = m[2] ?? ''
    const parts = raw.split('-')[0]?.split('.') ?? []
    const wild = parts.findIndex((p) => p === 'x' || p === 'X' || p === '*')
    const given = wild >= 0 ? wild : parts.length
    const target = parse(parts.map((p) => (p === 'x' || p === 'X' || p === '*' ? '0' : p)).join('.') + (raw.includes('-') ? '-' + raw.split('-').slice(1).join('-') : ''))
    if (!target) throw fnErr(name, `improper constraint: ${constraint}`)
    const upper = (idx: number): number[] => {
      const u = [target[0] ?? 0, target[1] ?? 0, target[2] ?? 0, 0]
      u[idx] = (u[idx] ?? 0) + 1
      for (let j = idx + 1; j < 3; j++) u[j] = 0
      return u
    }
    const c0 = cmp(ver, target)
    switch (op) {
      case '=':
        if (given < 3) return c0 >= 0 && cmp(ver, upper(Math.max(0, given - 1))) < 0
        return c0 === 0
      case '!=':
        return c0 !== 0
      case '>':
        return c0 > 0
      case '<':
        return c0 < 0
      case '>=':
        return c0 >= 0
      case '<=':
        return c0 <= 0
      case '~':
      case '~>':
        return c0 >= 0 && cmp(ver, upper(given >= 2 ? 1 : 0)) < 0
      case '^': {
        const idx = (target[0] ?? 0) > 0 ? 0 : (target[1] ?? 0) > 0 ? 1 : given >= 3 ? 2 : Math.max(0, given - 1)
        return c0 >= 0 && cmp(ver, upper(idx)) < 0
      }
    }
    return false
  }
  return constraint.split('||').some((alt) => alt.split(/,|\s+(?=[<>=!~^])/).filter((x) => x.trim() !== '').every(check))
}

function flattenDeep(items: Value[]): Value[] {
  const out: Value[] = []
  for (const x of items) {
    if (Array.isArray(x)) out.push(...flattenDeep(x))
    else out.push(x)
  }
  return out
}

function csvDecode(name: string, text: string): Value {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let q = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') q = false
      else field += c
    } else if (c === '"') q = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if (field !== '' || row.length) {
    row.push(field)
    rows.push(row)
  }
  const header = rows.shift()
  if (!header) throw fnErr(name, 'missing header line')
  return rows.map((r, ri) => {
    if (r.length !== header.length) throw fnErr(name, `record on line ${ri + 2}: wrong number of fields`)
    return makeObject(header.map((h, i) => [h, r[i] ?? '']))
  })
}

function jsonToValue(x: unknown): Value {
  if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return x
  if (Array.isArray(x)) return x.map(jsonToValue)
  return makeObject(Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, jsonToValue(v)]))
}

function jsonEncode(v: Value): string {
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jsonEncode(v[k] as Value)}`).join(',')}}`
  if (Array.isArray(v)) return `[${v.map(jsonEncode).join(',')}]`
  if (typeof v === 'number') return formatNumber(v)
  // Go's json.Marshal escapes < > & as \u003c etc.
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
}

function uuidv5(namespace: string, nameStr: string): string {
  const ns: Record<string, string> = {
    dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
    oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
    x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
  }
  const nsId = ns[namespace] ?? namespace
  const nsBytes = Buffer.from(nsId.replace(/-/g, ''), 'hex')
  if (nsBytes.length !== 16) throw fnErr('uuidv5', `uuidv5() doesn't support namespace ${namespace}`)
  const h = createHash('sha1').update(nsBytes).update(nameStr).digest()
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}



const FUNCTIONS: Record<string, Fn> = {
  // --- math
  absolute: math('absolute', Math.abs),
  add: math('add', (x, y) => (x ?? 0) + (y ?? 0), 2),
  subtract: math('subtract', (x, y) => (x ?? 0) - (y ?? 0), 2),
  multiply: math('multiply', (x, y) => (x ?? 0) * (y ?? 0), 2),
  divide: (args) => {
    arity('divide', args, 2)
    const d = num('divide', args, 1)
    if (d === 0) throw fnErr('divide', "can't divide by zero")
    return num('divide', args, 0) / d
  },
  modulo: (args) => {
    arity('modulo', args, 2)
    const d = num('modulo', args, 1)
    if (d === 0) throw fnErr('modulo', "can't use modulo by zero")
    return num('modulo', args, 0) % d
  },
  negate: math('negate', (x) => -(x ?? 0)),
  ceil: math('ceil', Math.ceil),
  floor: math('floor', Math.floor),
  log: math('log', (x, b) => Math.log(x ?? 0) / Math.log(b ?? Math.E), 2),
  pow: math('pow', (x, y) => Math.pow(x ?? 0, y ?? 0), 2),
  signum: math('signum', (x) => Math.sign(x ?? 0)),
  int: math('int', (x) => Math.trunc(x ?? 0)),
  max: (args) => {
    if (args.length === 0) throw fnErr('max', 'must pass at least one number')
    return Math.max(...args.map((_, i) => num('max', args, i)))
  },
  min: (args) => {
    if (args.length === 0) throw fnErr('min', 'must pass at least one number')
    return Math.min(...args.map((_, i) => num('min', args, i)))
  },
  parseint: (args) => {
    arity('parseint', args, 2)
    const s = str('parseint', args, 0)
    const base = num('parseint', args, 1)
    if (base < 2 || base > 62) throw fnErr('parseint', 'base must be a whole number between 2 and 62 inclusive')
    const digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    const t = s.replace(/^[-+]/, '').toLowerCase()
    if (t === '' || [...t].some((c) => digits.indexOf(c) < 0 || digits.indexOf(c) >= base)) throw fnErr('parseint', `cannot parse "${s}" as a base ${base} integer`)
    const n = parseInt(t, base)
    return s.startsWith('-') ? -n : n
  },
  // --- logic / comparison
  and: (args) => (arity('and', args, 2), toBool(a(args, 0)) && toBool(a(args, 1))),
  or: (args) => (arity('or', args, 2), toBool(a(args, 0)) || toBool(a(args, 1))),
  not: (args) => (arity('not', args, 1), !toBool(a(args, 0))),
  equal: (args) => (arity('equal', args, 2), valueEquals(a(args, 0), a(args, 1))),
  notequal: (args) => (arity('notequal', args, 2), !valueEquals(a(args, 0), a(args, 1))),
  greaterthan: (args) => (arity('greaterthan', args, 2), num('greaterthan', args, 0) > num('greaterthan', args, 1)),
  greaterthanorequalto: (args) => (arity('greaterthanorequalto', args, 2), num('greaterthanorequalto', args, 0) >= num('greaterthanorequalto', args, 1)),
  lessthan: (args) => (arity('lessthan', args, 2), num('lessthan', args, 0) < num('lessthan', args, 1)),
  lessthanorequalto: (args) => (arity('lessthanorequalto', args, 2), num('lessthanorequalto', args, 0) <= num('lessthanorequalto', args, 1)),
  // --- strings
  chomp: unary('chomp', (s) => s.replace(/(\r\n|\n|\r)+$/, '')),
  lower: unary('lower', (s) => s.toLowerCase()),
  upper: unary('upper', (s) => s.toUpperCase()),
  title: unary('title', (s) => s.replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase())),
  trimspace: unary('trimspace', (s) => s.trim()),
  strlen: unary('strlen', (s) => [...s].length),
  reverse: (args) => {
    arity('reverse', args, 1)
    const v = a(args, 0)
    if (Array.isArray(v)) return [...v].reverse()
    return [...str('reverse', args, 0)].reverse().join('')
  },
  reverselist: (args) => (arity('reverselist', args, 1), [...list('reverselist', args, 0)].reverse()),
  indent: (args) => {
    arity('indent', args, 2)
    const spaces = num('indent', args, 0)
    if (spaces > BAKE_LIMITS.stringChars) throw fnErr('indent', `${spaces} spaces is more than the ${BAKE_LIMITS.stringChars} character limit`)
    const pad = ' '.repeat(spaces)
    return str('indent', args, 1).replace(/\n/g, '\n' + pad)
  },
  trim: (args) => {
    arity('trim', args, 2)
    const s = str('trim', args, 0)
    const cut = new Set([...str('trim', args, 1)])
    const chars = [...s]
    let i = 0
    let j = chars.length
    while (i < j && cut.has(chars[i] as string)) i++
    while (j > i && cut.has(chars[j - 1] as string)) j--
    return chars.slice(i, j).join('')
  },
  trimprefix: (args) => {
    arity('trimprefix', args, 2)
    const s = str('trimprefix', args, 0)
    const p = str('trimprefix', args, 1)
    return s.startsWith(p) ? s.slice(p.length) : s
  },
  trimsuffix: (args) => {
    arity('trimsuffix', args, 2)
    const s = str('trimsuffix', args, 0)
    const p = str('trimsuffix', args, 1)
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s
  },
  substr: (args) => {
    arity('substr', args, 3)
    const chars = [...str('substr', args, 0)]
    let off = num('substr', args, 1)
    let len = num('substr', args, 2)
    if (off < 0) off = Math.max(0, chars.length + off)
    if (off > chars.length) throw fnErr('substr', 'offset out of range')
    if (len < 0) len = chars.length - off
    return chars.slice(off, off + len).join('')
  },
  split: (args) => {
    arity('split', args, 2)
    const sep = str('split', args, 0)
    const s = str('split', args, 1)
    return sep === '' ? [...s] : s.split(sep)
  },
  join: (args) => {
    if (args.length < 2) arity('join', args, 2)
    const sep = str('join', args, 0)
    const parts: string[] = []
    for (let i = 1; i < args.length; i++) {
      for (const x of list('join', args, i)) {
        if (x === null) throw fnErr('join', `element ${parts.length} is null`)
        parts.push(toStr(x))
      }
    }
    return parts.join(sep)
  },
  replace: (args) => {
    arity('replace', args, 3)
    const s = str('replace', args, 0)
    const sub = str('replace', args, 1)
    const rep = str('replace', args, 2)
    if (sub.length > 1 && sub.startsWith('/') && sub.endsWith('/')) {
      return goRegex('replace', sub.slice(1, -1)).matcher(s).replaceAll(goReplacement(rep))
    }
    return s.split(sub).join(rep)
  },
  regex_replace: (args) => {
    arity('regex_replace', args, 3)
    const re = goRegex('regex_replace', str('regex_replace', args, 1))
    return re.matcher(str('regex_replace', args, 0)).replaceAll(goReplacement(str('regex_replace', args, 2)))
  },
  regex: (args) => {
    arity('regex', args, 2)
    const re = goRegex('regex', str('regex', args, 0))
    const m = re.matcher(str('regex', args, 1))
    if (!m.find()) throw fnErr('regex', 'pattern did not match any part of the given string')
    return regexResult(m, re)
  },
  regexall: (args) => {
    arity('regexall', args, 2)
    const re = goRegex('regexall', str('regexall', args, 0))
    const m = re.matcher(str('regexall', args, 1))
    const out: Value[] = []
    while (m.find()) out.push(regexResult(m, re))
    return out
  },
  format: (args) => {
    if (args.length < 1) arity('format', args, 1)
    return goFormat('format', str('format', args, 0), args.slice(1))
  },
  formatlist: (args) => {
    if (args.length < 1) arity('formatlist', args, 1)
    const fmt = str('formatlist', args, 0)
    const rest = args.slice(1)
    let n = -1
    for (const x of rest) {
      if (Array.isArray(x)) {
        if (n >= 0 && x.length !== n) throw fnErr('formatlist', 'all list arguments must have the same length')
        n = x.length
      }
    }
    if (n < 0) return [goFormat('formatlist', fmt, rest)]
    return Array.from({length: n}, (_, i) => goFormat('formatlist', fmt, rest.map((x) => (Array.isArray(x) ? (x[i] as Value) : x))))
  },
  sanitize: unary('sanitize', (s) => s.replace(/[^A-Za-z0-9_-]/g, '_')),
  basename: unary('basename', (s) => {
    if (s === '') return '.'
    const t = s.replace(/\/+$/, '')
    if (t === '') return '/'
    return t.slice(t.lastIndexOf('/') + 1)
  }),
  dirname: unary('dirname', (s) => {
    const i = s.lastIndexOf('/')
    return cleanPath(i < 0 ? '' : s.slice(0, i + 1))
  }),
  // --- collections
  length: (args) => {
    arity('length', args, 1)
    const v = a(args, 0)
    if (typeof v === 'string') return [...v].length
    if (Array.isArray(v)) return v.length
    if (isObject(v)) return Object.keys(v).length
    throw fnErr('length', `argument must be a string, a collection type, or a structural type, got ${typeName(v)}`)
  },
  coalesce: (args) => {
    for (const x of args) if (x !== null && x !== '') return x
    throw fnErr('coalesce', 'no non-null, non-empty-string arguments')
  },
  coalescelist: (args) => {
    for (let i = 0; i < args.length; i++) {
      const x = list('coalescelist', args, i)
      if (x.length) return x
    }
    throw fnErr('coalescelist', 'no non-null arguments')
  },
  compact: (args) => (arity('compact', args, 1), list('compact', args, 0).filter((x) => x !== null && x !== '')),
  concat: (args) => args.flatMap((_, i) => list('concat', args, i)),
  contains: (args) => {
    arity('contains', args, 2)
    return list('contains', args, 0).some((x) => valueEquals(x, a(args, 1)))
  },
  distinct: (args) => {
    arity('distinct', args, 1)
    const seen = new Set<string>()
    return list('distinct', args, 0).filter((x) => {
      const k = valueKey(x)
      if (seen.has(k)) return false
      seen.add(k)
      return true
    })
  },
  element: (args) => {
    arity('element', args, 2)
    const l = list('element', args, 0)
    if (l.length === 0) throw fnErr('element', 'cannot use element function with an empty list')
    const i = num('element', args, 1)
    if (i < 0) throw fnErr('element', 'cannot use element function with a negative index')
    return l[Math.floor(i) % l.length] as Value
  },
  index: (args) => {
    arity('index', args, 2)
    const i = list('index', args, 0).findIndex((x) => valueEquals(x, a(args, 1)))
    if (i < 0) throw fnErr('index', 'item not found')
    return i
  },
  indexof: (args) => {
    arity('indexof', args, 2)
    const i = list('indexof', args, 0).findIndex((x) => valueEquals(x, a(args, 1)))
    if (i < 0) throw fnErr('indexof', 'item not found')
    return i
  },
  hasindex: (args) => {
    arity('hasindex', args, 2)
    const c = a(args, 0)
    const k = a(args, 1)
    if (Array.isArray(c)) return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < c.length
    if (isObject(c)) return typeof k === 'string' && Object.prototype.hasOwnProperty.call(c, k)
    throw fnErr('hasindex', 'collection must be a list, map or tuple')
  },
  chunklist: (args) => {
    arity('chunklist', args, 2)
    const l = list('chunklist', args, 0)
    const size = num('chunklist', args, 1)
    if (size < 0) throw fnErr('chunklist', 'the size argument must be positive')
    if (size === 0) return [l]
    const out: Value[] = []
    for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size))
    return out
  },
  flatten: (args) => (arity('flatten', args, 1), flattenDeep(list('flatten', args, 0))),
  keys: (args) => (arity('keys', args, 1), Object.keys(obj('keys', args, 0)).sort()),
  values: (args) => {
    arity('values', args, 1)
    const o = obj('values', args, 0)
    return Object.keys(o).sort().map((k) => o[k] as Value)
  },
  lookup: (args) => {
    arity('lookup', args, 2, 3)
    const o = obj('lookup', args, 0)
    const k = str('lookup', args, 1)
    if (Object.prototype.hasOwnProperty.call(o, k)) return o[k] as Value
    if (args.length === 3) return a(args, 2)
    throw fnErr('lookup', `the given key "${k}" does not exist in the map`)
  },
  merge: (args) => {
    const out: [string, Value][] = []
    const idx = new Map<string, number>()
    for (const x of args) {
      if (x === null) continue
      if (!isObject(x)) throw fnErr('merge', `arguments must be maps or objects, got ${typeName(x)}`)
      for (const [k, v] of Object.entries(x)) {
        const at = idx.get(k)
        if (at !== undefined) out[at] = [k, v]
        else {
          idx.set(k, out.length)
          out.push([k, v])
        }
      }
    }
    return makeObject(out)
  },
  range: (args) => {
    if (args.length < 1 || args.length > 3) arity('range', args, 1, 3)
    const n = args.map((_, i) => num('range', args, i))
    const [start, end, step] = n.length === 1 ? [0, n[0] ?? 0, 1] : [n[0] ?? 0, n[1] ?? 0, n[2] ?? ((n[0] ?? 0) <= (n[1] ?? 0) ? 1 : -1)]
    if (step === 0) throw fnErr('range', 'step must not be zero')
    // count first: range(1e12) must fail at once, not after allocating (or looping) forever
    const count = Math.ceil((end - start) / step)
    if (!Number.isFinite(count) || count > 1024 * 1024) throw fnErr('range', 'more than 1048576 values were generated')
    const out: number[] = []
    if (step > 0) for (let x = start; x < end; x += step) out.push(x)
    else for (let x = start; x > end; x += step) out.push(x)
    return out
  },
  slice: (args) => {
    arity('slice', args, 3)
    const l = list('slice', args, 0)
    const s = num('slice', args, 1)
    const e = num('slice', args, 2)
    if (s < 0 || e > l.length || s > e) throw fnErr('slice', `invalid slice indices ${s}:${e} for a list of ${l.length} elements`)
    return l.slice(s, e)
  },
  sort: (args) => {
    arity('sort', args, 1)
    return list('sort', args, 0)
      .map((x) => {
        if (x === null) throw fnErr('sort', 'given list element is null')
        return toStr(x)
      })
      .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
  },
  zipmap: (args) => {
    arity('zipmap', args, 2)
    const k = list('zipmap', args, 0)
    const v = list('zipmap', args, 1)
    if (k.length !== v.length) throw fnErr('zipmap', `number of keys (${k.length}) does not match number of values (${v.length})`)
    return makeObject(k.map((x, i) => [toStr(x), v[i] as Value]))
  },
  setunion: (args) => toSet(args.flatMap((_, i) => toList(a(args, i)))),
  setintersection: (args) => {
    if (args.length === 0) return []
    const first = toSet(toList(a(args, 0)))
    return first.filter((x) => args.every((l) => toList(l).some((y) => valueEquals(x, y))))
  },
  setsubtract: (args) => {
    arity('setsubtract', args, 2)
    const b = toList(a(args, 1))
    return toSet(toList(a(args, 0)).filter((x) => !b.some((y) => valueEquals(x, y))))
  },
  setsymmetricdifference: (args) => {
    const all = args.map((x) => toSet(toList(x)))
    const counts = new Map<string, {v: Value; n: number}>()
    for (const s of all) for (const x of s) {
      const k = valueKey(x)
      const c = counts.get(k)
      if (c) c.n++
      else counts.set(k, {v: x, n: 1})
    }
    return toSet([...counts.values()].filter((c) => c.n % 2 === 1).map((c) => c.v))
  },
  sethaselement: (args) => (arity('sethaselement', args, 2), toList(a(args, 0)).some((x) => valueEquals(x, a(args, 1)))),
  setproduct: (args) => {
    let out: Value[][] = [[]]
    for (let i = 0; i < args.length; i++) {
      const l = list('setproduct', args, i)
      out = out.flatMap((prefix) => l.map((x) => [...prefix, x]))
    }
    return args.length === 0 ? [] : out
  },
  // --- encoding
  jsonencode: (args) => (arity('jsonencode', args, 1), jsonEncode(a(args, 0))),
  jsondecode: (args) => {
    arity('jsondecode', args, 1)
    try {
      return jsonToValue(JSON.parse(str('jsondecode', args, 0)))
    } catch (err) {
      throw fnErr('jsondecode', (err as Error).message)
    }
  },
  csvdecode: (args) => (arity('csvdecode', args, 1), csvDecode('csvdecode', str('csvdecode', args, 0))),
  base64encode: unary('base64encode', (s) => Buffer.from(s, 'utf8').toString('base64')),
  base64decode: unary('base64decode', (s) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw fnErr('base64decode', 'failed to decode base64 data')
    return Buffer.from(s, 'base64').toString('utf8')
  }),
  urlencode: unary('urlencode', (s) => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())),
  md5: unary('md5', (s) => createHash('md5').update(s).digest('hex')),
  sha1: unary('sha1', (s) => createHash('sha1').update(s).digest('hex')),
  sha256: unary('sha256', (s) => createHash('sha256').update(s).digest('hex')),
  sha512: unary('sha512', (s) => createHash('sha512').update(s).digest('hex')),
  uuidv4: (args) => (arity('uuidv4', args, 0), randomUUID()),
  uuidv5: (args) => (arity('uuidv5', args, 2), uuidv5(str('uuidv5', args, 0), str('uuidv5', args, 1))),
  // --- date/time
  timestamp: (args, env) => (arity('timestamp', args, 0), formatRfc3339(env.now(), 0)),
  formatdate: (args) => (arity('formatdate', args, 2), formatDate('formatdate', str('formatdate', args, 0), str('formatdate', args, 1))),
  timeadd: (args) => {
    arity('timeadd', args, 2)
    const {date, offsetMin} = parseRfc3339('timeadd', str('timeadd', args, 0))
    return formatRfc3339(new Date(date.getTime() + parseGoDuration('timeadd', str('timeadd', args, 1))), offsetMin)
  },
  // --- buildx additions
  semvercmp: (args) => (arity('semvercmp', args, 2), semverCompare('semvercmp', str('semvercmp', args, 0), str('semvercmp', args, 1))),
  homedir: (args, env) => {
    arity('homedir', args, 0)
    if (env.homedir === undefined) throw fnErr('homedir', 'home directory is not known')
    return env.homedir
  },
}

/** Names of all built-in functions this resolver implements. */
export const BUILTIN_FUNCTION_NAMES: readonly string[] = [...Object.keys(FUNCTIONS), 'can', 'try', 'convert'].sort()

export function callBuiltin(name: string, args: Value[], env: FunctionEnv): Value {
  const fn = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined
  if (!fn) {
    if (UNSUPPORTED_FUNCTIONS.has(name) || /^(cidr)/.test(name)) {
      throw new EvalError(`Unsupported function; bakedoctor's bake resolver does not implement the function "${name}" (buildx does). Use --source buildx where docker buildx is available.`)
    }
    throw new EvalError(`Call to unknown function; There is no function named "${name}".`)
  }
  return fn(args, env)
}
