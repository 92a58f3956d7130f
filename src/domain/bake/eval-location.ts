import {InputError} from '../errors.js'
import {BudgetExceeded} from './budget.js'
import {EvalError} from './value.js'

/** A node's place in its bake file, as an InputError takes it. */
export function locationOf(node: {file: string; line?: number}): {file: string; position?: {line: number}} {
  return {file: node.file, position: node.line !== undefined ? {line: node.line} : undefined}
}

/** What to do about an evaluation error, for the `Fix:` line (exit 2 errors always say what to do). */
export function evalErrorFix(message: string): string {
  if (/variable cycle/.test(message)) return 'break the cycle: give one of the variables a default that does not reference the other(s)'
  if (/There is no function named/.test(message)) return 'use a function bake supports (https://docs.docker.com/build/bake/funcs/) or define it in a `function` block'
  if (/does not implement the function/.test(message)) return 'use --source buildx where docker buildx is available'
  if (/There is no variable named/.test(message)) return 'declare it in a `variable` block, or correct the name'
  return 'correct the expression on this line of the bake file'
}

/** Runs `f`, turning an evaluation error into an InputError naming where it happened (the innermost location wins). */
export function withLocation<T>(where: string, node: {file: string; line?: number}, f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof EvalError) throw new InputError(`${where}: ${err.message}`, {...locationOf(node), fix: evalErrorFix(err.message)})
    if (err instanceof BudgetExceeded) throw new InputError(`${where}: ${err.message}`, {...locationOf(node), fix: err.fix})
    throw err
  }
}
