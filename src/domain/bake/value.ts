/**
 * HCL (cty) values as plain JS data. Lists, tuples and sets are arrays (sets kept sorted and
 * deduplicated), maps and objects are plain objects. Numbers are JS numbers: buildx uses 512-bit
 * big.Float, so only integers beyond 2^53 and long fractional arithmetic can differ (bake.md §0.7).
 */
import {BakedoctorError} from '../errors.js'

export type Value = null | string | number | boolean | Value[] | ValueObject
export interface ValueObject {
  [key: string]: Value
}

/** A failure while evaluating an expression; the resolver adds file, block and attribute. */
export class EvalError extends BakedoctorError {
  readonly kind = 'input'
}

export function isObject(v: Value | undefined): v is ValueObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function makeObject(entries: Iterable<[string, Value]>): ValueObject {
  const out: ValueObject = {}
  for (const [k, v] of entries) Object.defineProperty(out, k, {value: v, enumerable: true, writable: true, configurable: true})
  return out
}

/** cty's friendly type name for messages. */
export function typeName(v: Value): string {
  if (v === null) return 'null'
  if (typeof v === 'string') return 'string'
  if (typeof v === 'number') return 'number'
  if (typeof v === 'boolean') return 'bool'
  if (Array.isArray(v)) return 'tuple'
  return 'object'
}

/** Go `big.Float.Text('f', -1)`-like formatting: never exponent notation. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new EvalError(`cannot convert ${n} to a string`)
  if (Object.is(n, -0)) return '0'
  const s = String(n)
  if (!/e/i.test(s)) return s
  if (Number.isInteger(n)) return BigInt(n).toString()
  // fractional with exponent (e.g. 1e-7): expand the mantissa
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/i.exec(s)
  if (!m) return s
  const sign = m[1] ?? ''
  const digits = (m[2] ?? '') + (m[3] ?? '')
  const exp = Number(m[4])
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`.replace(/0+$/, '')
  const intLen = exp + 1
  if (digits.length <= intLen) return sign + digits + '0'.repeat(intLen - digits.length)
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`
}

/** Conversion to string as cty does for string-typed contexts (numbers, bools). */
export function toStr(v: Value, what = 'value'): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return formatNumber(v)
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (v === null) throw new EvalError(`Invalid ${what}: a string is required, but the value is null`)
  throw new EvalError(`Invalid ${what}: string required, got ${typeName(v)}`)
}

export function toNum(v: Value, what = 'value'): number {
  if (typeof v === 'number') return v
  if (typeof v === 'string') {
    const t = v.trim()
    if (t !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t)
    throw new EvalError(`Invalid ${what}: a number is required; cannot convert "${v}" to number`)
  }
  if (v === null) throw new EvalError(`Invalid ${what}: a number is required, but the value is null`)
  throw new EvalError(`Invalid ${what}: number required, got ${typeName(v)}`)
}

export function toBool(v: Value, what = 'value'): boolean {
  if (typeof v === 'boolean') return v
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  if (v === null) throw new EvalError(`Invalid ${what}: a bool is required, but the value is null`)
  throw new EvalError(`Invalid ${what}: bool required, got ${typeName(v)}`)
}

export function toList(v: Value, what = 'value'): Value[] {
  if (Array.isArray(v)) return v
  if (isObject(v)) return Object.keys(v).sort().map((k) => v[k] as Value)
  throw new EvalError(`Invalid ${what}: list required, got ${typeName(v)}`)
}

export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true
  if (typeof a === 'number' && typeof b === 'number') return a === b
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valueEquals(x, b[i] as Value))
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).sort()
    const kb = Object.keys(b).sort()
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && valueEquals(a[k] as Value, b[k] as Value))
  }
  return false
}

/** Deterministic text for sorting sets and dedupe. */
export function valueKey(v: Value): string {
  return JSON.stringify(sortKeysDeep(v))
}

function sortKeysDeep(v: Value): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep)
  if (isObject(v)) return Object.keys(v).sort().map((k) => [k, sortKeysDeep(v[k] as Value)])
  return v
}

// ---------------------------------------------------------------- types

export type TypeExpr =
  | {kind: 'string' | 'number' | 'bool' | 'any'}
  | {kind: 'list' | 'set' | 'map'; elem: TypeExpr}
  | {kind: 'tuple'; elems: TypeExpr[]}
  | {kind: 'object'; attrs: Record<string, TypeExpr>}

export function typeToString(t: TypeExpr): string {
  switch (t.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return t.kind
    case 'any':
      return 'any'
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind}(${typeToString(t.elem)})`
    case 'tuple':
      return `tuple([${t.elems.map(typeToString).join(', ')}])`
    case 'object':
      return `object({${Object.entries(t.attrs).map(([k, v]) => `${k}=${typeToString(v)}`).join(', ')}})`
  }
}

export function isPrimitiveType(t: TypeExpr): boolean {
  return t.kind === 'string' || t.kind === 'number' || t.kind === 'bool'
}

/** cty's convert.Convert for the types bake files declare. Null converts to null. */
export function convertValue(v: Value, t: TypeExpr): Value {
  if (v === null) return null
  switch (t.kind) {
    case 'any':
      return v
    case 'string':
      if (Array.isArray(v) || isObject(v)) throw new EvalError(`string required, but have ${typeName(v)}`)
      return toStr(v)
    case 'number':
      if (Array.isArray(v) || isObject(v) || typeof v === 'boolean') throw new EvalError(`number required, but have ${typeName(v)}`)
      return toNum(v)
    case 'bool':
      if (Array.isArray(v) || isObject(v) || typeof v === 'number') throw new EvalError(`bool required, but have ${typeName(v)}`)
      return toBool(v)
    case 'list':
    case 'set': {
      if (!Array.isArray(v)) throw new EvalError(`${t.kind} of ${typeToString(t.elem)} required, but have ${typeName(v)}`)
      const items = v.map((x) => convertValue(x, t.elem))
      return t.kind === 'set' ? toSet(items) : items
    }
    case 'map': {
      if (!isObject(v)) throw new EvalError(`map of ${typeToString(t.elem)} required, but have ${typeName(v)}`)
      return makeObject(Object.entries(v).map(([k, x]) => [k, convertValue(x, t.elem)]))
    }
    case 'tuple': {
      if (!Array.isArray(v)) throw new EvalError(`tuple required, but have ${typeName(v)}`)
      if (v.length !== t.elems.length) throw new EvalError(`tuple required with ${t.elems.length} elements, but have ${v.length}`)
      return v.map((x, i) => convertValue(x, t.elems[i] as TypeExpr))
    }
    case 'object': {
      if (!isObject(v)) throw new EvalError(`object required, but have ${typeName(v)}`)
      const out: [string, Value][] = []
      for (const [k, at] of Object.entries(t.attrs)) {
        if (!(k in v)) throw new EvalError(`attribute "${k}" is required`)
        out.push([k, convertValue(v[k] as Value, at)])
      }
      return makeObject(out)
    }
  }
}

export function toSet(items: Value[]): Value[] {
  const seen = new Map<string, Value>()
  for (const x of items) seen.set(valueKey(x), x)
  const vals = [...seen.entries()]
  if (vals.every(([, x]) => typeof x === 'number')) return vals.map(([, x]) => x).sort((a, b) => (a as number) - (b as number))
  if (vals.every(([, x]) => typeof x === 'string')) return vals.map(([, x]) => x).sort((a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0))
  return vals.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x)
}
