/** A variable's `validation` blocks (bake.md §3), run like buildx after every value is known. */
import {InputError} from '../errors.js'
import type {BlockNode} from './body.js'
import {locationOf as loc, withLocation as at} from './eval-location.js'
import {type EvalHost, type Scope, evaluate} from './expr-eval.js'
import {EvalError, type Value, typeName} from './value.js'

/** Throws one InputError naming every failed validation (the first one's place). */
export function validateVariables(variables: ReadonlyMap<string, BlockNode>, resolve: (name: string) => Value, rootScope: Scope, host: EvalHost): void {
  const failures: InputError[] = []
  const nullCondition = (name: string, node: {file: string; line?: number}) =>
    new InputError(`variable "${name}": validation: Condition expression must return either true or false, not null`, loc(node))
  for (const [name, block] of variables) {
    resolve(name)
    for (const v of block.blocks.filter((b) => b.type === 'validation')) {
      const cond = v.attrs.get('condition')
      if (!cond) {
        failures.push(nullCondition(name, {file: block.file, line: v.line}))
        continue
      }
      const r = at(`variable "${name}": validation: attribute "condition"`, cond, () => evaluate(cond.expr, rootScope, host))
      if (r === null) {
        failures.push(nullCondition(name, cond))
        continue
      }
      if (typeof r !== 'boolean') {
        failures.push(new InputError(`variable "${name}": validation: Invalid condition result value: a bool is required, got ${typeName(r)}`, loc(cond)))
        continue
      }
      if (r) continue
      const msgAttr = v.attrs.get('error_message')
      let msg: string | undefined
      if (msgAttr) {
        try {
          const m = evaluate(msgAttr.expr, rootScope, host)
          if (typeof m === 'string' && m !== '') msg = m
        } catch (err) {
          if (!(err instanceof EvalError)) throw err
        }
      }
      failures.push(new InputError(`variable "${name}": Validation failed; ${msg ?? 'This check failed, but has an invalid error message.'}`, loc(cond)))
    }
  }
  const first = failures[0]
  if (first) {
    if (failures.length === 1) throw first
    throw new InputError(failures.map((f) => f.message).join('\n'), {file: first.file, position: first.position})
  }
}
