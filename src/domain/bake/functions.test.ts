import {describe, expect, test} from 'vitest'
import {BUILTIN_FUNCTION_NAMES, callBuiltin} from './functions.js'
import type {Value} from './value.js'

const call = (name: string, ...args: Value[]): Value => callBuiltin(name, args, {now: () => new Date('2025-06-07T08:09:10Z'), homedir: '/home/u'})

describe('function library', () => {
  test('covers the string, collection, encoding, math and date families bake files use', () => {
    for (const f of ['join', 'split', 'replace', 'regex_replace', 'format', 'formatlist', 'lower', 'upper', 'trimprefix', 'substr', 'concat', 'distinct', 'flatten', 'keys', 'values', 'merge', 'lookup', 'contains', 'index', 'indexof', 'element', 'length', 'slice', 'sort', 'zipmap', 'setunion', 'jsonencode', 'jsondecode', 'base64encode', 'urlencode', 'sha256', 'md5', 'max', 'min', 'pow', 'floor', 'ceil', 'parseint', 'timestamp', 'formatdate', 'timeadd', 'sanitize', 'basename', 'dirname', 'semvercmp', 'homedir', 'can', 'try', 'convert']) {
      expect(BUILTIN_FUNCTION_NAMES).toContain(f)
    }
  })

  test('strings', () => {
    expect(call('format', 'v%s-%02d-%.1f-%v', 'x', 3, 2.25, true)).toBe('vx-03-2.2-true')
    expect(call('formatlist', '%s:%s', ['a', 'b'], 'x')).toEqual(['a:x', 'b:x'])
    expect(call('replace', 'a-b-c', '-', '.')).toBe('a.b.c')
    expect(call('replace', 'v1.2.3', '/^v(\\d+).*$/', 'major$1')).toBe('major1')
    expect(call('regex_replace', 'feature/ABC-1', '[^a-z0-9]+', '-')).toBe('feature-1')
    expect(call('regex', '(?P<maj>\\d+)\\.(?P<min>\\d+)', 'v1.22')).toEqual({maj: '1', min: '22'})
    expect(call('regexall', '\\d', 'a1b2')).toEqual(['1', '2'])
    expect(call('trim', '--x--', '-')).toBe('x')
    expect(call('substr', 'hello', -3, -1)).toBe('llo')
    expect(call('indent', 2, 'a\nb')).toBe('a\n  b')
    expect(call('chomp', 'x\n\n')).toBe('x')
    expect(call('strlen', 'héllo')).toBe(5)
  })

  test('collections', () => {
    expect(call('merge', {a: 1, b: 1}, {b: 2})).toEqual({a: 1, b: 2})
    expect(call('coalescelist', [], ['x'])).toEqual(['x'])
    expect(call('compact', ['a', '', null, 'b'])).toEqual(['a', 'b'])
    expect(call('chunklist', [1, 2, 3], 2)).toEqual([[1, 2], [3]])
    expect(call('element', ['a', 'b'], 3)).toBe('b')
    expect(call('setproduct', ['a', 'b'], [1, 2])).toEqual([['a', 1], ['a', 2], ['b', 1], ['b', 2]])
    expect(call('setsubtract', ['a', 'b', 'c'], ['b'])).toEqual(['a', 'c'])
    expect(call('setintersection', ['a', 'b'], ['b', 'c'])).toEqual(['b'])
    expect(call('reverse', [1, 2, 3])).toEqual([3, 2, 1])
    expect(call('range', 3)).toEqual([0, 1, 2])
    expect(() => call('index', ['a'], 'z')).toThrow('item not found')
    expect(() => call('lookup', {a: 1}, 'b')).toThrow('does not exist')
  })

  test('encoding and hashing', () => {
    expect(call('jsonencode', {b: [true, null], a: 'x&y'})).toBe('{"a":"x\\u0026y","b":[true,null]}')
    expect(call('jsondecode', '{"a":[1,"2"]}')).toEqual({a: [1, '2']})
    expect(call('csvdecode', 'a,b\n1,2\n')).toEqual([{a: '1', b: '2'}])
    expect(call('urlencode', 'a b&c')).toBe('a+b%26c')
    expect(call('sha1', 'x')).toBe('11f6ad8ec52a2984abaafd7c3b516503785c2072')
    expect(() => call('base64decode', '!!')).toThrow('failed to decode base64')
  })

  test('dates, semver and injected values', () => {
    expect(call('timestamp')).toBe('2025-06-07T08:09:10Z')
    expect(call('formatdate', "DD MMM YYYY 'at' hh:mm ZZZ", '2024-02-29T23:05:00Z')).toBe('29 Feb 2024 at 23:05 UTC')
    expect(call('formatdate', 'YYYY-MM-DD', '2024-12-31T23:00:00-02:00')).toBe('2024-12-31')
    expect(call('timeadd', '2024-01-01T00:00:00Z', '-1h30m')).toBe('2023-12-31T22:30:00Z')
    expect(call('semvercmp', '1.2.3', '~1.2')).toBe(true)
    expect(call('semvercmp', '2.0.0', '^1.2')).toBe(false)
    expect(call('semvercmp', 'v1.5.0', '>1.4 || <1.0')).toBe(true)
    expect(call('homedir')).toBe('/home/u')
  })

  test('math', () => {
    expect(call('parseint', '-101', 2)).toBe(-5)
    expect(call('signum', -4)).toBe(-1)
    expect(call('log', 8, 2)).toBe(3)
    expect(() => call('divide', 1, 0)).toThrow("can't divide by zero")
  })
})
