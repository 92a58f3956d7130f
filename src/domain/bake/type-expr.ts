import type {Expr} from './expr-parse.js'
import {EvalError, type TypeExpr} from './value.js'

/** A type constraint expression (`list(string)`, `object({a = number})`…) as a TypeExpr. */
export function typeFromExpr(e: Expr): TypeExpr {
  if (e.t === 'var') {
    if (e.name === 'string' || e.name === 'number' || e.name === 'bool' || e.name === 'any') return {kind: e.name}
    throw new EvalError(`Invalid type specification; The keyword "${e.name}" is not a valid type specification.`)
  }
  if (e.t === 'call') {
    const arg = e.args[0]
    if (e.args.length !== 1 || !arg) throw new EvalError(`Invalid type specification; The ${e.name} type constructor requires one argument.`)
    if (e.name === 'list' || e.name === 'set' || e.name === 'map') return {kind: e.name, elem: typeFromExpr(arg)}
    if (e.name === 'tuple') {
      if (arg.t !== 'tuple') throw new EvalError('Invalid type specification; The tuple type constructor requires a list of element types.')
      return {kind: 'tuple', elems: arg.items.map(typeFromExpr)}
    }
    if (e.name === 'object') {
      if (arg.t !== 'object') throw new EvalError('Invalid type specification; The object type constructor requires an object of attribute types.')
      const attrs: Record<string, TypeExpr> = {}
      for (const it of arg.items) {
        if (it.key.t !== 'lit' || typeof it.key.v !== 'string') throw new EvalError('Invalid type specification; object attribute names must be identifiers.')
        attrs[it.key.v] = typeFromExpr(it.value)
      }
      return {kind: 'object', attrs}
    }
    if (e.name === 'optional') return typeFromExpr(arg)
  }
  throw new EvalError('Invalid type specification; A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).')
}
