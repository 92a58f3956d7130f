/**
 * The bake function library (bake.md §2.4: go-cty stdlib, go-cty-funcs, buildx additions), over plain
 * JS values. `can`, `try` and `convert` are handled by the evaluator (they need unevaluated arguments).
 * Non-deterministic inputs (`timestamp`, `homedir`) come from the injected environment so this module
 * stays pure. Functions buildx has but bakedoctor does not are named in the error.
 */
import {createHash, randomUUID} from 'node:crypto'
import {BAKE_LIMITS} from './budget.js'
import {cleanPath} from './go-path.js'
import {EvalError, type Value, toBool, toStr, valueEquals} from './value.js'
import {a, arity, fnErr, list, math, num, str, unary, type Fn, type FunctionEnv} from './functions/args.js'
import {goFormat, goRegex, goReplacement, regexResult} from './functions/go-format.js'
import {formatDate, formatRfc3339, parseGoDuration, parseRfc3339} from './functions/time.js'
import {csvDecode, jsonEncode, jsonToValue, semverCompare, uuidv5} from './functions/encoding.js'
import {COLLECTION_FUNCTIONS} from './functions/collections.js'

export type {FunctionEnv}

/** Functions buildx ships that this resolver does not implement. */
export const UNSUPPORTED_FUNCTIONS = new Set(['bcrypt', 'rsadecrypt', 'formattimestamp', 'unixtimestampparse', 'byteslen', 'bytesslice'])

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
  ...COLLECTION_FUNCTIONS,
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
