/**
 * A run's global id: the same on every machine, and the run's tag in a history repository.
 * `20261206t030126-9f3a2c1b7d4e5f60`: the creation time (UTC, to the second) then 64 random bits.
 * Tags sort by creation time, so `pull --since` can skip older runs from the tag list alone,
 * and many runners creating runs in the same second never collide.
 */
export const GLOBAL_ID_PATTERN = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})-[0-9a-f]{16}$/

export function isGlobalId(text: string): boolean {
  return GLOBAL_ID_PATTERN.test(text)
}

/** `randomHex`: 16 lowercase hex digits (the caller draws them: the domain does no IO). */
export function makeGlobalId(createdAtMs: number, randomHex: string): string {
  const d = new Date(createdAtMs)
  const valid = Number.isFinite(createdAtMs) && !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 0 && d.getUTCFullYear() <= 9999
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const stamp = valid
    ? `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}t${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
    : '00000000t000000'
  return `${stamp}-${randomHex}`
}

/** The creation time a global id carries (ms, to the second), or undefined for a tag that is not one. */
export function createdAtOfGlobalId(id: string): number | undefined {
  const m = GLOBAL_ID_PATTERN.exec(id)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[]
  return Date.UTC(y as number, (mo as number) - 1, d as number, h as number, mi as number, s as number)
}
