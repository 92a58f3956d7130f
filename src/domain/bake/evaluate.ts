/**
 * Evaluates merged HCL/JSON bake bodies like buildx's `hclparser.Parse` (bake.md §2–§6): variables
 * (types, defaults, env and `--var` overrides, `NAME_JSON`, validation), global attributes, user
 * functions, `target.x.y` / `group.x.targets` references (lazy, cycle-checked), matrix expansion and
 * naming. Produces target specs (one per block instance, in order) and groups.
 */
import {InputError} from '../errors.js'
import {BudgetExceeded, EvalBudget} from './budget.js'
import type {AttrNode, BlockNode, FileBody} from './body.js'
import {type EvalHost, Scope, evaluate, typeFromExpr} from './expr-eval.js'
import {type Expr, ParseError, parseExpression, unwrapSingleInterpolation} from './expr-parse.js'
import {type FunctionEnv, callBuiltin} from './functions.js'
import {jsonToValue} from './functions/encoding.js'
import {TARGET_ATTRIBUTES, type TargetSpec, attributeAsValue, decodeAttribute} from './target.js'
import {
  EvalError,
  type TypeExpr,
  type Value,
  convertValue,
  isObject,
  isPrimitiveType,
  makeObject,
  toStr,
  typeName,
  typeToString,
} from './value.js'
import {splitCsv} from './plan.js'

export interface EvaluateOptions {
  /** process environment visible to bake */
  env: Record<string, string | undefined>
  /** `--var NAME=value` */
  vars?: Record<string, string>
  fnEnv: FunctionEnv
  /** `BAKE_LOCAL_PLATFORM` (e.g. linux/amd64); `BAKE_CMD_CONTEXT` is `cwd://` for local files */
  localPlatform?: string
}

export interface EvaluatedTarget {
  name: string
  spec: TargetSpec
  file: string
  line?: number
}

export interface EvaluatedGroup {
  name: string
  description?: string
  targets: string[]
  file?: string
  line?: number
}

export interface EvaluatedConfig {
  targets: EvaluatedTarget[]
  groups: EvaluatedGroup[]
}

const RESERVED = new Set(['target', 'group', 'BAKE_CMD_CONTEXT', 'BAKE_LOCAL_PLATFORM'])
const NAME_RE = /^[a-zA-Z0-9_-]+$/
/** a matrix that expands beyond this many targets is refused: no real bake file needs it, and memory would not be bounded */
const MAX_MATRIX_COMBINATIONS = 1_000

interface Instance {
  block: BlockNode
  name: string
  scope: Scope
}

function loc(node: {file: string; line?: number}): {file: string; position?: {line: number}} {
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

function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false
  return undefined
}

function parseGoFloat(s: string): number | undefined {
  const t = s.trim()
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) && !/^[-+]?0x[0-9a-f]+$/i.test(t)) return undefined
  const n = Number(t)
  return Number.isFinite(n) ? n : undefined
}

export class BakeEvaluator implements EvalHost {
  private readonly variables = new Map<string, BlockNode>()
  private readonly globals = new Map<string, AttrNode>()
  private readonly functions = new Map<string, BlockNode>()
  private readonly targetBlocks: BlockNode[] = []
  private readonly groupBlocks: BlockNode[] = []

  private readonly varValues = new Map<string, Value>()
  private readonly globalValues = new Map<string, Value>()
  private readonly resolving: string[] = []
  private readonly fnStack: string[] = []
  private instances?: Instance[]
  private instancesBusy = false
  private readonly attrCache = new Map<string, Value>()
  readonly budget = new EvalBudget()

  constructor(
    bodies: FileBody[],
    private readonly opts: EvaluateOptions,
  ) {
    for (const body of bodies) {
      for (const a of body.attrs) {
        if (RESERVED.has(a.name) || a.name === 'function') continue
        this.globals.set(a.name, a)
      }
      for (const b of body.blocks) {
        if (b.type === 'variable' && !RESERVED.has(b.label)) this.variables.set(b.label, b)
        else if (b.type === 'function' && !RESERVED.has(b.label)) this.functions.set(b.label, b)
        else if (b.type === 'target') this.targetBlocks.push(b)
        else if (b.type === 'group') this.groupBlocks.push(b)
      }
    }
  }

  private rootScope = new Scope(new Map())

  /** Wraps an evaluation error with where it happened (the innermost location wins). */
  private at<T>(where: string, node: {file: string; line?: number}, f: () => T): T {
    try {
      return f()
    } catch (err) {
      if (err instanceof EvalError) throw new InputError(`${where}: ${err.message}`, {...loc(node), fix: evalErrorFix(err.message)})
      if (err instanceof BudgetExceeded) throw new InputError(`${where}: ${err.message}`, {...loc(node), fix: err.fix})
      throw err
    }
  }

  // ------------------------------------------------------------------ EvalHost

  lookupGlobal(name: string): Value {
    if (name === 'BAKE_CMD_CONTEXT') return 'cwd://'
    if (name === 'BAKE_LOCAL_PLATFORM') return this.opts.localPlatform ?? 'linux/amd64'
    if (this.variables.has(name)) return this.resolveVariable(name)
    if (this.globals.has(name)) return this.resolveGlobal(name)
    throw new EvalError(`Unknown variable; There is no variable named "${name}".`)
  }

  callFunction(name: string, args: Value[]): Value {
    const fn = this.functions.get(name)
    if (!fn) return callBuiltin(name, args, this.opts.fnEnv)
    if (this.fnStack.includes(name)) throw new EvalError(`function cycle not allowed for ${name}`)
    const paramsAttr = fn.attrs.get('params')
    const resultAttr = fn.attrs.get('result')
    for (const k of fn.attrs.keys()) {
      if (!['params', 'variadic_params', 'result'].includes(k)) {
        throw new InputError(`function "${name}": Unsupported argument; An argument named "${k}" is not expected here.`, loc(fn.attrs.get(k) as AttrNode))
      }
    }
    if (!paramsAttr) throw new InputError(`empty params not allowed for ${name}`, loc(fn))
    if (!resultAttr) throw new InputError(`empty result not allowed for ${name}`, loc(fn))
    const params = this.paramNames(paramsAttr)
    const variadicAttr = fn.attrs.get('variadic_params')
    const variadic = variadicAttr ? this.identOf(variadicAttr.expr, variadicAttr) : undefined
    if (args.length < params.length || (!variadic && args.length > params.length)) {
      throw new EvalError(`Function "${name}" expects ${params.length} argument(s), got ${args.length}.`)
    }
    const vars: Record<string, Value> = {}
    params.forEach((p, i) => (vars[p] = args[i] as Value))
    if (variadic) vars[variadic] = args.slice(params.length)
    this.fnStack.push(name)
    try {
      return this.at(`function "${name}": attribute "result"`, resultAttr, () => evaluate(resultAttr.expr, this.rootScope.child(vars), this))
    } finally {
      this.fnStack.pop()
    }
  }

  blockRef(kind: 'target' | 'group', name: string, attr: string): Value {
    if (kind === 'group') {
      const g = [...this.groupBlocks].reverse().find((b) => b.label === name)
      if (!g) throw new EvalError(`Unknown variable; There is no group named "${name}".`)
      if (attr === 'name') return name
      const a = g.attrs.get(attr)
      if (!a) return null
      return this.cached(`group.${name}.${attr}`, () => this.at(`group "${name}": attribute "${attr}"`, a, () => evaluate(a.expr, this.rootScope, this)))
    }
    const insts = this.getInstances().filter((i) => i.name === name)
    if (insts.length === 0) throw new EvalError(`Unknown variable; There is no target named "${name}".`)
    if (attr === 'name') return name
    if (!TARGET_ATTRIBUTES.has(attr) || attr === 'matrix') throw new EvalError(`Unsupported attribute; This object does not have an attribute named "${attr}".`)
    let out: Value = null
    insts.forEach((inst, idx) => {
      const a = inst.block.attrs.get(attr)
      if (!a) return
      const v = this.cached(`target.${name}.${attr}#${idx}`, () => {
        const raw = this.at(`target "${inst.block.label}": attribute "${attr}"`, a, () => evaluate(a.expr, inst.scope, this))
        const t: TargetSpec = {}
        this.at(`target "${inst.block.label}": attribute "${attr}"`, a, () => decodeAttribute(t, attr, raw))
        return attributeAsValue(t, attr)
      })
      if (v !== null) out = v
    })
    return out
  }

  private cached(key: string, f: () => Value): Value {
    if (this.attrCache.has(key)) return this.attrCache.get(key) as Value
    if (this.resolving.includes(key)) throw new EvalError(`reference cycle not allowed for ${key.replace(/#\d+$/, '')}`)
    this.resolving.push(key)
    try {
      const v = f()
      this.attrCache.set(key, v)
      return v
    } finally {
      this.resolving.splice(this.resolving.lastIndexOf(key), 1)
    }
  }

  // ------------------------------------------------------------------ variables and globals

  private identOf(e: Expr, node: AttrNode): string {
    const inner = unwrapSingleInterpolation(e)
    if (inner?.t === 'var') return inner.name
    if (e.t === 'lit' && typeof e.v === 'string' && /^[A-Za-z_][\w-]*$/.test(e.v)) return e.v
    throw new InputError(`attribute "${node.name}": expected a parameter name`, loc(node))
  }

  private paramNames(a: AttrNode): string[] {
    const inner = unwrapSingleInterpolation(a.expr) ?? a.expr
    if (inner.t !== 'tuple') throw new InputError(`attribute "params": a list of parameter names is required`, loc(a))
    return inner.items.map((it) => this.identOf(it, a))
  }

  private variableType(block: BlockNode): TypeExpr | undefined {
    const a = block.attrs.get('type')
    if (!a) return undefined
    const inner = unwrapSingleInterpolation(a.expr) ?? (a.expr.t === 'lit' ? undefined : a.expr)
    // in JSON files the type may be a bare string: "list(string)"
    let e: Expr | undefined = inner
    if (!e && a.expr.t === 'lit' && typeof a.expr.v === 'string') {
      const text = a.expr.v
      try {
        e = parseExpression(text)
      } catch (err) {
        if (err instanceof ParseError) throw new InputError(`variable "${block.label}": attribute "type": not a valid type: ${text}`, loc(a))
        throw err
      }
    }
    if (!e) throw new InputError(`variable "${block.label}": attribute "type": not a valid type`, loc(a))
    const expr = e
    return this.at(`variable "${block.label}": attribute "type"`, a, () => typeFromExpr(expr))
  }

  private resolveVariable(name: string): Value {
    if (this.varValues.has(name)) return this.varValues.get(name) as Value
    const key = `variable:${name}`
    if (this.resolving.includes(key)) throw new EvalError(`variable cycle not allowed for ${name}`)
    this.resolving.push(key)
    try {
      const v = this.computeVariable(name)
      this.varValues.set(name, v)
      return v
    } finally {
      this.resolving.splice(this.resolving.lastIndexOf(key), 1)
    }
  }

  private envLookupDisabled(): boolean {
    const v = this.opts.env.BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP
    return v !== undefined && parseGoBool(v) === true
  }

  private override(name: string): string | undefined {
    const fromVar = this.opts.vars?.[name]
    if (fromVar !== undefined) return fromVar
    if (this.envLookupDisabled()) return undefined
    return this.opts.env[name]
  }

  private computeVariable(name: string): Value {
    const block = this.variables.get(name) as BlockNode
    const type = this.variableType(block)
    const where = `variable "${name}"`
    const jsonName = `${name}_JSON`
    const jsonConflict = this.variables.has(jsonName) || RESERVED.has(jsonName)
    const jsonOverride = jsonConflict ? undefined : this.override(jsonName)
    const plain = this.override(name)

    // the default: a global attribute of the same name wins over `default`
    const defaultValue = (): Value | undefined => {
      const g = this.globals.get(name)
      if (g) return this.resolveGlobal(name)
      const d = block.attrs.get('default')
      if (!d) return undefined
      return this.at(`${where}: attribute "default"`, d, () => evaluate(d.expr, this.rootScope, this))
    }

    if (type) {
      if (jsonOverride !== undefined) {
        let parsed: unknown
        try {
          parsed = JSON.parse(jsonOverride)
        } catch (err) {
          throw new InputError(`${where}: failed to convert variable ${name} from JSON: ${(err as Error).message}`, loc(block))
        }
        try {
          return convertValue(jsonToValue(parsed), type)
        } catch (err) {
          throw new InputError(`${where}: failed to convert variable ${name} from JSON: ${(err as Error).message}`, loc(block))
        }
      }
      if (plain !== undefined) return this.fromOverride(name, plain, type, block)
      const d = defaultValue()
      if (d === undefined) return null
      try {
        return convertValue(d, type)
      } catch (err) {
        const a = block.attrs.get('default') ?? block
        throw new InputError(`${where}: invalid type ${typeToString(type)} for variable ${name} default value: ${(err as Error).message}`, loc(a))
      }
    }

    const ov = plain ?? jsonOverride
    const d = defaultValue()
    if (ov === undefined) return d === undefined ? '' : d
    if (d === undefined || d === null || typeof d === 'string') return ov
    if (typeof d === 'number') {
      const n = parseGoFloat(ov)
      if (n === undefined) throw new InputError(`${where}: failed to parse ${name} as number: "${ov}"`, loc(block))
      return n
    }
    if (typeof d === 'boolean') {
      const b = parseGoBool(ov)
      if (b === undefined) throw new InputError(`${where}: failed to parse ${name} as bool: "${ov}"`, loc(block))
      return b
    }
    throw new InputError(`${where}: unsupported type ${typeName(d)} for variable ${name}; it cannot be overridden from the environment`, loc(block))
  }

  private fromOverride(name: string, raw: string, type: TypeExpr, block: BlockNode): Value {
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

  private resolveGlobal(name: string): Value {
    if (this.globalValues.has(name)) return this.globalValues.get(name) as Value
    const key = `variable:${name}`
    if (this.resolving.includes(key) && !this.variables.has(name)) throw new EvalError(`variable cycle not allowed for ${name}`)
    const gkey = `global:${name}`
    if (this.resolving.includes(gkey)) throw new EvalError(`variable cycle not allowed for ${name}`)
    this.resolving.push(gkey)
    try {
      const a = this.globals.get(name) as AttrNode
      const v = this.at(`attribute "${name}"`, a, () => evaluate(a.expr, this.rootScope, this))
      this.globalValues.set(name, v)
      return v
    } finally {
      this.resolving.splice(this.resolving.lastIndexOf(gkey), 1)
    }
  }

  /** Runs every variable's validation blocks (after all values are known), like buildx. */
  validateVariables(): void {
    const failures: InputError[] = []
    for (const [name, block] of this.variables) {
      const value = this.resolveVariable(name)
      void value
      for (const v of block.blocks.filter((b) => b.type === 'validation')) {
        const cond = v.attrs.get('condition')
        const node = cond ?? {file: block.file, line: v.line}
        if (!cond) {
          failures.push(new InputError(`variable "${name}": validation: Condition expression must return either true or false, not null`, loc(node)))
          continue
        }
        const r = this.at(`variable "${name}": validation: attribute "condition"`, cond, () => evaluate(cond.expr, this.rootScope, this))
        if (r === null) {
          failures.push(new InputError(`variable "${name}": validation: Condition expression must return either true or false, not null`, loc(cond)))
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
            const m = evaluate(msgAttr.expr, this.rootScope, this)
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

  // ------------------------------------------------------------------ targets

  private getInstances(): Instance[] {
    if (this.instances) return this.instances
    if (this.instancesBusy) throw new EvalError('matrix and name attributes cannot reference targets (reference cycle)')
    this.instancesBusy = true
    try {
      const out: Instance[] = []
      for (const b of this.targetBlocks) out.push(...this.expandBlock(b))
      this.instances = out
      return out
    } finally {
      this.instancesBusy = false
    }
  }

  private expandBlock(b: BlockNode): Instance[] {
    const where = `target "${b.label}"`
    if (!NAME_RE.test(b.label)) throw new InputError(`${where}: invalid target name ${b.label}: only "[a-zA-Z0-9_-]+" are allowed`, loc(b))
    const matrixAttr = b.attrs.get('matrix')
    const nameAttr = b.attrs.get('name')
    if (!matrixAttr) {
      if (nameAttr) throw new InputError(`${where}: attribute "name": name requires matrix`, loc(nameAttr))
      return [{block: b, name: b.label, scope: this.rootScope}]
    }
    const m = this.at(`${where}: attribute "matrix"`, matrixAttr, () => evaluate(matrixAttr.expr, this.rootScope, this))
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
      const scope = this.rootScope.child(vars)
      let name = b.label
      if (nameAttr) {
        const nv = this.at(`${where}: attribute "name"`, nameAttr, () => evaluate(nameAttr.expr, scope, this))
        name = this.at(`${where}: attribute "name"`, nameAttr, () => toStr(nv, 'name'))
        if (!NAME_RE.test(name)) throw new InputError(`${where}: attribute "name": invalid target name ${name}: only "[a-zA-Z0-9_-]+" are allowed`, loc(nameAttr))
      }
      if (seen.has(name)) throw new InputError(`${where}: duplicate name "${name}"`, loc(nameAttr ?? b))
      seen.add(name)
      return {block: b, name, scope}
    })
  }

  private evalInstance(inst: Instance): TargetSpec {
    const t: TargetSpec = {}
    for (const [key, a] of inst.block.attrs) {
      if (!TARGET_ATTRIBUTES.has(key)) continue // unknown attributes are ignored (bake.md §0.3)
      const where = `target "${inst.block.label}": attribute "${key}"`
      const v = this.at(where, a, () => evaluate(a.expr, inst.scope, this))
      this.at(where, a, () => decodeAttribute(t, key, v))
    }
    return t
  }

  /** Evaluates everything: variables (validated), groups, target block instances. */
  run(): EvaluatedConfig {
    this.validateVariables()
    const targets: EvaluatedTarget[] = []
    const renamed = new Map<string, string[]>()
    for (const inst of this.getInstances()) {
      targets.push({name: inst.name, spec: this.evalInstance(inst), file: inst.block.file, line: inst.block.line})
      if (inst.name !== inst.block.label) {
        const list = renamed.get(inst.block.label) ?? []
        if (!list.includes(inst.name)) list.push(inst.name)
        renamed.set(inst.block.label, list)
      }
    }
    const groups: EvaluatedGroup[] = []
    for (const g of this.groupBlocks) {
      const where = `group "${g.label}"`
      if (!NAME_RE.test(g.label)) throw new InputError(`${where}: invalid group name ${g.label}: only "[a-zA-Z0-9_-]+" are allowed`, loc(g))
      for (const bad of ['name', 'matrix']) if (g.attrs.has(bad)) throw new InputError(`${where}: ${bad} is not supported for groups`, loc(g.attrs.get(bad) as AttrNode))
      const ta = g.attrs.get('targets')
      if (!ta) throw new InputError(`${where}: Missing required argument; The argument "targets" is required, but no definition was found.`, loc(g))
      const tv = this.at(`${where}: attribute "targets"`, ta, () => evaluate(ta.expr, this.rootScope, this))
      if (!Array.isArray(tv)) throw new InputError(`${where}: attribute "targets": list of string required, got ${typeName(tv)}`, loc(ta))
      const names = tv.filter((x) => x !== null).map((x) => this.at(`${where}: attribute "targets"`, ta, () => toStr(x)))
      const da = g.attrs.get('description')
      const desc = da ? this.at(`${where}: attribute "description"`, da, () => evaluate(da.expr, this.rootScope, this)) : null
      const group: EvaluatedGroup = {name: g.label, targets: names, file: g.file, line: ta.line ?? g.line}
      if (typeof desc === 'string' && desc !== '') group.description = desc
      // a later group block replaces an earlier one
      const at = groups.findIndex((x) => x.name === g.label)
      if (at >= 0) groups.splice(at, 1)
      groups.push(group)
    }
    for (const [label, names] of renamed) {
      const at = groups.findIndex((x) => x.name === label)
      if (at >= 0) groups.splice(at, 1)
      groups.push({name: label, targets: names})
    }
    return {targets, groups}
  }
}

/** Evaluates HCL/JSON bodies (already merged in file order). */
export function evaluateBodies(bodies: FileBody[], opts: EvaluateOptions): EvaluatedConfig {
  return new BakeEvaluator(bodies, opts).run()
}
