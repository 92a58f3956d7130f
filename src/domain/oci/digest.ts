import {nodeCrypto} from '../lazy-crypto.js'

/** `sha256:<64 hex>`; other algorithms are rejected (BuildKit and every registry we target use sha256). */
const DIGEST = /^sha256:[a-f0-9]{64}$/

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value)
}

/** `sha256:` + hex sha256 of the bytes (a string is hashed as UTF-8). */
export function sha256Digest(data: string | Uint8Array): string {
  return 'sha256:' + nodeCrypto().createHash('sha256').update(data).digest('hex')
}

/** `sha256:abcdef012345…` for people (every report shortens digests this way); '' for none. */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return ''
  const m = /^(sha256|sha512):([0-9a-f]{12})[0-9a-f]+$/.exec(digest)
  return m ? `${m[1]}:${m[2]}…` : digest
}
