import {readFileSync} from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {InputError} from '../../src/domain/errors.js'
import {parseProvenanceText, parseProvenanceValue} from '../../src/domain/provenance/parse-provenance.js'
import {FIXTURES} from '../helpers/fixtures.js'
import {applyByteMutations, byteMutations, fcParams, PROPERTY_TIMEOUT_MS} from '../fuzz/mutate.js'

const statement = readFileSync(path.join(FIXTURES, 'provenance-0.11', 'p3-build-mode', 'provenance.linux_amd64.json'))
const json = JSON.parse(statement.toString('utf8')) as unknown

/** A result, or an InputError that says what to do; never another exception. */
function outcome(fn: () => unknown): void {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).fix).toBeTruthy()
  }
}

/** Replaces the value at a random path of a JSON value with another JSON value. */
function replaceAt(value: unknown, pick: number[], replacement: unknown): unknown {
  if (pick.length === 0 || typeof value !== 'object' || value === null) return replacement
  const keys = Object.keys(value)
  if (keys.length === 0) return replacement
  const key = keys[pick[0]! % keys.length]!
  const copy: Record<string, unknown> = Array.isArray(value) ? [...value] as unknown as Record<string, unknown> : {...(value as Record<string, unknown>)}
  copy[key] = replaceAt((value as Record<string, unknown>)[key], pick.slice(1), replacement)
  return copy
}

describe('provenance parser on mutated real statements', () => {
  it('bytes flipped, cut or duplicated: a result or an InputError', () => {
    fc.assert(fc.property(byteMutations, (m) => outcome(() => parseProvenanceText(applyByteMutations(statement, m).toString('utf8'), {salt: 's'}))), fcParams())
  }, PROPERTY_TIMEOUT_MS)

  it('any field replaced by any JSON value: a result or an InputError', () => {
    fc.assert(fc.property(fc.array(fc.nat(), {minLength: 1, maxLength: 9}), fc.jsonValue({maxDepth: 3}), (pick, replacement) => {
      outcome(() => parseProvenanceValue(replaceAt(json, pick, replacement), {salt: 's'}))
    }), fcParams())
  }, PROPERTY_TIMEOUT_MS)
})
