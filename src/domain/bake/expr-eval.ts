/**
 * Evaluates parsed HCL expressions with cty-like semantics over plain JS values. The host (the bake
 * config evaluator) supplies globals, `target.x.y` references and user functions, lazily.
 */
import type {EvalBudget} from './budget.js'
import type {Expr, TmplPart} from './expr-parse.js'
import {typeFromExpr} from './type-expr.js'
import {
  EvalError,
  type Value,
  convertValue,
  isObject,
  makeObject,
  toBool,
  toNum,
  toStr,
  typeName,
  valueEquals,
} from './value.js'

export interface EvalHost {
  /** A name not bound locally: variable, global attribute. Throws EvalError when unknown. */
  lookupGlobal(name: string): Value
  /** `target.NAME.ATTR` / `group.NAME.targets`. */
  blockRef(kind: 'target' | 'group', name: string, attr: string): Value
  /** A function call; throws EvalError naming an unknown function. */
  callFunction(name: string, args: Value[]): Value
  /** limits on depth, steps, time and string size; none for trusted callers (tests, overrides) */
  readonly budget?: EvalBudget
}

/** the names a scope binds (a Map, or the loop variables of one iteration) */
export interface Bindings {
  has(name: string): boolean
  get(name: string): Value | undefined
}

/** the one or two names of a `for` iteration: far lighter than a Map per element */
class LoopBindings implements Bindings {
  constructor(
    private readonly keyName: string | undefined,
    private readonly key: Value,
    private readonly valueName: string,
    private readonly value: Value,
  ) {}

  has(name: string): boolean {
    return name === this.valueName || name === this.keyName
  }

  get(name: string): Value | undefined {
    return name === this.valueName ? this.value : name === this.keyName ? this.key : undefined
  }
}

export class Scope {
  constructor(
    readonly vars: Bindings,
    readonly parent?: Scope,
  ) {}

  get(name: string): Value | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking the scope chain iteratively
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name) as Value
    return undefined
  }

  has(name: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking the scope chain iteratively
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.vars.has(name)) return true
    return false
  }

  child(vars: Record<string, Value>): Scope {
    return new Scope(new Map(Object.entries(vars)), this)
  }
}

export const EMPTY_SCOPE = new Scope(new Map())

const SPLAT = '\u0000splat'

export function evaluate(e: Expr, scope: Scope, host: EvalHost): Value {
  const budget = host.budget
  if (!budget) return evaluateNode(e, scope, host)
  budget.enter()
  try {
    const v = evaluateNode(e, scope, host)
    if (typeof v === 'string') budget.checkString(v)
    else if (Array.isArray(v)) budget.charge(v.length)
    return v
  } finally {
    budget.leave()
  }
}

function evaluateNode(e: Expr, scope: Scope, host: EvalHost): Value {
  switch (e.t) {
    case 'lit':
      return e.v
    case 'paren':
      return evaluate(e.e, scope, host)
    case 'tmpl':
      return evalTemplate(e.parts, scope, host)
    case 'splatItem': {
      if (!scope.has(SPLAT)) throw new EvalError('splat item outside of a splat')
      return scope.get(SPLAT) as Value
    }
    case 'var':
      if (scope.has(e.name)) return scope.get(e.name) as Value
      if (e.name === 'target' || e.name === 'group') throw new EvalError(`cannot access ${e.name} as a variable`)
      return host.lookupGlobal(e.name)
    case 'attr': {
      const ref = blockRefOf(e, scope)
      if (ref) return host.blockRef(ref.kind, ref.name, ref.attr)
      if (e.obj.t === 'var' && (e.obj.name === 'target' || e.obj.name === 'group') && !scope.has(e.obj.name)) {
        throw new EvalError(`cannot traverse ${e.obj.name} without attribute`)
      }
      return getAttr(evaluate(e.obj, scope, host), e.name)
    }
    case 'index': {
      if (e.obj.t === 'var' && (e.obj.name === 'target' || e.obj.name === 'group') && !scope.has(e.obj.name)) {
        throw new EvalError(`cannot traverse ${e.obj.name} without attribute`)
      }
      return getIndex(evaluate(e.obj, scope, host), evaluate(e.key, scope, host))
    }
    case 'splat': {
      const src = evaluate(e.src, scope, host)
      if (src === null) return []
      const items = Array.isArray(src) ? src : [src]
      return items.map((it) => evaluate(e.body, scope.child({[SPLAT]: it}), host))
    }
    case 'tuple':
      return e.items.map((x) => evaluate(x, scope, host))
    case 'object': {
      const entries: [string, Value][] = []
      for (const it of e.items) {
        const k = evaluate(it.key, scope, host)
        if (k === null) throw new EvalError('Invalid object key: key must not be null')
        entries.push([toStr(k, 'object key'), evaluate(it.value, scope, host)])
      }
      return makeObject(entries)
    }
    case 'unary': {
      const v = evaluate(e.e, scope, host)
      if (e.op === '!') return !toBool(v, 'operand for "!"')
      return -toNum(v, 'operand for "-"')
    }
    case 'bin':
      return evalBinary(e.op, e.l, e.r, scope, host)
    case 'cond': {
      const c = evaluate(e.c, scope, host)
      if (c === null) throw new EvalError('Null condition; The condition value is null. Conditions must either be true or false.')
      return toBool(c, 'condition') ? evaluate(e.a, scope, host) : evaluate(e.b, scope, host)
    }
    case 'for':
      return evalFor(e, scope, host)
    case 'call':
      return evalCall(e, scope, host)
  }
}

function blockRefOf(e: Expr & {t: 'attr'}, scope: Scope): {kind: 'target' | 'group'; name: string; attr: string} | undefined {
  const mid = e.obj
  if (mid.t !== 'attr' || mid.obj.t !== 'var') return undefined
  const root = mid.obj.name
  if ((root !== 'target' && root !== 'group') || scope.has(root)) return undefined
  return {kind: root, name: mid.name, attr: e.name}
}

export function getAttr(obj: Value, name: string): Value {
  if (obj === null) throw new EvalError(`Attempt to get attribute from null value; This value is null, so it does not have any attributes (looking for "${name}").`)
  if (!isObject(obj)) throw new EvalError(`Unsupported attribute; Can't access attributes on a primitive-typed value (${typeName(obj)}) ("${name}").`)
  if (!Object.prototype.hasOwnProperty.call(obj, name)) throw new EvalError(`Unsupported attribute; This object does not have an attribute named "${name}".`)
  return obj[name] as Value
}

export function getIndex(obj: Value, key: Value): Value {
  if (obj === null) throw new EvalError('Attempt to index null value; This value is null, so it does not have any indices.')
  if (Array.isArray(obj)) {
    const n = toNum(key, 'index')
    if (!Number.isInteger(n) || n < 0 || n >= obj.length) throw new EvalError(`Invalid index; The given key does not identify an element in this collection value (index ${n}, length ${obj.length}).`)
    return obj[n] as Value
  }
  if (isObject(obj)) {
    const k = toStr(key, 'index')
    if (!Object.prototype.hasOwnProperty.call(obj, k)) throw new EvalError(`Invalid index; The given key does not identify an element in this collection value ("${k}").`)
    return obj[k] as Value
  }
  throw new EvalError(`Invalid index; This value (${typeName(obj)}) does not have any indices.`)
}

function evalBinary(op: string, le: Expr, re: Expr, scope: Scope, host: EvalHost): Value {
  if (op === '&&') {
    const l = toBool(evaluate(le, scope, host), 'operand for "&&"')
    // cty evaluates both sides; short-circuit only changes error cases
    const r = toBool(evaluate(re, scope, host), 'operand for "&&"')
    return l && r
  }
  if (op === '||') {
    const l = toBool(evaluate(le, scope, host), 'operand for "||"')
    const r = toBool(evaluate(re, scope, host), 'operand for "||"')
    return l || r
  }
  const l = evaluate(le, scope, host)
  const r = evaluate(re, scope, host)
  switch (op) {
    case '==':
      return valueEquals(l, r)
    case '!=':
      return !valueEquals(l, r)
    case '<':
      return toNum(l, `operand for "<"`) < toNum(r, `operand for "<"`)
    case '>':
      return toNum(l, `operand for ">"`) > toNum(r, `operand for ">"`)
    case '<=':
      return toNum(l, `operand for "<="`) <= toNum(r, `operand for "<="`)
    case '>=':
      return toNum(l, `operand for ">="`) >= toNum(r, `operand for ">="`)
    case '+':
      return toNum(l, `operand for "+"`) + toNum(r, `operand for "+"`)
    case '-':
      return toNum(l, `operand for "-"`) - toNum(r, `operand for "-"`)
    case '*':
      return toNum(l, `operand for "*"`) * toNum(r, `operand for "*"`)
    case '/': {
      const d = toNum(r, `operand for "/"`)
      if (d === 0) throw new EvalError('Error in function call; Call to function "divide" failed: can\'t divide by zero.')
      return toNum(l, `operand for "/"`) / d
    }
    case '%': {
      const d = toNum(r, `operand for "%"`)
      if (d === 0) throw new EvalError('Error in function call; Call to function "modulo" failed: can\'t use modulo by zero.')
      const a = toNum(l, `operand for "%"`)
      return a % d
    }
  }
  throw new EvalError(`unsupported operator ${op}`)
}

/** The (key, value) pairs of a collection, one at a time (a pair array per element would be garbage on every loop). */
function* iterate(coll: Value, what: string): Generator<[Value, Value]> {
  if (coll === null) throw new EvalError(`Iteration over null value; A null value cannot be used as the collection in a ${what}.`)
  const pair: [Value, Value] = [null, null]
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) {
      pair[0] = i
      pair[1] = coll[i] as Value
      yield pair
    }
    return
  }
  if (isObject(coll)) {
    for (const k of Object.keys(coll).sort()) {
      pair[0] = k
      pair[1] = coll[k] as Value
      yield pair
    }
    return
  }
  throw new EvalError(`Iteration over non-iterable value; A value of type ${typeName(coll)} cannot be used as the collection in a ${what}.`)
}

/** the scope of one iteration: the loop's names only (no Map or intermediate object per element) */
function iterationScope(e: {k?: string; v: string}, scope: Scope, k: Value, v: Value): Scope {
  return new Scope(new LoopBindings(e.k, k, e.v, v), scope)
}

function evalFor(e: Expr & {t: 'for'}, scope: Scope, host: EvalHost): Value {
  const coll = evaluate(e.coll, scope, host)
  if (e.kind === 'tuple') {
    const out: Value[] = []
    for (const [k, v] of iterate(coll, "'for' expression")) {
      host.budget?.charge(1)
      const s = iterationScope(e, scope, k, v)
      if (e.cond && !toBool(evaluate(e.cond, s, host), "'for' condition")) continue
      out.push(evaluate(e.val, s, host))
    }
    return out
  }
  const out = new Map<string, Value>()
  for (const [k, v] of iterate(coll, "'for' expression")) {
    host.budget?.charge(1)
    const s = iterationScope(e, scope, k, v)
    if (e.cond && !toBool(evaluate(e.cond, s, host), "'for' condition")) continue
    const key = toStr(evaluate(e.key as Expr, s, host), "'for' object key")
    const val = evaluate(e.val, s, host)
    if (e.group) {
      const cur = (out.get(key) as Value[] | undefined) ?? []
      cur.push(val)
      out.set(key, cur)
    } else {
      if (out.has(key)) throw new EvalError(`Duplicate object key; Two different items produced the key "${key}" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`)
      out.set(key, val)
    }
  }
  return makeObject(out)
}

function evalTemplate(parts: TmplPart[], scope: Scope, host: EvalHost): Value {
  if (parts.length === 1 && parts[0]?.t === 'interp') return evaluate(parts[0].e, scope, host)
  return renderParts(parts, scope, host)
}

function renderParts(parts: TmplPart[], scope: Scope, host: EvalHost): string {
  let out = ''
  for (const p of parts) {
    switch (p.t) {
      case 'str':
        out += p.s
        break
      case 'interp': {
        const v = evaluate(p.e, scope, host)
        if (v === null) throw new EvalError('Invalid template interpolation value; The expression result is null. Cannot include a null value in a string template.')
        if (Array.isArray(v) || isObject(v)) throw new EvalError(`Invalid template interpolation value; Cannot include the given value in a string template: string required, got ${typeName(v)}.`)
        out += toStr(v)
        break
      }
      case 'if': {
        const c = evaluate(p.c, scope, host)
        out += renderParts(toBool(c, 'template if condition') ? p.then : p.else, scope, host)
        break
      }
      case 'for': {
        for (const [k, v] of iterate(evaluate(p.coll, scope, host), 'template for directive')) {
          out += renderParts(p.body, iterationScope(p, scope, k, v), host)
        }
        break
      }
    }
  }
  return out
}

function evalCall(e: Expr & {t: 'call'}, scope: Scope, host: EvalHost): Value {
  // can/try/convert need their arguments unevaluated (or as a type)
  if (e.name === 'can') {
    if (e.args.length !== 1) throw new EvalError('Not enough function arguments; Function "can" expects 1 argument.')
    try {
      evaluate(e.args[0] as Expr, scope, host)
      return true
    } catch (err) {
      if (err instanceof EvalError) return false
      throw err
    }
  }
  if (e.name === 'try') {
    let last: unknown
    for (const a of e.args) {
      try {
        return evaluate(a, scope, host)
      } catch (err) {
        if (!(err instanceof EvalError)) throw err
        last = err
      }
    }
    throw new EvalError(`Error in function call; Call to function "try" failed: no expression succeeded${last instanceof Error ? `: ${last.message}` : ''}.`)
  }
  if (e.name === 'convert') {
    if (e.args.length !== 2) throw new EvalError('Function "convert" expects 2 arguments.')
    const v = evaluate(e.args[0] as Expr, scope, host)
    const t = typeFromExpr(e.args[1] as Expr)
    try {
      return convertValue(v, t)
    } catch (err) {
      if (err instanceof EvalError) throw new EvalError(`Invalid value for "value" parameter: ${err.message}.`)
      throw err
    }
  }
  let args = e.args.map((a) => evaluate(a, scope, host))
  if (e.expand) {
    const last = args[args.length - 1]
    if (!Array.isArray(last)) throw new EvalError(`Invalid expanding argument value; The expanding argument (indicated by ...) must be of a tuple, list, or set type.`)
    args = [...args.slice(0, -1), ...last]
  }
  host.budget?.charge(callWork(args))
  return host.callFunction(e.name, args)
}

/**
 * A function's work grows with its string arguments (regex, replace, split over 25,000 characters
 * cost milliseconds each): charged before the call, so that the step limit and the time check see
 * it (one step per call let a loop of such calls run 90 s between two time checks).
 */
function callWork(args: readonly Value[]): number {
  let chars = 0
  for (const a of args) if (typeof a === 'string') chars += a.length
  return chars >> 8
}
