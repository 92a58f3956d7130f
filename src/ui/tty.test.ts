import {describe, expect, it} from 'vitest'
import {shouldUseTui} from './tty.js'

describe('shouldUseTui', () => {
  const tty = {isTTY: true, columns: 120}
  it('is true on a real terminal outside CI', () => {
    expect(shouldUseTui(tty, {env: {}})).toBe(true)
    expect(shouldUseTui(tty, {env: {CI: 'false'}, stdin: {isTTY: true}})).toBe(true)
    expect(shouldUseTui(tty, {env: {CI: '0'}})).toBe(true)
  })
  it('is false on a pipe, with --json, in CI, on a 0-column pty, or when stdin is not a terminal', () => {
    expect(shouldUseTui({isTTY: false, columns: 120}, {env: {}})).toBe(false)
    expect(shouldUseTui({columns: 120}, {env: {}})).toBe(false)
    expect(shouldUseTui(tty, {env: {}, json: true})).toBe(false)
    expect(shouldUseTui(tty, {env: {CI: 'true'}})).toBe(false)
    expect(shouldUseTui(tty, {env: {CI: '1'}})).toBe(false)
    expect(shouldUseTui(tty, {env: {CONTINUOUS_INTEGRATION: 'yes'}})).toBe(false)
    expect(shouldUseTui({isTTY: true, columns: 0}, {env: {}})).toBe(false)
    expect(shouldUseTui({isTTY: true}, {env: {}})).toBe(false)
    expect(shouldUseTui(tty, {env: {}, stdin: {isTTY: false}})).toBe(false)
  })
})
