/** The collection functions (lists, maps, sets) of the bake function library. */
import {type Value, isObject, makeObject, toList, toSet, toStr, typeName, valueEquals, valueKey} from '../value.js'
import {a, arity, fnErr, list, num, obj, str, type Fn } from './args.js'
import {flattenDeep} from './encoding.js'

export const COLLECTION_FUNCTIONS: Record<string, Fn> = {
  length: (args) => {
    arity('length', args, 1)
    const v = a(args, 0)
    if (typeof v === 'string') return [...v].length
    if (Array.isArray(v)) return v.length
    if (isObject(v)) return Object.keys(v).length
    throw fnErr('length', `argument must be a string, a collection type, or a structural type, got ${typeName(v)}`)
  },
  coalesce: (args) => {
    for (const x of args) if (x !== null && x !== '') return x
    throw fnErr('coalesce', 'no non-null, non-empty-string arguments')
  },
  coalescelist: (args) => {
    for (let i = 0; i < args.length; i++) {
      const x = list('coalescelist', args, i)
      if (x.length) return x
    }
    throw fnErr('coalescelist', 'no non-null arguments')
  },
  compact: (args) => (arity('compact', args, 1), list('compact', args, 0).filter((x) => x !== null && x !== '')),
  concat: (args) => args.flatMap((_, i) => list('concat', args, i)),
  contains: (args) => {
    arity('contains', args, 2)
    return list('contains', args, 0).some((x) => valueEquals(x, a(args, 1)))
  },
  distinct: (args) => {
    arity('distinct', args, 1)
    const seen = new Set<string>()
    return list('distinct', args, 0).filter((x) => {
      const k = valueKey(x)
      if (seen.has(k)) return false
      seen.add(k)
      return true
    })
  },
  element: (args) => {
    arity('element', args, 2)
    const l = list('element', args, 0)
    if (l.length === 0) throw fnErr('element', 'cannot use element function with an empty list')
    const i = num('element', args, 1)
    if (i < 0) throw fnErr('element', 'cannot use element function with a negative index')
    return l[Math.floor(i) % l.length] as Value
  },
  index: (args) => {
    arity('index', args, 2)
    const i = list('index', args, 0).findIndex((x) => valueEquals(x, a(args, 1)))
    if (i < 0) throw fnErr('index', 'item not found')
    return i
  },
  indexof: (args) => {
    arity('indexof', args, 2)
    const i = list('indexof', args, 0).findIndex((x) => valueEquals(x, a(args, 1)))
    if (i < 0) throw fnErr('indexof', 'item not found')
    return i
  },
  hasindex: (args) => {
    arity('hasindex', args, 2)
    const c = a(args, 0)
    const k = a(args, 1)
    if (Array.isArray(c)) return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < c.length
    if (isObject(c)) return typeof k === 'string' && Object.prototype.hasOwnProperty.call(c, k)
    throw fnErr('hasindex', 'collection must be a list, map or tuple')
  },
  chunklist: (args) => {
    arity('chunklist', args, 2)
    const l = list('chunklist', args, 0)
    const size = num('chunklist', args, 1)
    if (size < 0) throw fnErr('chunklist', 'the size argument must be positive')
    if (size === 0) return [l]
    const out: Value[] = []
    for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size))
    return out
  },
  flatten: (args) => (arity('flatten', args, 1), flattenDeep(list('flatten', args, 0))),
  keys: (args) => (arity('keys', args, 1), Object.keys(obj('keys', args, 0)).sort()),
  values: (args) => {
    arity('values', args, 1)
    const o = obj('values', args, 0)
    return Object.keys(o).sort().map((k) => o[k] as Value)
  },
  lookup: (args) => {
    arity('lookup', args, 2, 3)
    const o = obj('lookup', args, 0)
    const k = str('lookup', args, 1)
    if (Object.prototype.hasOwnProperty.call(o, k)) return o[k] as Value
    if (args.length === 3) return a(args, 2)
    throw fnErr('lookup', `the given key "${k}" does not exist in the map`)
  },
  merge: (args) => {
    const out: [string, Value][] = []
    const idx = new Map<string, number>()
    for (const x of args) {
      if (x === null) continue
      if (!isObject(x)) throw fnErr('merge', `arguments must be maps or objects, got ${typeName(x)}`)
      for (const [k, v] of Object.entries(x)) {
        const at = idx.get(k)
        if (at !== undefined) out[at] = [k, v]
        else {
          idx.set(k, out.length)
          out.push([k, v])
        }
      }
    }
    return makeObject(out)
  },
  range: (args) => {
    if (args.length < 1 || args.length > 3) arity('range', args, 1, 3)
    const n = args.map((_, i) => num('range', args, i))
    const [start, end, step] = n.length === 1 ? [0, n[0] ?? 0, 1] : [n[0] ?? 0, n[1] ?? 0, n[2] ?? ((n[0] ?? 0) <= (n[1] ?? 0) ? 1 : -1)]
    if (step === 0) throw fnErr('range', 'step must not be zero')
    // count first: range(1e12) must fail at once, not after allocating (or looping) forever
    const count = Math.ceil((end - start) / step)
    if (!Number.isFinite(count) || count > 1024 * 1024) throw fnErr('range', 'more than 1048576 values were generated')
    const out: number[] = []
    if (step > 0) for (let x = start; x < end; x += step) out.push(x)
    else for (let x = start; x > end; x += step) out.push(x)
    return out
  },
  slice: (args) => {
    arity('slice', args, 3)
    const l = list('slice', args, 0)
    const s = num('slice', args, 1)
    const e = num('slice', args, 2)
    if (s < 0 || e > l.length || s > e) throw fnErr('slice', `invalid slice indices ${s}:${e} for a list of ${l.length} elements`)
    return l.slice(s, e)
  },
  sort: (args) => {
    arity('sort', args, 1)
    return list('sort', args, 0)
      .map((x) => {
        if (x === null) throw fnErr('sort', 'given list element is null')
        return toStr(x)
      })
      .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
  },
  zipmap: (args) => {
    arity('zipmap', args, 2)
    const k = list('zipmap', args, 0)
    const v = list('zipmap', args, 1)
    if (k.length !== v.length) throw fnErr('zipmap', `number of keys (${k.length}) does not match number of values (${v.length})`)
    return makeObject(k.map((x, i) => [toStr(x), v[i] as Value]))
  },
  setunion: (args) => toSet(args.flatMap((_, i) => toList(a(args, i)))),
  setintersection: (args) => {
    if (args.length === 0) return []
    const first = toSet(toList(a(args, 0)))
    return first.filter((x) => args.every((l) => toList(l).some((y) => valueEquals(x, y))))
  },
  setsubtract: (args) => {
    arity('setsubtract', args, 2)
    const b = toList(a(args, 1))
    return toSet(toList(a(args, 0)).filter((x) => !b.some((y) => valueEquals(x, y))))
  },
  setsymmetricdifference: (args) => {
    const all = args.map((x) => toSet(toList(x)))
    const counts = new Map<string, {v: Value; n: number}>()
    for (const s of all) for (const x of s) {
      const k = valueKey(x)
      const c = counts.get(k)
      if (c) c.n++
      else counts.set(k, {v: x, n: 1})
    }
    return toSet([...counts.values()].filter((c) => c.n % 2 === 1).map((c) => c.v))
  },
  sethaselement: (args) => (arity('sethaselement', args, 2), toList(a(args, 0)).some((x) => valueEquals(x, a(args, 1)))),
  setproduct: (args) => {
    let out: Value[][] = [[]]
    for (let i = 0; i < args.length; i++) {
      const l = list('setproduct', args, i)
      out = out.flatMap((prefix) => l.map((x) => [...prefix, x]))
    }
    return args.length === 0 ? [] : out
  },
}
