/** Dates and durations as cty and Go write them. */
import {fnErr  } from './args.js'

/** Terraform/cty `formatdate` spec. */
export function formatDate(name: string, spec: string, ts: string): string {
  const d = parseRfc3339(name, ts)
  const {date, offsetMin} = d
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
  const local = new Date(date.getTime() + offsetMin * 60_000)
  const Y = local.getUTCFullYear()
  const M = local.getUTCMonth()
  const D = local.getUTCDate()
  const h = local.getUTCHours()
  const mi = local.getUTCMinutes()
  const s = local.getUTCSeconds()
  const zone = (sep: string): string => {
    if (offsetMin === 0 && sep === 'Z') return 'Z'
    const sign = offsetMin < 0 ? '-' : '+'
    const ab = Math.abs(offsetMin)
    return `${sign}${pad(Math.floor(ab / 60))}${sep === ':' ? ':' : ''}${pad(ab % 60)}`
  }
  const table: [string, () => string][] = [
    ['YYYY', () => pad(Y, 4)],
    ['YY', () => pad(Y % 100)],
    ['MMMM', () => months[M] as string],
    ['MMM', () => (months[M] as string).slice(0, 3)],
    ['MM', () => pad(M + 1)],
    ['M', () => String(M + 1)],
    ['DD', () => pad(D)],
    ['D', () => String(D)],
    ['EEEE', () => days[local.getUTCDay()] as string],
    ['EEE', () => (days[local.getUTCDay()] as string).slice(0, 3)],
    ['hh', () => pad(h)],
    ['h', () => String(h)],
    ['HH', () => pad(h % 12 === 0 ? 12 : h % 12)],
    ['H', () => String(h % 12 === 0 ? 12 : h % 12)],
    ['AA', () => (h < 12 ? 'AM' : 'PM')],
    ['aa', () => (h < 12 ? 'am' : 'pm')],
    ['mm', () => pad(mi)],
    ['m', () => String(mi)],
    ['ss', () => pad(s)],
    ['s', () => String(s)],
    ['ZZZZZ', () => zone(':')],
    ['ZZZZ', () => zone('')],
    ['ZZZ', () => (offsetMin === 0 ? 'UTC' : zone(''))],
    ['Z', () => zone('Z')],
  ]
  let out = ''
  let i = 0
  while (i < spec.length) {
    const c = spec[i] as string
    if (c === "'") {
      const end = spec.indexOf("'", i + 1)
      if (end < 0) throw fnErr(name, 'unterminated literal')
      out += end === i + 1 ? "'" : spec.slice(i + 1, end)
      i = end + 1
      continue
    }
    if (/[A-Za-z]/.test(c)) {
      let run = 0
      while (spec[i + run] === c) run++
      const tok = spec.slice(i, i + run)
      const hit = table.find(([k]) => k === tok)
      if (!hit) throw fnErr(name, `invalid date format verb "${tok}"`)
      out += hit[1]()
      i += run
      continue
    }
    out += c
    i++
  }
  return out
}

export function parseRfc3339(name: string, ts: string): {date: Date; offsetMin: number} {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(ts)
  if (!m) throw fnErr(name, `not a valid RFC3339 timestamp: "${ts}"`)
  const date = new Date(ts)
  if (Number.isNaN(date.getTime())) throw fnErr(name, `not a valid RFC3339 timestamp: "${ts}"`)
  const z = m[8] ?? 'Z'
  const offsetMin = z.toUpperCase() === 'Z' ? 0 : (z.startsWith('-') ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6)))
  return {date, offsetMin}
}

export function formatRfc3339(date: Date, offsetMin: number): string {
  const local = new Date(date.getTime() + offsetMin * 60_000)
  const base = local.toISOString().replace(/\.\d{3}Z$/, '')
  if (offsetMin === 0) return base + 'Z'
  const ab = Math.abs(offsetMin)
  return `${base}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(ab / 60)).padStart(2, '0')}:${String(ab % 60).padStart(2, '0')}`
}

export function parseGoDuration(name: string, s: string): number {
  const units: Record<string, number> = {ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000}
  const m = /^([-+]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(s)
  if (!m) throw fnErr(name, `time: invalid duration "${s}"`)
  let total = 0
  for (const part of (m[2] ?? '').matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * (units[part[2] ?? 's'] ?? 0)
  return m[1] === '-' ? -total : total
}
