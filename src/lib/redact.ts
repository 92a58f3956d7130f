/**
 * The output side of the one redaction policy (`domain/redact`): every presenter's text, JSON and
 * written file passes through `redactOutput` / `redactOutputValue` (the base command and the file
 * writers call them, so a new format gets them for free). Data read from the index was redacted
 * when it was stored; this is the second line, for what did not come from the index (a bake file
 * resolved now, an error message echoing input) and for values registered at run time (registry
 * passwords, secret build-arg values).
 */
import {nodeCrypto} from '../domain/lazy-crypto.js'
import {Redactor} from '../domain/redact/policy.js'

const knownSecrets = new Set<string>()
/** until an index is opened, a per-process salt (drawn when first needed): markers still pair equal values within one output */
let salt: string | undefined
let redactor: Redactor | undefined

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4 && !knownSecrets.has(value)) {
    knownSecrets.add(value)
    redactor = undefined
  }
}

/** The index's salt, so that markers in output match the ones stored in it. */
export function useIndexSalt(indexSalt: string): void {
  if (indexSalt && indexSalt !== salt) {
    salt = indexSalt
    redactor = undefined
  }
}

export function outputRedactor(): Redactor {
  return (redactor ??= new Redactor({salt: (salt ??= nodeCrypto().randomBytes(16).toString('hex')), known: knownSecrets}))
}

/** A text about to be printed or written. */
export function redactOutput(text: string): string {
  return outputRedactor().text(text)
}

/** A result about to be printed as JSON (or handed to the TUI). */
export function redactOutputValue<T>(value: T): T {
  return outputRedactor().deep(value)
}
