import {describe, expect, test} from 'vitest'
import {EMPTY_SCOPE, type EvalHost, evaluate} from './expr-eval.js'
import {parseExpression, parseTemplate} from './expr-parse.js'
import {callBuiltin} from './functions.js'
import {EvalError, type Value, formatNumber} from './value.js'

const host = (globals: Record<string, Value> = {}): EvalHost => ({
  lookupGlobal: (n) => {
    if (n in globals) return globals[n] as Value
    throw new EvalError(`Unknown variable; There is no variable named "${n}".`)
  },
  blockRef: (kind, name, attr) => `${kind}:${name}:${attr}`,
  callFunction: (name, args) => callBuiltin(name, args, {now: () => new Date('2025-01-01T00:00:00Z')}),
})

const ev = (src: string, globals: Record<string, Value> = {}): Value => evaluate(parseExpression(src), EMPTY_SCOPE, host(globals))
const tmpl = (src: string, globals: Record<string, Value> = {}): Value => evaluate(parseTemplate(src), EMPTY_SCOPE, host(globals))

describe('HCL expressions', () => {
  test('operators follow HCL precedence; identifiers may contain dashes', () => {
    expect(ev('1 + 2 * 3 - 4 / 2')).toBe(5)
    expect(ev('(1 + 2) * 3 % 4')).toBe(1)
    expect(ev('!true || 1 < 2 && "a" == "a"')).toBe(true)
    expect(ev('a-b', {'a-b': 7})).toBe(7)
    expect(ev('a - b', {a: 7, b: 2})).toBe(5)
    expect(ev('-x', {x: 3})).toBe(-3)
    expect(ev('"1" + 1')).toBe(2)
    expect(ev('1 == "1"')).toBe(false)
  })

  test('conditionals, for expressions (with if and grouping), splats, traversals', () => {
    expect(ev('x > 5 ? "higher" : "lower"', {x: 3})).toBe('lower')
    expect(ev('[for v in [3, 1, 4] : v + 1 if v != 1]')).toEqual([4, 5])
    expect(ev('{for k, v in {a = 1, b = 2} : upper(k) => v * 10}')).toEqual({A: 10, B: 20})
    expect(ev('{for s in ["ab", "ac", "b"] : substr(s, 0, 1) => s...}')).toEqual({a: ['ab', 'ac'], b: ['b']})
    expect(ev('[for i, v in ["x", "y"] : "${i}${v}"]')).toEqual(['0x', '1y'])
    expect(ev('l[*].n', {l: [{n: 1}, {n: 2}]})).toEqual([1, 2])
    expect(ev('l.*.n', {l: [{n: 1}, {n: 2}]})).toEqual([1, 2])
    expect(ev('o[*].n', {o: {n: 5}})).toEqual([5])
    expect(ev('o.list[1].k', {o: {list: [{k: 'a'}, {k: 'b'}]}})).toBe('b')
    expect(ev('t.0', {t: ['first']})).toBe('first')
    expect(ev('target.app.cache-from')).toBe('target:app:cache-from')
  })

  test('function calls with ... expansion; unknown names are errors naming them', () => {
    expect(ev('max([3, 9, 1]...)')).toBe(9)
    expect(() => ev('nosuch(1)')).toThrow('There is no function named "nosuch"')
    expect(() => ev('bcrypt("x")')).toThrow('"bcrypt"')
    expect(() => ev('local.x')).toThrow('There is no variable named "local"')
    expect(() => ev('target')).toThrow('cannot access target as a variable')
  })

  test('templates: single interpolation keeps the raw value, directives, strip markers, escapes', () => {
    expect(tmpl('${x}', {x: [1, 2]})).toEqual([1, 2])
    expect(tmpl('v=${x}', {x: 3})).toBe('v=3')
    expect(tmpl('%{ if x }yes%{ else }no%{ endif }', {x: false})).toBe('no')
    expect(tmpl('%{ for k, v in m }${k}=${v};%{ endfor }', {m: {b: 2, a: 1}})).toBe('a=1;b=2;')
    expect(tmpl('a  ${~ "b" ~}  c')).toBe('abc')
    expect(tmpl('$${not} %%{this}')).toBe('${not} %{this}')
    expect(ev('"quote\\"d\\n${"nested ${1 + 1}"}"')).toBe('quote"d\nnested 2')
    expect(() => tmpl('x${null}')).toThrow('null')
  })

  test('heredocs inside expressions, with indentation stripped for <<-', () => {
    expect(ev('join("", [<<-EOT\n    a ${1}\n      b\n    EOT\n])')).toBe('a 1\n  b\n')
  })

  test('numbers print like Go big.Float Text(f, -1): never in exponent notation', () => {
    expect(formatNumber(1e21)).toBe('1000000000000000000000')
    expect(formatNumber(2.5)).toBe('2.5')
    expect(formatNumber(1e-7)).toBe('0.0000001')
    expect(formatNumber(-0)).toBe('0')
  })

  test('syntax errors say where', () => {
    expect(() => parseExpression('1 +')).toThrow(/unexpected end of expression/)
    expect(() => parseTemplate('%{ if x }open')).toThrow(/unclosed %\{if\}/)
  })
})
