import {createHash} from 'node:crypto'
import {isSecretName} from '../lib/redact.js'
import type {Run} from './model/run.js'

export {isSecretName}

/** Values that look like credentials whatever their name (GitHub, AWS, npm, Slack, JWT …). */
const TOKEN_SHAPES = /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16}|npm_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|glpat-[A-Za-z0-9_-]{20,})\b/g

export function looksLikeToken(value: string): boolean {
  TOKEN_SHAPES.lastIndex = 0
  return TOKEN_SHAPES.test(value)
}

export function isSecretArg(name: string, value: string): boolean {
  return isSecretName(name) || looksLikeToken(value)
}

/** `secret:<hex>`: lets two runs tell "changed" from "same" without storing the value. */
export function hashSecret(value: string, salt: string): string {
  return 'secret:' + createHash('sha256').update(salt).update('\u0000').update(value).digest('hex').slice(0, 16)
}

/** Build args with secret-looking values replaced by their salted hash. */
export function maskArgs(args: Record<string, string>, salt: string): {args: Record<string, string>; secretValues: string[]} {
  const out: Record<string, string> = {}
  const secretValues: string[] = []
  for (const [name, value] of Object.entries(args)) {
    if (isSecretArg(name, value)) {
      out[name] = hashSecret(value, salt)
      if (value) secretValues.push(value)
    } else out[name] = value
  }
  return {args: out, secretValues}
}

/** Replaces known secret values and token-shaped strings in a text. */
export function scrubText(text: string, secretValues: readonly string[]): string {
  let out = text
  for (const v of secretValues) if (v.length >= 3 && out.includes(v)) out = out.split(v).join('***')
  TOKEN_SHAPES.lastIndex = 0
  return out.replace(TOKEN_SHAPES, '***')
}

/**
 * BuildKit expands ARG values into vertex names and RUN output can echo them: before a run is
 * stored or shown, every known secret value (and anything token-shaped) is replaced.
 */
export function scrubRun(run: Run, secretValues: readonly string[]): Run {
  const scrub = (t: string) => scrubText(t, secretValues)
  return {
    ...run,
    error: run.error !== undefined ? scrub(run.error) : undefined,
    steps: run.steps.map((s) => ({
      ...s,
      name: scrub(s.name),
      instruction: scrub(s.instruction),
      error: s.error !== undefined ? scrub(s.error) : undefined,
      logTail: s.logTail.map(scrub),
    })),
  }
}
