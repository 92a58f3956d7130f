import {describe, expect, it} from 'vitest'
import {mapLimit} from './map-limit.js'

/** A promise settled by the test, so the order in which work finishes is chosen, not timed. */
function deferred<T>(): {promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void} {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return {promise, resolve, reject}
}

const tick = () => new Promise((r) => setImmediate(r))

describe('mapLimit', () => {
  it('runs at most `limit` at once, starting in input order, and keeps the input order in its results', async () => {
    const gates = Array.from({length: 7}, () => deferred<string>())
    const started: number[] = []
    const done = mapLimit(gates, 3, (gate, i) => {
      started.push(i)
      return gate.promise
    })
    await tick()
    expect(started).toEqual([0, 1, 2])
    // finish out of order: the freed slots take the next items
    gates[2]!.resolve('c')
    await tick()
    expect(started).toEqual([0, 1, 2, 3])
    for (const i of [6, 5, 4, 3, 1, 0]) {
      gates[i]?.resolve(String.fromCharCode(97 + i))
      await tick()
    }
    expect(await done).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'])
  })

  it('after a failure starts nothing more, waits for the running items, and throws the earliest failure in input order', async () => {
    const gates = Array.from({length: 6}, () => deferred<number>())
    const started: number[] = []
    const done = mapLimit(gates, 3, (gate, i) => {
      started.push(i)
      return gate.promise
    })
    const outcome = done.then(() => 'resolved', (e: Error) => e.message)
    await tick()
    gates[2]!.reject(new Error('item 2'))
    await tick()
    gates[1]!.reject(new Error('item 1'))
    await tick()
    let settled = false
    void outcome.then(() => (settled = true))
    await tick()
    expect(settled).toBe(false) // item 0 still runs
    gates[0]!.resolve(0)
    expect(await outcome).toBe('item 1')
    expect(started).toEqual([0, 1, 2])
  })

  it('an empty list is an empty result; a limit below 1 still runs one at a time', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([])
    expect(await mapLimit([1, 2], 0, async (x) => x * 2)).toEqual([2, 4])
  })
})
