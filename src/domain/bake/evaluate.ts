/**
 * Evaluates merged HCL/JSON bake bodies like buildx's `hclparser.Parse` (bake.md §2–§6): variables
 * (types, defaults, env and `--var` overrides, `NAME_JSON`, validation), global attributes, user
 * functions, `target.x.y` / `group.x.targets` references (lazy, cycle-checked), matrix expansion and
 * naming. Produces target specs (one per block instance, in order) and groups.
 */
import {InputError} from '../errors.js'
import {EvalBudget} from './budget.js'
import type {AttrNode, BlockNode, FileBody} from './body.js'
import {locationOf as loc, withLocation} from './eval-location.js'
import {type EvalHost, Scope, evaluate} from './expr-eval.js'
import {type Expr, ParseError, parseExpression, unwrapSingleInterpolation} from './expr-parse.js'
import {type FunctionEnv, callBuiltin} from './functions.js'
import {type EvaluatedGroup, evaluateGroups} from './groups.js'
import {type TargetInstance, expandTargetBlock} from './matrix.js'
import {TARGET_ATTRIBUTES, type TargetSpec, attributeAsValue, decodeAttribute} from './target.js'
import {typeFromExpr} from './type-expr.js'
import {callUserFunction} from './user-function.js'
import {EvalError, type TypeExpr, type Value, convertValue, typeToString} from './value.js'
import {validateVariables} from './variable-validation.js'
import {jsonOverride, parseGoBool, typedOverride, untypedOverride} from './variable-override.js'

export type {EvaluatedGroup} from './groups.js'

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

export interface EvaluatedConfig {
  targets: EvaluatedTarget[]
  groups: EvaluatedGroup[]
}

const RESERVED = new Set(['target', 'group', 'BAKE_CMD_CONTEXT', 'BAKE_LOCAL_PLATFORM'])

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
  private instances?: TargetInstance[]
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
    return withLocation(where, node, f)
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
    this.fnStack.push(name)
    try {
      return callUserFunction(fn, name, args, this.rootScope, this)
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
    const jsonValue = jsonConflict ? undefined : this.override(jsonName)
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
      if (jsonValue !== undefined) return jsonOverride(name, jsonValue, type, block)
      if (plain !== undefined) return typedOverride(name, plain, type, block)
      const d = defaultValue()
      if (d === undefined) return null
      try {
        return convertValue(d, type)
      } catch (err) {
        const a = block.attrs.get('default') ?? block
        throw new InputError(`${where}: invalid type ${typeToString(type)} for variable ${name} default value: ${(err as Error).message}`, loc(a))
      }
    }

    const ov = plain ?? jsonValue
    const d = defaultValue()
    if (ov === undefined) return d === undefined ? '' : d
    return untypedOverride(name, ov, d, block)
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
    validateVariables(this.variables, (name) => this.resolveVariable(name), this.rootScope, this)
  }

  // ------------------------------------------------------------------ targets

  private getInstances(): TargetInstance[] {
    if (this.instances) return this.instances
    if (this.instancesBusy) throw new EvalError('matrix and name attributes cannot reference targets (reference cycle)')
    this.instancesBusy = true
    try {
      const out: TargetInstance[] = []
      for (const b of this.targetBlocks) out.push(...expandTargetBlock(b, this.rootScope, this))
      this.instances = out
      return out
    } finally {
      this.instancesBusy = false
    }
  }

  private evalInstance(inst: TargetInstance): TargetSpec {
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
    const groups = evaluateGroups(this.groupBlocks, renamed, this.rootScope, this)
    return {targets, groups}
  }
}

/** Evaluates HCL/JSON bodies (already merged in file order). */
export function evaluateBodies(bodies: FileBody[], opts: EvaluateOptions): EvaluatedConfig {
  return new BakeEvaluator(bodies, opts).run()
}
