/**
 * A parser for the hclsyntax expression and template grammar (bake.md §2.3): literals, templates with
 * `${}` / `%{if}` / `%{for}` / `~` strip markers / `$${` escapes, operators, conditionals, `for`
 * expressions, splats, traversals, function calls (with `...` expansion) and heredocs.
 *
 * `@cdktf/hcl2json` re-encodes native HCL as HCL-JSON (every string a template, every other expression
 * wrapped as `"${<source>}"`), so this parser serves both HCL and JSON bake files.
 */
import {BakedoctorError} from '../errors.js'
import type {Value} from './value.js'

export type Expr =
  | {t: 'lit'; v: Value}
  | {t: 'tmpl'; parts: TmplPart[]}
  | {t: 'var'; name: string}
  | {t: 'call'; name: string; args: Expr[]; expand: boolean}
  | {t: 'tuple'; items: Expr[]}
  | {t: 'object'; items: {key: Expr; value: Expr}[]}
  | {t: 'index'; obj: Expr; key: Expr}
  | {t: 'attr'; obj: Expr; name: string}
  | {t: 'splat'; src: Expr; body: Expr}
  | {t: 'splatItem'}
  | {t: 'unary'; op: '!' | '-'; e: Expr}
  | {t: 'bin'; op: string; l: Expr; r: Expr}
  | {t: 'cond'; c: Expr; a: Expr; b: Expr}
  | {t: 'paren'; e: Expr}
  | {
      t: 'for'
      kind: 'tuple' | 'object'
      k?: string
      v: string
      coll: Expr
      key?: Expr
      val: Expr
      cond?: Expr
      group: boolean
    }

export type TmplPart =
  | {t: 'str'; s: string}
  | {t: 'interp'; e: Expr}
  | {t: 'if'; c: Expr; then: TmplPart[]; else: TmplPart[]}
  | {t: 'for'; k?: string; v: string; coll: Expr; body: TmplPart[]}

/** A bake expression that does not parse; the resolver adds file and line. */
export class ParseError extends BakedoctorError {
  readonly kind = 'input'
}

type RawTok =
  | {t: 'lit'; s: string}
  | {t: 'interp'; e: Expr; sl: boolean; sr: boolean}
  | {t: 'dir'; kw: 'if' | 'else' | 'endif' | 'for' | 'endfor'; e?: Expr; k?: string; v?: string; sl: boolean; sr: boolean}

const IDENT_START = /[A-Za-z_]/
const IDENT_CHAR = /[A-Za-z0-9_-]/

/** nesting limit of expressions (parentheses, calls, lists, templates in strings, unary chains) */
const MAX_NESTING = 256
/** shared by every Parser instance: a quoted template inside an expression starts a new Parser */
let nesting = 0

class Parser {
  i = 0
  constructor(readonly src: string) {}

  fail(msg: string): never {
    const near = this.src.slice(this.i, this.i + 20)
    throw new ParseError(`${msg} at column ${this.i + 1}${near ? ` near "${near}"` : ''} in expression "${this.src.length > 80 ? this.src.slice(0, 77) + '...' : this.src}"`)
  }

  peek(n = 0): string {
    return this.src[this.i + n] ?? ''
  }

  ws(): void {
    for (;;) {
      const c = this.peek()
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) {
        while (this.i < this.src.length && this.peek() !== '\n') this.i++
      } else if (c === '/' && this.peek(1) === '*') {
        const end = this.src.indexOf('*/', this.i + 2)
        this.i = end < 0 ? this.src.length : end + 2
      } else return
    }
  }

  eat(s: string): boolean {
    this.ws()
    if (this.src.startsWith(s, this.i)) {
      this.i += s.length
      return true
    }
    return false
  }

  expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected "${s}"`)
  }

  ident(): string | undefined {
    this.ws()
    if (!IDENT_START.test(this.peek())) return undefined
    const start = this.i
    while (IDENT_CHAR.test(this.peek())) this.i++
    return this.src.slice(start, this.i)
  }

  /** Is the upcoming text the keyword `kw` (not a longer identifier)? */
  atKeyword(kw: string): boolean {
    this.ws()
    return this.src.startsWith(kw, this.i) && !IDENT_CHAR.test(this.src[this.i + kw.length] ?? '')
  }

  expr(): Expr {
    return this.nested(() => {
      const c = this.or()
      if (this.eat('?')) {
        const a = this.expr()
        this.expect(':')
        const b = this.expr()
        return {t: 'cond', c, a, b}
      }
      return c
    })
  }

  /** deep nesting is an input error, not a stack overflow */
  nested<T>(f: () => T): T {
    if (nesting >= MAX_NESTING) {
      nesting = 0
      this.fail(`expression nests deeper than ${MAX_NESTING} levels`)
    }
    nesting++
    try {
      return f()
    } finally {
      if (nesting > 0) nesting--
    }
  }

  or(): Expr {
    let l = this.and()
    while (this.eat('||')) l = {t: 'bin', op: '||', l, r: this.and()}
    return l
  }

  and(): Expr {
    let l = this.eq()
    while (this.eat('&&')) l = {t: 'bin', op: '&&', l, r: this.eq()}
    return l
  }

  eq(): Expr {
    let l = this.cmp()
    for (;;) {
      if (this.eat('==')) l = {t: 'bin', op: '==', l, r: this.cmp()}
      else if (this.eat('!=')) l = {t: 'bin', op: '!=', l, r: this.cmp()}
      else return l
    }
  }

  cmp(): Expr {
    let l = this.add()
    for (;;) {
      this.ws()
      if (this.eat('<=')) l = {t: 'bin', op: '<=', l, r: this.add()}
      else if (this.eat('>=')) l = {t: 'bin', op: '>=', l, r: this.add()}
      else if (this.peek() === '<' && this.peek(1) !== '<' && this.eat('<')) l = {t: 'bin', op: '<', l, r: this.add()}
      else if (this.eat('>')) l = {t: 'bin', op: '>', l, r: this.add()}
      else return l
    }
  }

  add(): Expr {
    let l = this.mul()
    for (;;) {
      if (this.eat('+')) l = {t: 'bin', op: '+', l, r: this.mul()}
      else if (this.eat('-')) l = {t: 'bin', op: '-', l, r: this.mul()}
      else return l
    }
  }

  mul(): Expr {
    let l = this.unary()
    for (;;) {
      this.ws()
      if (this.peek() === '*' && this.eat('*')) l = {t: 'bin', op: '*', l, r: this.unary()}
      else if (this.peek() === '/' && this.peek(1) !== '/' && this.peek(1) !== '*' && this.eat('/')) l = {t: 'bin', op: '/', l, r: this.unary()}
      else if (this.peek() === '%' && this.eat('%')) l = {t: 'bin', op: '%', l, r: this.unary()}
      else return l
    }
  }

  unary(): Expr {
    this.ws()
    if (this.peek() === '!' && this.peek(1) !== '=') {
      this.i++
      return {t: 'unary', op: '!', e: this.nested(() => this.unary())}
    }
    if (this.peek() === '-') {
      this.i++
      return {t: 'unary', op: '-', e: this.nested(() => this.unary())}
    }
    return this.postfix()
  }

  postfix(): Expr {
    let e = this.primary()
    for (;;) {
      this.ws()
      if (this.peek() === '.' && this.peek(1) === '*') {
        this.i += 2
        e = {t: 'splat', src: e, body: this.splatBody(true)}
      } else if (this.peek() === '[' && this.src.slice(this.i).match(/^\[\s*\*\s*\]/)) {
        this.i = this.src.indexOf(']', this.i) + 1
        e = {t: 'splat', src: e, body: this.splatBody(false)}
      } else if (this.peek() === '.' && this.peek(1) !== '.') {
        this.i++
        e = this.traverseAttr(e)
      } else if (this.peek() === '[') {
        this.i++
        const key = this.expr()
        this.expect(']')
        e = {t: 'index', obj: e, key}
      } else return e
    }
  }

  traverseAttr(e: Expr): Expr {
    this.ws()
    if (/[0-9]/.test(this.peek())) {
      const start = this.i
      while (/[0-9]/.test(this.peek())) this.i++
      return {t: 'index', obj: e, key: {t: 'lit', v: Number(this.src.slice(start, this.i))}}
    }
    const name = this.ident()
    if (name === undefined) this.fail('expected an attribute name after "."')
    return {t: 'attr', obj: e, name}
  }

  /** Traversals after a splat apply to each element. `.*` takes only attribute steps. */
  splatBody(attrOnly: boolean): Expr {
    let body: Expr = {t: 'splatItem'}
    for (;;) {
      this.ws()
      if (this.peek() === '.' && this.peek(1) !== '*' && this.peek(1) !== '.') {
        this.i++
        body = this.traverseAttr(body)
      } else if (!attrOnly && this.peek() === '[' && !this.src.slice(this.i).match(/^\[\s*\*\s*\]/)) {
        this.i++
        const key = this.expr()
        this.expect(']')
        body = {t: 'index', obj: body, key}
      } else return body
    }
  }

  primary(): Expr {
    this.ws()
    const c = this.peek()
    if (c === '') this.fail('unexpected end of expression')
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(this.peek(1)))) return this.number()
    if (c === '"') {
      this.i++
      const {parts, end} = parseTemplateParts(this.src, this.i, 'quoted')
      this.i = end
      return tmplExpr(parts)
    }
    if (c === '<' && this.peek(1) === '<') return this.heredoc()
    if (c === '(') {
      this.i++
      const e = this.expr()
      this.expect(')')
      return {t: 'paren', e}
    }
    if (c === '[') {
      this.i++
      if (this.atKeyword('for')) return this.forExpr('tuple')
      const items: Expr[] = []
      while (!this.eat(']')) {
        items.push(this.expr())
        if (!this.eat(',')) {
          this.expect(']')
          break
        }
      }
      return {t: 'tuple', items}
    }
    if (c === '{') {
      this.i++
      if (this.atKeyword('for')) return this.forExpr('object')
      const items: {key: Expr; value: Expr}[] = []
      while (!this.eat('}')) {
        items.push(this.objectItem())
        this.eat(',')
      }
      return {t: 'object', items}
    }
    const name = this.ident()
    if (name === undefined) this.fail(`unexpected character "${c}"`)
    if (name === 'true') return {t: 'lit', v: true}
    if (name === 'false') return {t: 'lit', v: false}
    if (name === 'null') return {t: 'lit', v: null}
    this.ws()
    let fname = name
    while (this.src.startsWith('::', this.i)) {
      this.i += 2
      fname += '::' + (this.ident() ?? this.fail('expected a function name'))
    }
    if (this.peek() === '(') {
      this.i++
      const args: Expr[] = []
      let expand = false
      while (!this.eat(')')) {
        args.push(this.expr())
        if (this.eat('...')) expand = true
        if (!this.eat(',')) {
          this.expect(')')
          break
        }
      }
      return {t: 'call', name: fname, args, expand}
    }
    return {t: 'var', name}
  }

  objectItem(): {key: Expr; value: Expr} {
    this.ws()
    let key: Expr
    const save = this.i
    const id = this.ident()
    this.ws()
    if (id !== undefined && (this.peek() === '=' || this.peek() === ':') && this.peek(1) !== '=') {
      key = {t: 'lit', v: id}
    } else {
      this.i = save
      key = this.or()
    }
    this.ws()
    if (this.peek() === '=' && this.peek(1) !== '=' && this.peek(1) !== '>') this.i++
    else if (this.peek() === ':') this.i++
    else this.fail('expected "=" or ":" after an object key')
    return {key, value: this.expr()}
  }

  forExpr(kind: 'tuple' | 'object'): Expr {
    this.ident() // "for"
    const first = this.ident() ?? this.fail('expected a variable name after "for"')
    let k: string | undefined
    let v = first
    if (this.eat(',')) {
      k = first
      v = this.ident() ?? this.fail('expected a second variable name in "for"')
    }
    if (!this.atKeyword('in')) this.fail('expected "in" in "for" expression')
    this.i += 2
    const coll = this.expr()
    this.expect(':')
    let key: Expr | undefined
    let val = this.expr()
    let group = false
    if (kind === 'object') {
      this.expect('=>')
      key = val
      val = this.expr()
      if (this.eat('...')) group = true
    }
    let cond: Expr | undefined
    if (this.atKeyword('if')) {
      this.i += 2
      cond = this.expr()
    }
    this.expect(kind === 'tuple' ? ']' : '}')
    return {t: 'for', kind, k, v, coll, key, val, cond, group}
  }

  number(): Expr {
    const m = /^(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?/.exec(this.src.slice(this.i))
    if (!m) this.fail('invalid number')
    this.i += m[0].length
    return {t: 'lit', v: Number(m[0])}
  }

  heredoc(): Expr {
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n/.exec(this.src.slice(this.i))
    if (!m) this.fail('invalid heredoc')
    this.i += m[0].length
    const marker = m[2] ?? ''
    const lines: string[] = []
    for (;;) {
      if (this.i >= this.src.length) this.fail(`unterminated heredoc ${marker}`)
      let nl = this.src.indexOf('\n', this.i)
      if (nl < 0) nl = this.src.length
      const line = this.src.slice(this.i, nl)
      this.i = Math.min(nl + 1, this.src.length)
      if (line.trim() === marker) break
      lines.push(line)
    }
    if (m[1] === '-') {
      const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0)
      const cut = indents.length ? Math.min(...indents) : 0
      for (let j = 0; j < lines.length; j++) lines[j] = (lines[j] ?? '').slice(cut)
    }
    const text = lines.map((l) => l + '\n').join('')
    return parseTemplate(text)
  }
}

function tmplExpr(parts: TmplPart[]): Expr {
  if (parts.length === 0) return {t: 'lit', v: ''}
  if (parts.length === 1 && parts[0]?.t === 'str') return {t: 'lit', v: parts[0].s}
  return {t: 'tmpl', parts}
}

const ESCAPES: Record<string, string> = {n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\'}

/**
 * Tokenizes a template starting at `start`. Mode `quoted` processes backslash escapes and stops at
 * the closing quote; `raw` (JSON strings, heredocs) runs to the end of the text.
 */
function parseTemplateParts(src: string, start: number, mode: 'quoted' | 'raw'): {parts: TmplPart[]; end: number} {
  const toks: RawTok[] = []
  let lit = ''
  let i = start
  const flush = (): void => {
    if (lit !== '') toks.push({t: 'lit', s: lit})
    lit = ''
  }
  for (;;) {
    if (i >= src.length) {
      if (mode === 'quoted') throw new ParseError(`unterminated string in expression "${src}"`)
      break
    }
    const c = src[i] as string
    if (mode === 'quoted' && c === '"') {
      i++
      break
    }
    if (mode === 'quoted' && c === '\\') {
      const n = src[i + 1] ?? ''
      if (n in ESCAPES) {
        lit += ESCAPES[n]
        i += 2
        continue
      }
      if (n === 'u' || n === 'U') {
        const len = n === 'u' ? 4 : 8
        const hex = src.slice(i + 2, i + 2 + len)
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new ParseError(`invalid escape sequence \\${n}${hex}`)
        lit += String.fromCodePoint(parseInt(hex, 16))
        i += 2 + len
        continue
      }
      throw new ParseError(`invalid escape sequence \\${n} in a quoted string`)
    }
    if ((c === '$' || c === '%') && src[i + 1] === c && src[i + 2] === '{') {
      lit += c + '{'
      i += 3
      continue
    }
    if (c === '$' && src[i + 1] === '{') {
      flush()
      const p = new Parser(src)
      p.i = i + 2
      const sl = p.eat('~')
      const e = p.expr()
      const sr = p.eat('~')
      p.expect('}')
      toks.push({t: 'interp', e, sl, sr})
      i = p.i
      continue
    }
    if (c === '%' && src[i + 1] === '{') {
      flush()
      const p = new Parser(src)
      p.i = i + 2
      const sl = p.eat('~')
      const kw = p.ident()
      let tok: RawTok
      if (kw === 'if') tok = {t: 'dir', kw, e: p.expr(), sl, sr: false}
      else if (kw === 'else' || kw === 'endif' || kw === 'endfor') tok = {t: 'dir', kw, sl, sr: false}
      else if (kw === 'for') {
        const first = p.ident() ?? p.fail('expected a variable name after "for"')
        let k: string | undefined
        let v = first
        if (p.eat(',')) {
          k = first
          v = p.ident() ?? p.fail('expected a second variable name')
        }
        if (!p.atKeyword('in')) p.fail('expected "in" in a for directive')
        p.i += 2
        tok = {t: 'dir', kw, k, v, e: p.expr(), sl, sr: false}
      } else throw new ParseError(`invalid template directive "%{${kw ?? ''}"`)
      tok.sr = p.eat('~')
      p.expect('}')
      toks.push(tok)
      i = p.i
      continue
    }
    lit += c
    i++
  }
  flush()
  // strip markers
  for (let j = 0; j < toks.length; j++) {
    const tk = toks[j] as RawTok
    if (tk.t === 'lit') continue
    const prev = toks[j - 1]
    const next = toks[j + 1]
    if (tk.sl && prev?.t === 'lit') prev.s = prev.s.replace(/\s+$/, '')
    if (tk.sr && next?.t === 'lit') next.s = next.s.replace(/^\s+/, '')
  }
  return {parts: buildTree(toks, src), end: i}
}

function buildTree(toks: RawTok[], src: string): TmplPart[] {
  let pos = 0
  const seq = (stop: string[]): {parts: TmplPart[]; stoppedAt?: string} => {
    const parts: TmplPart[] = []
    while (pos < toks.length) {
      const tk = toks[pos] as RawTok
      if (tk.t === 'lit') {
        if (tk.s !== '') parts.push({t: 'str', s: tk.s})
        pos++
      } else if (tk.t === 'interp') {
        parts.push({t: 'interp', e: tk.e})
        pos++
      } else if (stop.includes(tk.kw)) {
        pos++
        return {parts, stoppedAt: tk.kw}
      } else if (tk.kw === 'if') {
        pos++
        const th = seq(['else', 'endif'])
        let el: TmplPart[] = []
        if (th.stoppedAt === 'else') {
          const e2 = seq(['endif'])
          if (e2.stoppedAt !== 'endif') throw new ParseError(`unclosed %{if} in template "${src}"`)
          el = e2.parts
        } else if (th.stoppedAt !== 'endif') throw new ParseError(`unclosed %{if} in template "${src}"`)
        parts.push({t: 'if', c: tk.e as Expr, then: th.parts, else: el})
      } else if (tk.kw === 'for') {
        pos++
        const body = seq(['endfor'])
        if (body.stoppedAt !== 'endfor') throw new ParseError(`unclosed %{for} in template "${src}"`)
        parts.push({t: 'for', k: tk.k, v: tk.v as string, coll: tk.e as Expr, body: body.parts})
      } else throw new ParseError(`unexpected %{${tk.kw}} in template "${src}"`)
    }
    return {parts}
  }
  const out = seq([])
  return out.parts
}

/** A whole string as a template (HCL-JSON strings, heredoc bodies). */
export function parseTemplate(text: string): Expr {
  return tmplExpr(parseTemplateParts(text, 0, 'raw').parts)
}

/** One native expression (e.g. the text of a `${…}` that wraps a whole attribute). */
export function parseExpression(text: string): Expr {
  const p = new Parser(text)
  const e = p.expr()
  p.ws()
  if (p.i < text.length) p.fail('unexpected text after expression')
  return e
}

/**
 * If `text` is exactly one `${…}` (how hcl2json encodes non-template expressions), the inner
 * expression; used where HCL needs an expression's shape, not its value (types, params).
 */
export function unwrapSingleInterpolation(e: Expr): Expr | undefined {
  if (e.t === 'tmpl' && e.parts.length === 1 && e.parts[0]?.t === 'interp') return e.parts[0].e
  return undefined
}
