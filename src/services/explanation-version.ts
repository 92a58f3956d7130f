import {readFileSync} from 'node:fs'
import {nodeCrypto} from '../domain/lazy-crypto.js'

let cached: string | undefined

/**
 * The name of this build for the stored explanation (written by scripts/explanation-version.mjs at
 * build time next to the compiled code). Code not built that way (tests running the sources) gets a
 * name of its own per process: it reads back only what it stored itself, never another build's.
 */
export function explanationVersion(): string {
  if (cached !== undefined) return cached
  try {
    cached = (JSON.parse(readFileSync(new URL('../explanation-version.json', import.meta.url), 'utf8')) as {version: string}).version
  } catch {
    cached = `unbuilt-${nodeCrypto().randomBytes(8).toString('hex')}`
  }
  return cached
}
