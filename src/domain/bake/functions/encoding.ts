/** semver constraints, CSV, JSON and UUIDs for the encoding functions. */
import {createHash} from 'node:crypto'
import {type Value, formatNumber, isObject, makeObject} from '../value.js'
import {fnErr  } from './args.js'

/** Masterminds/semver-style constraint check for `semvercmp`. */
export function semverCompare(name: string, version: string, constraint: string): boolean {
  const parse = (v: string): number[] | undefined => {
    const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim())
    if (!m) return undefined
    return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ? -1 : 0]
  }
  const ver = parse(version)
  if (!ver) throw fnErr(name, `invalid version "${version}"`)
  const cmp = (x: number[], y: number[]): number => {
    for (let i = 0; i < 4; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1
    return 0
  }
  const check = (c: string): boolean => {
    const m = /^\s*(=|!=|>=|<=|>|<|~>|~|\^)?\s*v?([0-9x*X.]+(?:-[0-9A-Za-z.-]+)?)\s*$/.exec(c)
    if (!m) throw fnErr(name, `improper constraint: ${constraint}`)
    const op = m[1] ?? '='
    const raw = m[2] ?? ''
    const parts = raw.split('-')[0]?.split('.') ?? []
    const wild = parts.findIndex((p) => p === 'x' || p === 'X' || p === '*')
    const given = wild >= 0 ? wild : parts.length
    const target = parse(parts.map((p) => (p === 'x' || p === 'X' || p === '*' ? '0' : p)).join('.') + (raw.includes('-') ? '-' + raw.split('-').slice(1).join('-') : ''))
    if (!target) throw fnErr(name, `improper constraint: ${constraint}`)
    const upper = (idx: number): number[] => {
      const u = [target[0] ?? 0, target[1] ?? 0, target[2] ?? 0, 0]
      u[idx] = (u[idx] ?? 0) + 1
      for (let j = idx + 1; j < 3; j++) u[j] = 0
      return u
    }
    const c0 = cmp(ver, target)
    switch (op) {
      case '=':
        if (given < 3) return c0 >= 0 && cmp(ver, upper(Math.max(0, given - 1))) < 0
        return c0 === 0
      case '!=':
        return c0 !== 0
      case '>':
        return c0 > 0
      case '<':
        return c0 < 0
      case '>=':
        return c0 >= 0
      case '<=':
        return c0 <= 0
      case '~':
      case '~>':
        return c0 >= 0 && cmp(ver, upper(given >= 2 ? 1 : 0)) < 0
      case '^': {
        const idx = (target[0] ?? 0) > 0 ? 0 : (target[1] ?? 0) > 0 ? 1 : given >= 3 ? 2 : Math.max(0, given - 1)
        return c0 >= 0 && cmp(ver, upper(idx)) < 0
      }
    }
    return false
  }
  return constraint.split('||').some((alt) => alt.split(/,|\s+(?=[<>=!~^])/).filter((x) => x.trim() !== '').every(check))
}

export function flattenDeep(items: Value[]): Value[] {
  const out: Value[] = []
  for (const x of items) {
    if (Array.isArray(x)) out.push(...flattenDeep(x))
    else out.push(x)
  }
  return out
}

export function csvDecode(name: string, text: string): Value {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let q = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') q = false
      else field += c
    } else if (c === '"') q = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if (field !== '' || row.length) {
    row.push(field)
    rows.push(row)
  }
  const header = rows.shift()
  if (!header) throw fnErr(name, 'missing header line')
  return rows.map((r, ri) => {
    if (r.length !== header.length) throw fnErr(name, `record on line ${ri + 2}: wrong number of fields`)
    return makeObject(header.map((h, i) => [h, r[i] ?? '']))
  })
}

export function jsonToValue(x: unknown): Value {
  if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return x
  if (Array.isArray(x)) return x.map(jsonToValue)
  return makeObject(Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, jsonToValue(v)]))
}

export function jsonEncode(v: Value): string {
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jsonEncode(v[k] as Value)}`).join(',')}}`
  if (Array.isArray(v)) return `[${v.map(jsonEncode).join(',')}]`
  if (typeof v === 'number') return formatNumber(v)
  // Go's json.Marshal escapes < > & as \u003c etc.
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
}

export function uuidv5(namespace: string, nameStr: string): string {
  const ns: Record<string, string> = {
    dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
    oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
    x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
  }
  const nsId = ns[namespace] ?? namespace
  const nsBytes = Buffer.from(nsId.replace(/-/g, ''), 'hex')
  if (nsBytes.length !== 16) throw fnErr('uuidv5', `uuidv5() doesn't support namespace ${namespace}`)
  const h = createHash('sha1').update(nsBytes).update(nameStr).digest()
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
