/** Group blocks → groups (bake.md §6): a later block of the same name replaces an earlier one. */
import {InputError} from '../errors.js'
import type {AttrNode, BlockNode} from './body.js'
import {locationOf as loc, withLocation as at} from './eval-location.js'
import {type EvalHost, type Scope, evaluate} from './expr-eval.js'
import {BAKE_NAME_RE} from './matrix.js'
import {toStr, typeName} from './value.js'

export interface EvaluatedGroup {
  name: string
  description?: string
  targets: string[]
  file?: string
  line?: number
}

/**
 * The groups of the bake file, then one group per matrix target block (its label names the targets
 * it expanded to, `renamed`), as buildx adds them.
 */
export function evaluateGroups(blocks: readonly BlockNode[], renamed: ReadonlyMap<string, string[]>, rootScope: Scope, host: EvalHost): EvaluatedGroup[] {
  const groups: EvaluatedGroup[] = []
  for (const g of blocks) {
    const where = `group "${g.label}"`
    if (!BAKE_NAME_RE.test(g.label)) throw new InputError(`${where}: invalid group name ${g.label}: only "[a-zA-Z0-9_-]+" are allowed`, loc(g))
    for (const bad of ['name', 'matrix']) if (g.attrs.has(bad)) throw new InputError(`${where}: ${bad} is not supported for groups`, loc(g.attrs.get(bad) as AttrNode))
    const ta = g.attrs.get('targets')
    if (!ta) throw new InputError(`${where}: Missing required argument; The argument "targets" is required, but no definition was found.`, loc(g))
    const tv = at(`${where}: attribute "targets"`, ta, () => evaluate(ta.expr, rootScope, host))
    if (!Array.isArray(tv)) throw new InputError(`${where}: attribute "targets": list of string required, got ${typeName(tv)}`, loc(ta))
    const names = tv.filter((x) => x !== null).map((x) => at(`${where}: attribute "targets"`, ta, () => toStr(x)))
    const da = g.attrs.get('description')
    const desc = da ? at(`${where}: attribute "description"`, da, () => evaluate(da.expr, rootScope, host)) : null
    const group: EvaluatedGroup = {name: g.label, targets: names, file: g.file, line: ta.line ?? g.line}
    if (typeof desc === 'string' && desc !== '') group.description = desc
    replace(groups, group)
  }
  for (const [label, names] of renamed) replace(groups, {name: label, targets: names})
  return groups
}

function replace(groups: EvaluatedGroup[], group: EvaluatedGroup): void {
  const at = groups.findIndex((x) => x.name === group.name)
  if (at >= 0) groups.splice(at, 1)
  groups.push(group)
}
