import {describe, expect, it} from 'vitest'
import {shouldUseTui, terminalWidth} from './tty.js'

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

describe('terminalWidth (what runs, show and diff fit)', () => {
  it("is the terminal's columns; a pipe or a 0-column pty gets no width, so nothing is cut", () => {
    expect(terminalWidth({isTTY: true, columns: 93})).toBe(93)
    expect(terminalWidth({isTTY: false, columns: 93})).toBeUndefined()
    expect(terminalWidth({columns: 93})).toBeUndefined()
    expect(terminalWidth({isTTY: true, columns: 0})).toBeUndefined()
  })
})
