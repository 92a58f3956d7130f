/** Target blocks → target instances: `matrix` expansion and `name` (bake.md §5). */
import {InputError} from '../errors.js'
import type {BlockNode} from './body.js'
import {locationOf as loc, withLocation as at} from './eval-location.js'
import {type EvalHost, type Scope, evaluate} from './expr-eval.js'
import {type Value, isObject, toStr} from './value.js'

/** Names bake accepts for targets and groups. */
export const BAKE_NAME_RE = /^[a-zA-Z0-9_-]+$/
/** a matrix that expands beyond this many targets is refused: no real bake file needs it, and memory would not be bounded */
const MAX_MATRIX_COMBINATIONS = 1_000

/** One target of a block: the block itself, or one combination of its matrix. */
export interface TargetInstance {
  block: BlockNode
  name: string
  /** the root scope, with the combination's matrix values */
  scope: Scope
}

/** A target block's instances, in matrix order (keys sorted, as buildx does). */
export function expandTargetBlock(b: BlockNode, rootScope: Scope, host: EvalHost): TargetInstance[] {
  const where = `target "${b.label}"`
  if (!BAKE_NAME_RE.test(b.label)) throw new InputError(`${where}: invalid target name ${b.label}: only "[a-zA-Z0-9_-]+" are allowed`, loc(b))
  const matrixAttr = b.attrs.get('matrix')
  const nameAttr = b.attrs.get('name')
  if (!matrixAttr) {
    if (nameAttr) throw new InputError(`${where}: attribute "name": name requires matrix`, loc(nameAttr))
    return [{block: b, name: b.label, scope: rootScope}]
  }
  const m = at(`${where}: attribute "matrix"`, matrixAttr, () => evaluate(matrixAttr.expr, rootScope, host))
  if (!isObject(m)) throw new InputError(`${where}: attribute "matrix": matrix must be a map`, loc(matrixAttr))
  let combos: Record<string, Value>[] = [{}]
  for (const key of Object.keys(m).sort()) {
    const values = m[key] as Value
    if (!Array.isArray(values)) throw new InputError(`${where}: attribute "matrix": matrix values must be a list (key "${key}")`, loc(matrixAttr))
    if (combos.length * values.length > MAX_MATRIX_COMBINATIONS) {
      throw new InputError(`${where}: attribute "matrix": expands to more than ${MAX_MATRIX_COMBINATIONS} targets`, {
        ...loc(matrixAttr),
        fix: 'use fewer matrix values, or split the target',
      })
    }
    combos = combos.flatMap((c) => values.map((v) => ({...c, [key]: v})))
  }
  const seen = new Set<string>()
  return combos.map((vars) => {
    const scope = rootScope.child(vars)
    let name = b.label
    if (nameAttr) {
      const nv = at(`${where}: attribute "name"`, nameAttr, () => evaluate(nameAttr.expr, scope, host))
      name = at(`${where}: attribute "name"`, nameAttr, () => toStr(nv, 'name'))
      if (!BAKE_NAME_RE.test(name)) throw new InputError(`${where}: attribute "name": invalid target name ${name}: only "[a-zA-Z0-9_-]+" are allowed`, loc(nameAttr))
    }
    if (seen.has(name)) throw new InputError(`${where}: duplicate name "${name}"`, loc(nameAttr ?? b))
    seen.add(name)
    return {block: b, name, scope}
  })
}
