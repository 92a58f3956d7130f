/**
 * Bake definition files as blocks and attributes with parsed expressions. Input is the HCL-JSON
 * structure: `JSON.parse` of a `docker-bake.json`, or `@cdktf/hcl2json`'s re-encoding of a native HCL
 * file (blocks as arrays, every string a template). Source lines are recovered from the text.
 */
import {InputError} from '../errors.js'
import {type Expr, ParseError, parseTemplate} from './expr-parse.js'

export type FileFormat = 'hcl' | 'json'

/** One bake file read from disk (or git, or stdin), before parsing. */
export interface BakeFileText {
  name: string
  data: string
}

/** An HCL or JSON bake file after structural parsing. */
export interface StructuredBakeFile {
  name: string
  format: FileFormat
  /** HCL-JSON structure (JSON.parse / hcl2json output) */
  json: unknown
  source: string
}

export interface AttrNode {
  name: string
  expr: Expr
  file: string
  line?: number
}

export interface BlockNode {
  type: string
  label: string
  attrs: Map<string, AttrNode>
  /** nested blocks (`validation` in variables) */
  blocks: {type: string; attrs: Map<string, AttrNode>; line?: number}[]
  file: string
  line?: number
}

export interface FileBody {
  file: string
  attrs: AttrNode[]
  blocks: BlockNode[]
}

export const BLOCK_TYPES = new Set(['target', 'group', 'variable', 'function'])
const NESTED_BLOCKS: Record<string, Set<string>> = {variable: new Set(['validation'])}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

class Locator {
  private readonly lines: string[]
  constructor(
    source: string,
    private readonly format: FileFormat,
  ) {
    this.lines = source.split('\n')
  }

  find(re: RegExp, from = 0): number | undefined {
    for (let i = from; i < this.lines.length; i++) if (re.test(this.lines[i] as string)) return i + 1
    return undefined
  }

  /** HCL block headers (`type "label" {`) by `type label`: their lines in order, found in one pass */
  private headers?: Map<string, number[]>

  block(type: string, label: string, nth: number): number | undefined {
    // one pass over the file instead of one per block (1,000 targets: 1,000 scans of every line)
    if (this.format === 'hcl' && !/["\\]/.test(label)) {
      if (!this.headers) {
        this.headers = new Map()
        this.lines.forEach((text, i) => {
          const m = /^\s*([A-Za-z_][\w-]*)\s+"([^"\\]*)"\s*\{/.exec(text)
          if (!m) return
          const key = `${m[1]} ${m[2]}`
          const list = this.headers?.get(key)
          if (list) list.push(i + 1)
          else this.headers?.set(key, [i + 1])
        })
      }
      return this.headers.get(`${type} ${label}`)?.[nth]
    }
    const re =
      this.format === 'hcl'
        ? new RegExp(`^\\s*${escapeRe(type)}\\s+"${escapeRe(label)}"\\s*\\{`)
        : new RegExp(`"${escapeRe(label)}"\\s*:`)
    let from = 0
    let line: number | undefined
    for (let n = 0; n <= nth; n++) {
      line = this.find(re, from)
      if (line === undefined) return undefined
      from = line
    }
    return line
  }

  attr(name: string, from: number | undefined): number | undefined {
    const re = this.format === 'hcl' ? new RegExp(`^\\s*"?${escapeRe(name)}"?\\s*[=:]`) : new RegExp(`"${escapeRe(name)}"\\s*:`)
    return this.find(re, from === undefined ? 0 : from - 1)
  }

  isBlock(name: string): boolean {
    if (this.format !== 'hcl') return false
    const attr = new RegExp(`^\\s*${escapeRe(name)}\\s*=`)
    const block = new RegExp(`^\\s*${escapeRe(name)}(\\s+("[^"]*"|[A-Za-z_][\\w-]*))*\\s*\\{`)
    return this.find(block) !== undefined && this.find(attr) === undefined
  }
}

/** Converts an HCL-JSON value to an expression: strings are templates, containers are constructors. */
export function jsonToExpr(v: unknown): Expr {
  if (typeof v === 'string') return parseTemplate(v)
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return {t: 'lit', v}
  if (Array.isArray(v)) return {t: 'tuple', items: v.map(jsonToExpr)}
  if (typeof v === 'object') {
    return {
      t: 'object',
      items: Object.entries(v as Record<string, unknown>).map(([k, x]) => ({key: parseTemplate(k), value: jsonToExpr(x)})),
    }
  }
  throw new ParseError(`unsupported JSON value ${String(v)}`)
}

/** Block bodies in HCL-JSON: an object, or an array of objects (repeated blocks). */
function bodies(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) return v.flatMap(bodies)
  if (v && typeof v === 'object') return [v as Record<string, unknown>]
  return []
}

/** `{label: body | body[]}` or `[{label: …}]` → [label, body][] in order. */
function labelled(v: unknown): [string, Record<string, unknown>][] {
  if (Array.isArray(v)) return v.flatMap(labelled)
  if (v && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).flatMap(([label, b]) => bodies(b).map((body) => [label, body] as [string, Record<string, unknown>]))
  }
  return []
}

export function parseFileBody(file: StructuredBakeFile): FileBody {
  const loc = new Locator(file.source, file.format)
  const root = file.json
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    throw new InputError('a bake definition must be an object at the top level', {file: file.name, position: {line: 1}, fix: 'write target / group / variable blocks at the top level'})
  }
  const out: FileBody = {file: file.name, attrs: [], blocks: []}
  const seen = new Map<string, number>()
  const expr = (raw: unknown, where: string, line: number | undefined): Expr => {
    try {
      return jsonToExpr(raw)
    } catch (err) {
      if (err instanceof ParseError) throw new InputError(`${where}: invalid expression: ${err.message}`, {file: file.name, position: line ? {line} : undefined, fix: 'correct the expression on this line (HCL expression syntax: https://docs.docker.com/build/bake/expressions/)'})
      throw err
    }
  }
  for (const [key, value] of Object.entries(root as Record<string, unknown>)) {
    if (BLOCK_TYPES.has(key)) {
      for (const [label, body] of labelled(value)) {
        const nth = seen.get(`${key}/${label}`) ?? 0
        seen.set(`${key}/${label}`, nth + 1)
        const line = loc.block(key, label, nth)
        const block: BlockNode = {type: key, label, attrs: new Map(), blocks: [], file: file.name, line}
        for (const [an, av] of Object.entries(body)) {
          if (NESTED_BLOCKS[key]?.has(an)) {
            let from = line
            for (const nb of bodies(av)) {
              const nline = loc.find(new RegExp(`^\\s*${escapeRe(an)}\\b`), (from ?? 1) - 1) ?? from
              from = nline !== undefined ? nline + 1 : from
              const attrs = new Map<string, AttrNode>()
              for (const [nn, nv] of Object.entries(nb)) {
                const al = loc.attr(nn, nline)
                attrs.set(nn, {name: nn, expr: expr(nv, `${key} "${label}": ${an}: attribute "${nn}"`, al ?? nline), file: file.name, line: al ?? nline})
              }
              block.blocks.push({type: an, attrs, line: nline})
            }
            continue
          }
          const al = loc.attr(an, line)
          block.attrs.set(an, {name: an, expr: expr(av, `${key} "${label}": attribute "${an}"`, al ?? line), file: file.name, line: al ?? line})
        }
        out.blocks.push(block)
      }
      continue
    }
    // any other top-level block (locals {}, …) is silently ignored, like buildx (bake.md §2.1)
    if (loc.isBlock(key)) continue
    const al = loc.attr(key, undefined)
    out.attrs.push({name: key, expr: expr(value, `attribute "${key}"`, al), file: file.name, line: al})
  }
  return out
}
