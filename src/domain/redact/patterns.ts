/**
 * What counts as a secret (issue #13): by name and by shape. Pure predicates and regular
 * expressions; `policy.ts` decides what to do with a match.
 */

/**
 * Names of build args, env vars, labels and `NAME=value` pairs whose values are never stored or
 * shown, whatever the value looks like.
 */
// (`AUTHOR`, `…image.authors`: a label every image has, not a credential)
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASS$|PWD$|KEY|CREDENTIAL|AUTH(?!ORS?\b)|PRIVATE|CERT|SESSION|COOKIE/i

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/** `NPM_TOKEN`, `aws_secret_access_key`: names as environment variables and build args spell them. */
export function isEnvStyleName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name) || /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(name)
}

/**
 * The name of a `NAME=value` in free text whose value is a secret. camelCase words such as `key`,
 * `rootKey`, `keyword` (bakedoctor's own JSON fields) count only with an unambiguous word in them.
 */
export function isSecretAssignmentName(name: string): boolean {
  return isSecretName(name) && (isEnvStyleName(name) || /token|secret|passw|credential|auth(?!ors?\b)/i.test(name))
}

/**
 * Values that are credentials whatever their name. Each alternative is one issuer's format, with a
 * length floor so ordinary words (`npm_config`, `ghp_`) do not match.
 */
export const TOKEN_SHAPES: readonly {name: string; pattern: RegExp}[] = [
  {name: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g},
  {name: 'GitHub fine-grained token', pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g},
  {name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b/g},
  {name: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{30,}\b/g},
  {name: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g},
  {name: 'GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g},
  {name: 'JWT', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g},
  // 40 characters of base64 with upper and lower case and a digit: an AWS secret access key. Git
  // commits and sha1 digests are 40 lowercase hex characters, so they never match.
  // (`isAwsSecretKey` filters the candidates)
  {name: 'AWS secret access key', pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g},
]

/**
 * PEM private keys: a whole BEGIN…END block; a BEGIN whose END was cut off (a log tail, a truncated
 * line) up to the end of the text; an END whose BEGIN was cut off from the start of the text.
 */
export const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g
export const PEM_ORPHAN_END = /^[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/

/** `scheme://user:password@host`: the user-info part. */
export const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]+:[^\s/@'"]+)@/gi

/**
 * `user:password@host[:port]/…` without a scheme (an image ref or a clone URL typed with
 * credentials): the user-info part. Not `name:tag@sha256:…` (no `/` after the host part) nor
 * `repo/name:tag@…` (the user part would follow a `/`).
 */
export const REF_CREDENTIALS = /(?<![A-Za-z0-9._~%+/:@-])([A-Za-z0-9._~%+-]+:[^\s/@:'"]+)@(?=[A-Za-z0-9.-]+(?::[0-9]+)?\/)/g

/**
 * `NAME=value` (shell, `--build-arg`, env dumps) and `"NAME": "value"` (JSON) where NAME is a secret
 * name: the value. Group 1 the prefix kept, group 2 the value.
 */
export const ASSIGNMENT = /\b([A-Za-z_][A-Za-z0-9_.-]*=)("[^"\n]*"|'[^'\n]*'|[^\s"'`;&|,)=][^\s"'`;&|,)]*)/g
export const JSON_ASSIGNMENT = /("([A-Za-z_][A-Za-z0-9_.-]*)"\s*:\s*)("(?:[^"\\\n]|\\.)*")/g

/**
 * Cheap tests that decide whether the full expressions need to run at all (most texts are step
 * names and log lines with no secret in them; a big bake has hundreds of thousands).
 */
export const TOKEN_HINT = /gh[pousr]_|github_pat_|A(?:KIA|SIA|GPA|IDA|ROA|NPA)|npm_|xox|glpat-|eyJ/
export const ASSIGNMENT_HINT = /(?:TOKEN|SECRET|PASS|PWD|KEY|CREDENTIAL|AUTH|PRIVATE|CERT|SESSION|COOKIE)[A-Za-z0-9_.-]*"?\s*[=:]/i

const BASE64_CHAR = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+') BASE64_CHAR[c.charCodeAt(0)] = 1
const isBase64At = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i)
  return c < 128 && BASE64_CHAR[c] === 1
}

/**
 * Whether `text` has a run of `length` or more base64 characters (a candidate AWS secret key).
 * Such a run covers every `length`-th position, so only those are probed, and grown both ways on a
 * hit: a few probes per step name instead of a pass over every character.
 */
export function hasBase64Run(text: string, length = 40): boolean {
  let i = length - 1
  while (i < text.length) {
    if (!isBase64At(text, i)) {
      i += length
      continue
    }
    let left = i
    while (left > 0 && isBase64At(text, left - 1)) left--
    let right = i
    while (right + 1 < text.length && isBase64At(text, right + 1)) right++
    if (right - left + 1 >= length) return true
    i = right + length
  }
  return false
}

/** Every token shape in one expression (for a quick test and one pass over long texts). */
export const ANY_TOKEN = new RegExp(TOKEN_SHAPES.map((s) => s.pattern.source).join('|'), 'g')

/**
 * A match of ANY_TOKEN that is a credential. A bare 40-character base64 run is an AWS secret key
 * only with upper case, lower case and a digit (git commits and sha1 digests are lowercase hex) and
 * when it is not a path (`/usr/lib/...`).
 */
export function isTokenMatch(match: string): boolean {
  if (match.length !== 40 || !/^[A-Za-z0-9/+]{40}$/.test(match) || /^(gh[pousr]_|npm_|AKIA|ASIA)/.test(match)) return true
  if (!/[A-Z]/.test(match) || !/[a-z]/.test(match) || !/[0-9]/.test(match)) return false
  return !(match.startsWith('/') || match.endsWith('/') || match.split('/').length > 4)
}

export function looksLikeToken(value: string): boolean {
  PEM_BLOCK.lastIndex = 0
  URL_CREDENTIALS.lastIndex = 0
  REF_CREDENTIALS.lastIndex = 0
  if (PEM_BLOCK.test(value) || PEM_ORPHAN_END.test(value) || URL_CREDENTIALS.test(value) || REF_CREDENTIALS.test(value)) return true
  for (const m of value.matchAll(ANY_TOKEN)) if (isTokenMatch(m[0])) return true
  return false
}

/**
 * A build-arg value that is a random string: at least 24 characters of one token alphabet, with
 * upper case, lower case and digits, and a high per-character entropy. Hex strings (digests,
 * commits), paths, versions, image refs and words never qualify: they lack a character class or
 * contain a separator outside the alphabet.
 */
export function isHighEntropy(value: string): boolean {
  if (value.length < 24 || value.length > 4096) return false
  if (!/^[A-Za-z0-9+/=_-]+$/.test(value)) return false
  if (!/[A-Z]/.test(value) || !/[a-z]/.test(value) || !/[0-9]/.test(value)) return false
  if (/^[0-9a-fA-F]+$/.test(value)) return false
  // a path-like value (`a/b/c`) or a kebab/snake name (`my-long-service-name-2`) is made of words
  if (/[/_-]/.test(value) && value.split(/[/_-]/).every((part) => part.length < 16)) return false
  return shannonEntropy(value) >= 4
}

function shannonEntropy(value: string): number {
  const counts = new Map<string, number>()
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let h = 0
  for (const n of counts.values()) {
    const p = n / value.length
    h -= p * Math.log2(p)
  }
  return h
}
