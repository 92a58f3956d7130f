/** Argument checks and helpers shared by the bake functions. */
import {EvalError, type Value, isObject, toNum, toStr, typeName} from '../value.js'

export interface FunctionEnv {
  /** current time for `timestamp()` */
  now: () => Date
  /** for `homedir()` */
  homedir?: string
}

export type Fn = (args: Value[], env: FunctionEnv) => Value

export function arity(name: string, args: Value[], min: number, max = min): void {
  if (args.length < min) throw new EvalError(`Not enough function arguments; Function "${name}" expects ${min} argument(s). Missing value for argument ${args.length + 1}.`)
  if (args.length > max) throw new EvalError(`Too many function arguments; Function "${name}" expects only ${max} argument(s).`)
}

export function fnErr(name: string, msg: string): EvalError {
  return new EvalError(`Error in function call; Call to function "${name}" failed: ${msg}.`)
}

export function a(args: Value[], i: number): Value {
  return args[i] ?? null
}

export function str(name: string, args: Value[], i: number): string {
  const v = a(args, i)
  if (v === null) throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": argument must not be null.`)
  try {
    return toStr(v)
  } catch {
    throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": string required, got ${typeName(v)}.`)
  }
}

export function num(name: string, args: Value[], i: number): number {
  const v = a(args, i)
  try {
    return toNum(v)
  } catch {
    throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": number required, got ${typeName(v)}.`)
  }
}

export function list(name: string, args: Value[], i: number): Value[] {
  const v = a(args, i)
  if (Array.isArray(v)) return v
  throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": list, set or tuple required, got ${typeName(v)}.`)
}

export function obj(name: string, args: Value[], i: number): Record<string, Value> {
  const v = a(args, i)
  if (isObject(v)) return v
  throw new EvalError(`Invalid function argument; Invalid value for argument ${i + 1} of "${name}": map or object required, got ${typeName(v)}.`)
}

export const unary = (name: string, f: (s: string) => Value): Fn => (args) => {
  arity(name, args, 1)
  return f(str(name, args, 0))
}

export const math = (name: string, f: (...n: number[]) => number, n = 1): Fn => (args) => {
  arity(name, args, n)
  return f(...args.map((_, i) => num(name, args, i)))
}
