/**
 * Planted-secrets tests (issue #13): random secret values made fresh per run, and the grep that
 * looks for them in every form they could leak in. Shared by test/e2e/secrets-*.test.ts.
 */
import {randomBytes} from 'node:crypto'

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** n random characters of `alphabet`, with an upper-case letter, a lower-case letter and a digit. */
export function random(n: number, alphabet = ALNUM): string {
  for (;;) {
    const s = [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('')
    if (alphabet !== ALNUM || (/[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s))) return s
  }
}

/** A planted value in every form it could leak in: plain, base64, hex, URL-encoded, JSON-escaped. */
export function forms(secret: string): string[] {
  return [...new Set([secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex'), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])]
}

/** The names of the planted values found in `bytes`, in any form. */
export function plantedIn(bytes: Buffer, planted: Record<string, string>): string[] {
  return Object.entries(planted).filter(([, v]) => forms(v).some((f) => bytes.includes(f))).map(([k]) => k)
}

/** Fresh token-shaped values, one per call, in the shapes the redaction policy must recognise. */
export const plant = {
  /** a GitHub token: `ghp_` personal, `gho_` OAuth, `ghs_` App installation (what actions/checkout puts in origin) */
  github: (prefix: 'ghp' | 'gho' | 'ghs' = 'ghp'): string => `${prefix}_${random(36)}`,
  npm: (): string => `npm_${random(36)}`,
  awsKeyId: (): string => `AKIA${random(16, UPPER)}`,
  awsSecret: (): string => random(40),
  jwt: (): string => `eyJ${random(24)}.eyJ${random(40)}.${random(43)}`,
  /** a PEM private key; its body lines are what must never appear */
  pem(label = 'PRIVATE KEY'): {text: string; lines: string[]} {
    const lines = [random(64), random(64), random(40)]
    return {text: [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join('\n'), lines}
  },
}
