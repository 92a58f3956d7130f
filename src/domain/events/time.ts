/**
 * Time conversions shared by the event decoders (events.md §1.1, §1.2, §4.4). Results are epoch
 * milliseconds with sub-ms precision kept as a fraction; Go's zero `time.Time`
 * (`0001-01-01T00:00:00Z`, protobuf seconds = -62135596800) becomes undefined.
 */
export const GO_ZERO_TIME_SECONDS = -62_135_596_800

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})$/

/** RFC3339 / RFC3339Nano with any offset → epoch ms; undefined for zero, missing or unparseable times. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const m = RFC3339.exec(value)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const year = Number(y)
  if (year <= 1) return undefined
  let ms = Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (frac) ms += Number(`0.${frac}`) * 1000
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000
  }
  return Number.isFinite(ms) ? ms : undefined
}

/** protobuf Timestamp (seconds, nanos) → epoch ms; Go's zero time → undefined. */
export function timestampToMs(seconds: bigint | number, nanos: number): number | undefined {
  const s = Number(seconds)
  if (!Number.isFinite(s) || !Number.isFinite(nanos) || s <= GO_ZERO_TIME_SECONDS) return undefined
  return s * 1000 + nanos / 1e6
}
