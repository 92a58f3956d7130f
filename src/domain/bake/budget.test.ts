import {describe, expect, it} from 'vitest'
import {BAKE_LIMITS, BudgetExceeded, EvalBudget} from './budget.js'

describe('the evaluation budget', () => {
  it(`stops an evaluation that runs longer than ${BAKE_LIMITS.millis / 1000} s of wall time (checked every few thousand steps)`, () => {
    let now = 0
    const budget = new EvalBudget(BAKE_LIMITS, () => now)
    budget.charge(10_000)
    now = BAKE_LIMITS.millis + 1
    let err: unknown
    try {
      for (let i = 0; i < 10_000; i++) budget.charge(1)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(BudgetExceeded)
    expect((err as BudgetExceeded).message).toBe(`evaluation took longer than ${BAKE_LIMITS.millis / 1000} s`)
    expect((err as BudgetExceeded).fix).toMatch(/simplify/)
  })

  it('does not stop one that stays within the time', () => {
    let now = 0
    const budget = new EvalBudget(BAKE_LIMITS, () => now)
    now = BAKE_LIMITS.millis - 1
    expect(() => budget.charge(100_000)).not.toThrow()
  })
})
