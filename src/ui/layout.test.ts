import {describe, expect, it} from 'vitest'
import {computeLayout} from './layout.js'

describe('computeLayout', () => {
  it('puts tree and detail side by side on a wide terminal, filling it minus one row', () => {
    const l = computeLayout(160, 50)
    expect(l.sideBySide).toBe(true)
    expect(l.height).toBe(49)
    expect(l.tree.width + l.detail.width).toBe(160)
    expect(l.tree.height).toBe(l.body)
    expect(l.body).toBe(49 - 3)
  })
  it('stacks them on a narrow terminal and never goes below a usable minimum', () => {
    const l = computeLayout(80, 30)
    expect(l.sideBySide).toBe(false)
    expect(l.tree.height + l.detail.height).toBe(l.body)
    expect(l.tree.width).toBe(80)
    const tiny = computeLayout(10, 3)
    expect(tiny.width).toBe(40)
    expect(tiny.height).toBe(12)
  })
})
