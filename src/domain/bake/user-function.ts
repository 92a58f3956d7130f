/** A `function` block of the bake file called with its arguments (bake.md §4). */
import {InputError} from '../errors.js'
import type {AttrNode, BlockNode} from './body.js'
import {locationOf as loc, withLocation as at} from './eval-location.js'
import {type EvalHost, type Scope, evaluate} from './expr-eval.js'
import {type Expr, unwrapSingleInterpolation} from './expr-parse.js'
import {EvalError, type Value} from './value.js'

/** Evaluates the function's `result` with `params` (and `variadic_params`) bound to `args`. */
export function callUserFunction(fn: BlockNode, name: string, args: Value[], rootScope: Scope, host: EvalHost): Value {
  const paramsAttr = fn.attrs.get('params')
  const resultAttr = fn.attrs.get('result')
  for (const k of fn.attrs.keys()) {
    if (!['params', 'variadic_params', 'result'].includes(k)) {
      throw new InputError(`function "${name}": Unsupported argument; An argument named "${k}" is not expected here.`, loc(fn.attrs.get(k) as AttrNode))
    }
  }
  if (!paramsAttr) throw new InputError(`empty params not allowed for ${name}`, loc(fn))
  if (!resultAttr) throw new InputError(`empty result not allowed for ${name}`, loc(fn))
  const params = paramNames(paramsAttr)
  const variadicAttr = fn.attrs.get('variadic_params')
  const variadic = variadicAttr ? identOf(variadicAttr.expr, variadicAttr) : undefined
  if (args.length < params.length || (!variadic && args.length > params.length)) {
    throw new EvalError(`Function "${name}" expects ${params.length} argument(s), got ${args.length}.`)
  }
  const vars: Record<string, Value> = {}
  params.forEach((p, i) => (vars[p] = args[i] as Value))
  if (variadic) vars[variadic] = args.slice(params.length)
  return at(`function "${name}": attribute "result"`, resultAttr, () => evaluate(resultAttr.expr, rootScope.child(vars), host))
}

function identOf(e: Expr, node: AttrNode): string {
  const inner = unwrapSingleInterpolation(e)
  if (inner?.t === 'var') return inner.name
  if (e.t === 'lit' && typeof e.v === 'string' && /^[A-Za-z_][\w-]*$/.test(e.v)) return e.v
  throw new InputError(`attribute "${node.name}": expected a parameter name`, loc(node))
}

function paramNames(a: AttrNode): string[] {
  const inner = unwrapSingleInterpolation(a.expr) ?? a.expr
  if (inner.t !== 'tuple') throw new InputError(`attribute "params": a list of parameter names is required`, loc(a))
  return inner.items.map((it) => identOf(it, a))
}
