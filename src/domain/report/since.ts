import {InputError} from '../errors.js'

const UNIT_MS: Record<string, number> = {m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000}

/**
 * `--since`: a span back from now (`30m`, `12h`, `7d`, `2w`) or a date/time (`2026-11-01`,
 * `2026-11-01T12:00:00Z`) → epoch ms.
 */
export function parseSince(text: string, now: number): number {
  const t = text.trim()
  const span = /^(\d{1,6})([mhdw])$/.exec(t)
  if (span) return now - Number(span[1]) * UNIT_MS[span[2]!]!
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const ms = Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t.replace(' ', 'T'))
    if (Number.isFinite(ms)) return ms
  }
  throw new InputError(`--since "${text}" is neither a span nor a date`, {fix: 'write a span back from now (30m, 12h, 7d, 2w) or a date (2026-11-01, 2026-11-01T12:00:00Z)'})
}
