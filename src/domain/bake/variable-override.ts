/**
 * A bake variable's value from the environment or `--var` (a string), converted as buildx does:
 * by the variable's declared type (CSV for lists, sets, tuples and `k:v` maps; `NAME_JSON` as
 * JSON), or, untyped, by the type of its default.
 */
import {InputError} from '../errors.js'
import type {BlockNode} from './body.js'
import {locationOf as loc} from './eval-location.js'
import {jsonToValue} from './functions/encoding.js'
import {splitCsv} from './plan.js'
import {EvalError, type TypeExpr, type Value, convertValue, isPrimitiveType, makeObject, typeName, typeToString} from './value.js'

/** Go's strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false
  return undefined
}

/** Go's strconv.ParseFloat (decimal and hex). */
function parseGoFloat(s: string): number | undefined {
  const t = s.trim()
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) && !/^[-+]?0x[0-9a-f]+$/i.test(t)) return undefined
  const n = Number(t)
  return Number.isFinite(n) ? n : undefined
}

/** `NAME_JSON` for a typed variable. */
export function jsonOverride(name: string, json: string, type: TypeExpr, block: BlockNode): Value {
  const where = `variable "${name}"`
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (err) {
    throw new InputError(`${where}: failed to convert variable ${name} from JSON: ${(err as Error).message}`, loc(block))
  }
  try {
    return convertValue(jsonToValue(parsed), type)
  } catch (err) {
    throw new InputError(`${where}: failed to convert variable ${name} from JSON: ${(err as Error).message}`, loc(block))
  }
}

/** An override of an untyped variable takes the type of its default (a string when it has none). */
export function untypedOverride(name: string, raw: string, defaultValue: Value | undefined, block: BlockNode): Value {
  const where = `variable "${name}"`
  const d = defaultValue
  if (d === undefined || d === null || typeof d === 'string') return raw
  if (typeof d === 'number') {
    const n = parseGoFloat(raw)
    if (n === undefined) throw new InputError(`${where}: failed to parse ${name} as number: "${raw}"`, loc(block))
    return n
  }
  if (typeof d === 'boolean') {
    const b = parseGoBool(raw)
    if (b === undefined) throw new InputError(`${where}: failed to parse ${name} as bool: "${raw}"`, loc(block))
    return b
  }
  throw new InputError(`${where}: unsupported type ${typeName(d)} for variable ${name}; it cannot be overridden from the environment`, loc(block))
}

/** An override of a typed variable. */
export function typedOverride(name: string, raw: string, type: TypeExpr, block: BlockNode): Value {
  const where = `variable "${name}"`
  const prim = (s: string, t: TypeExpr): Value => {
    if (t.kind === 'string' || t.kind === 'any') return s
    if (t.kind === 'number') {
      const n = parseGoFloat(s)
      if (n === undefined) throw new InputError(`${where}: failed to parse ${name} as number: "${s}"`, loc(block))
      return n
    }
    if (t.kind === 'bool') {
      const b = parseGoBool(s)
      if (b === undefined) throw new InputError(`${where}: failed to parse ${name} as bool: "${s}"`, loc(block))
      return b
    }
    throw new InputError(`${where}: unsupported type ${typeToString(type)} for variable ${name} override`, loc(block))
  }
  if (isPrimitiveType(type) || type.kind === 'any') return prim(raw, type)
  const csv = (): string[] => {
    if ((raw.match(/"/g) ?? []).length % 2 === 1) throw new InputError(`${where}: failed to parse ${name} from CSV: bare or unterminated quote in "${raw}"`, loc(block))
    return raw === '' ? [] : splitCsv(raw)
  }
  if (type.kind === 'list' || type.kind === 'set') {
    if (!isPrimitiveType(type.elem)) throw new InputError(`${where}: unsupported type ${typeToString(type)} for variable ${name}`, loc(block))
    const items = csv().map((s) => prim(s, type.elem))
    return convertValue(items, type)
  }
  if (type.kind === 'tuple') {
    if (!type.elems.every(isPrimitiveType)) throw new InputError(`${where}: unsupported type ${typeToString(type)} for variable ${name}`, loc(block))
    const items = csv()
    if (items.length !== type.elems.length) throw new InputError(`${where}: invalid number of elements for ${name}: expected ${type.elems.length}, got ${items.length}`, loc(block))
    try {
      return items.map((s, i) => convertValue(prim(s, {kind: 'string'}), type.elems[i] as TypeExpr))
    } catch (err) {
      if (err instanceof EvalError) throw new InputError(`${where}: Unsuitable value type for ${name}: ${err.message}`, loc(block))
      throw err
    }
  }
  if (type.kind === 'map') {
    if (!isPrimitiveType(type.elem)) throw new InputError(`${where}: unsupported type ${typeToString(type)} for variable ${name}`, loc(block))
    const out: [string, Value][] = []
    for (const item of csv()) {
      const parts = item.split(':')
      if (parts.length !== 2) throw new InputError(`${where}: expected one k/v pair in "${item}" for ${name}`, loc(block))
      out.push([parts[0] as string, prim(parts[1] as string, type.elem)])
    }
    return makeObject(out)
  }
  throw new InputError(`${where}: unsupported type ${typeToString(type)} for variable ${name}`, loc(block))
}
