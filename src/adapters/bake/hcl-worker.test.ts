import {afterEach, describe, expect, it} from 'vitest'
import {BAKE_LIMITS} from '../../domain/bake/budget.js'
import {InputError} from '../../domain/errors.js'
import {HCL_PARSE_DEADLINE_MS, HCL_WORKER_MAX_PARSES, hclWorkerStats, parseHclInWorker} from './hcl-worker.js'

const ok = 'target "default" {\n  dockerfile = "Dockerfile"\n}\n'

describe('the hcl2json worker', () => {
  afterEach(() => {
    delete process.env.BAKEDOCTOR_HCL_PARSE_TIMEOUT
  })

  it('keeps a bake file\'s path (the parse deadline plus the evaluation budget) well under the 10 s a hang is', () => {
    expect(HCL_PARSE_DEADLINE_MS + BAKE_LIMITS.millis).toBeLessThanOrEqual(8_000)
  })

  it('a parse over the deadline is an InputError naming the file and the fix; the next parse gets a new worker', async () => {
    await parseHclInWorker('warm.hcl', ok)
    const before = hclWorkerStats().started
    // 20,000 "+" terms: tens of milliseconds of parsing, far over a 1 ms deadline
    process.env.BAKEDOCTOR_HCL_PARSE_TIMEOUT = '0.001'
    const err = await parseHclInWorker('slow.hcl', `a = ${Array(20_000).fill('1').join(' + ')}\n`).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).message).toMatch(/did not finish within 0.001 s/)
    expect((err as InputError).file).toBe('slow.hcl')
    expect((err as InputError).fix).toMatch(/BAKEDOCTOR_HCL_PARSE_TIMEOUT/)
    delete process.env.BAKEDOCTOR_HCL_PARSE_TIMEOUT
    expect(await parseHclInWorker('after.hcl', ok)).toEqual({target: {default: [{dockerfile: 'Dockerfile'}]}})
    expect(hclWorkerStats().started).toBe(before + 1)
  })

  it(`is replaced after ${HCL_WORKER_MAX_PARSES} parses (its WASM heap only grows), and parses on`, async () => {
    await parseHclInWorker('warm.hcl', ok)
    const retired = hclWorkerStats().retired
    for (let i = 0; i < HCL_WORKER_MAX_PARSES; i++) await parseHclInWorker('x.hcl', ok)
    expect(hclWorkerStats().retired).toBe(retired + 1)
    expect(await parseHclInWorker('x.hcl', ok)).toEqual({target: {default: [{dockerfile: 'Dockerfile'}]}})
  }, 60_000)

  it('is replaced when its WASM memory passed the bound after a parse', async () => {
    await parseHclInWorker('warm.hcl', ok)
    const before = hclWorkerStats().retired
    // 60,000 "+" terms grow the Go heap past the bound (a deadline for a loaded machine: this is not about time)
    process.env.BAKEDOCTOR_HCL_PARSE_TIMEOUT = '120'
    await parseHclInWorker('big.hcl', `a = ${Array(60_000).fill('1').join(' + ')}\n`)
    expect(hclWorkerStats().retired).toBe(before + 1)
    expect(await parseHclInWorker('x.hcl', ok)).toEqual({target: {default: [{dockerfile: 'Dockerfile'}]}})
  }, 60_000)
})
