/**
 * Shared pieces of the fuzz suite: how many runs, mutation arbitraries over real captures (bytes and
 * lines), the outcome check (a result, or an InputError with a position), and a per-case time budget.
 *
 * Runs per property: BAKEDOCTOR_FUZZ_RUNS (default 100; `npm run fuzz` sets 10000). A failing case
 * prints fast-check's seed and path; replay it with BAKEDOCTOR_FUZZ_SEED=<seed> BAKEDOCTOR_FUZZ_PATH=<path>.
 */
import fc from 'fast-check'
import {expect} from 'vitest'
import {InputError} from '../../src/domain/errors.js'
import type {StreamEvent} from '../../src/domain/events/stream-event.js'
import {RunFolder} from '../../src/domain/steps/fold-run.js'
import {computeTotals} from '../../src/domain/model/totals.js'
import type {Run} from '../../src/domain/model/run.js'
import {currentParser, endCase, reportOutcome, startCase, takeReported} from './figures.js'

export const FUZZ_RUNS = Math.max(1, Number(process.env.BAKEDOCTOR_FUZZ_RUNS ?? 100) || 100)

/** vitest timeout for one property: generous, grows with the number of runs */
export const PROPERTY_TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 200)

/** One case may not take longer than this: more means a hang (not a performance target). */
export const CASE_BUDGET_MS = 10_000

export function fcParams(runs = FUZZ_RUNS): fc.Parameters<unknown> {
  // the quick variant inside `npm test` is reproducible (a CI run must not turn red by chance);
  // `npm run fuzz` (BAKEDOCTOR_FUZZ_RUNS set) draws new cases every time
  const seed = process.env.BAKEDOCTOR_FUZZ_SEED ?? (process.env.BAKEDOCTOR_FUZZ_RUNS === undefined ? '20261123' : undefined)
  const path = process.env.BAKEDOCTOR_FUZZ_PATH
  return {
    numRuns: runs,
    ...(seed ? {seed: Number(seed)} : {}),
    ...(path ? {path} : {}),
    endOnFailure: true,
  }
}

// ---------------------------------------------------------------- byte mutations

export type ByteMutation =
  | {kind: 'flip'; at: number; bit: number}
  | {kind: 'truncate'; at: number}
  | {kind: 'insert'; at: number; bytes: Uint8Array}
  | {kind: 'delete'; at: number; length: number}
  | {kind: 'duplicate'; at: number; length: number}
  | {kind: 'overwrite'; at: number; bytes: Uint8Array}

/** offsets are fractions of the input length, so one arbitrary fits every input */
const frac = fc.double({min: 0, max: 1, noNaN: true, maxExcluded: true})

/** one byte-level edit; `at` is a fraction of the input length */
export interface ByteMut {
  kind: ByteMutation['kind']
  at: number
  bit: number
  length: number
  bytes: Uint8Array
}

export const byteMutation: fc.Arbitrary<ByteMut> = fc.record({
  kind: fc.constantFrom<ByteMutation['kind']>('flip', 'flip', 'flip', 'truncate', 'insert', 'delete', 'duplicate', 'overwrite'),
  at: frac,
  bit: fc.integer({min: 0, max: 7}),
  length: fc.integer({min: 1, max: 2048}),
  bytes: fc.uint8Array({minLength: 1, maxLength: 64}),
})

export const byteMutations = fc.array(byteMutation, {minLength: 1, maxLength: 8})

export function applyByteMutations(input: Uint8Array, mutations: readonly ByteMut[]): Buffer {
  let buf = Buffer.from(input)
  for (const m of mutations) {
    const at = Math.floor(m.at * buf.length)
    switch (m.kind) {
      case 'flip':
        if (buf.length) buf[at] = buf[at]! ^ (1 << m.bit)
        break
      case 'truncate':
        buf = buf.subarray(0, at)
        break
      case 'insert':
        buf = Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)])
        break
      case 'delete':
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.length)])
        break
      case 'duplicate':
        buf = Buffer.concat([buf.subarray(0, at + m.length), buf.subarray(at, at + m.length), buf.subarray(at + m.length)])
        break
      case 'overwrite': {
        buf = Buffer.from(buf)
        Buffer.from(m.bytes).copy(buf, at)
        break
      }
    }
  }
  return buf
}

// ---------------------------------------------------------------- line mutations

/** A line that is not JSON: CLI noise, binary junk, a half object, invalid UTF-8. */
export const junkLine: fc.Arbitrary<Buffer> = fc.oneof(
  fc.string({maxLength: 200}).map((s) => Buffer.from(s)),
  fc.uint8Array({maxLength: 200}).map((b) => Buffer.from(b).filter((x) => x !== 10) as Buffer),
  fc.constantFrom(
    '{', '}', '{"vertexes":', '{"vertexes":[{"digest":', '[]', 'null', '{"id":"moby.buildkit.trace","aux":"!!!"}',
    '{"id":"moby.buildkit.trace","aux":"CgQ="}', '#1 [internal] load', '#1 DONE 0.1s', '#99 CACHED', '------', 'ERROR: failed to solve',
    '{"errorDetail":{"message":"boom"},"error":"boom"}', '{"aux":{"ID":"sha256:x"}}', '{"vertexes":null,"logs":{}}',
    '{"Vertexes":[{"Digest":"sha256:a","Name":"[x 1/1] RUN y","Started":"not a time","Completed":12}]}',
    '{"logs":[{"vertex":"sha256:a","data":"%%%"}]}', '\uFEFF{"vertexes":[]}',
  ).map((s) => Buffer.from(s)),
  fc.constant(Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed])), // invalid UTF-8
  // deep nesting: inside a known field, and bare
  fc.tuple(fc.integer({min: 100, max: 50_000}), fc.constantFrom('{"vertexes":', '{"logs":', '{"aux":', '{"statuses":', '')).map(([n, head]) => Buffer.from(`${head}${'['.repeat(n)}${']'.repeat(n)}${head ? '}' : ''}`)),
  fc.integer({min: 100, max: 50_000}).map((n) => Buffer.from(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`)),
)

/** A huge line: a long run of one character, or a huge string inside a JSON value. */
export const hugeLine: fc.Arbitrary<Buffer> = fc.record({
  size: fc.integer({min: 64 * 1024, max: 2 * 1024 * 1024}),
  char: fc.constantFrom('A', '{', '"', '\\', '#', ' '),
  shape: fc.constantFrom('raw', 'name', 'log', 'stream', 'aux'),
}).map(({size, char, shape}) => {
  const body = char.repeat(size)
  const safe = 'A'.repeat(size)
  switch (shape) {
    case 'raw':
      return Buffer.from(body)
    case 'name':
      return Buffer.from(JSON.stringify({vertexes: [{digest: 'sha256:huge', name: `[a 1/1] RUN ${safe}`, started: '2024-01-01T00:00:00Z'}]}))
    case 'log':
      return Buffer.from(JSON.stringify({logs: [{vertex: 'sha256:huge', stream: 1, data: Buffer.from(safe).toString('base64')}]}))
    case 'stream':
      return Buffer.from(JSON.stringify({stream: safe}))
    default:
      return Buffer.from(JSON.stringify({id: 'moby.buildkit.trace', aux: Buffer.from(safe).toString('base64')}))
  }
})

export type LineMutation =
  | {kind: 'dup'; at: number; times: number}
  | {kind: 'swap'; at: number; to: number}
  | {kind: 'reverse-window'; at: number; length: number}
  | {kind: 'drop'; at: number}
  | {kind: 'inject'; at: number; line: Buffer}
  | {kind: 'huge'; at: number; line: Buffer}
  | {kind: 'cut-line'; at: number; keep: number}
  | {kind: 'crlf'}

export const lineMutation: fc.Arbitrary<LineMutation> = fc.oneof(
  {weight: 3, arbitrary: fc.record({kind: fc.constant('dup' as const), at: frac, times: fc.integer({min: 1, max: 5})})},
  {weight: 3, arbitrary: fc.record({kind: fc.constant('swap' as const), at: frac, to: frac})},
  {weight: 2, arbitrary: fc.record({kind: fc.constant('reverse-window' as const), at: frac, length: fc.integer({min: 2, max: 40})})},
  {weight: 2, arbitrary: fc.record({kind: fc.constant('drop' as const), at: frac})},
  {weight: 4, arbitrary: fc.record({kind: fc.constant('inject' as const), at: frac, line: junkLine})},
  {weight: 1, arbitrary: fc.record({kind: fc.constant('huge' as const), at: frac, line: hugeLine})},
  {weight: 2, arbitrary: fc.record({kind: fc.constant('cut-line' as const), at: frac, keep: frac})},
  {weight: 1, arbitrary: fc.record({kind: fc.constant('crlf' as const)})},
)

export const lineMutations = fc.array(lineMutation, {minLength: 1, maxLength: 10})

export function splitLines(input: Uint8Array): Buffer[] {
  const buf: Buffer = Buffer.from(input)
  const out: Buffer[] = []
  let start = 0
  for (;;) {
    const nl = buf.indexOf(10, start)
    if (nl < 0) {
      if (start < buf.length) out.push(buf.subarray(start))
      return out
    }
    out.push(buf.subarray(start, nl))
    start = nl + 1
  }
}

export function applyLineMutations(input: Uint8Array, mutations: readonly LineMutation[]): Buffer {
  let lines: Buffer[] = splitLines(input)
  let crlf = false
  for (const m of mutations) {
    const i = Math.floor(('at' in m ? m.at : 0) * (lines.length || 1))
    switch (m.kind) {
      case 'dup':
        if (lines[i]) lines.splice(i, 0, ...Array.from({length: m.times}, () => lines[i]!))
        break
      case 'swap': {
        const j = Math.floor(m.to * lines.length)
        if (lines[i] && lines[j]) [lines[i], lines[j]] = [lines[j]!, lines[i]!]
        break
      }
      case 'reverse-window':
        lines = [...lines.slice(0, i), ...lines.slice(i, i + m.length).reverse(), ...lines.slice(i + m.length)]
        break
      case 'drop':
        lines.splice(i, 1)
        break
      case 'inject':
      case 'huge':
        lines.splice(i, 0, m.line)
        break
      case 'cut-line':
        if (lines[i]) lines[i] = lines[i]!.subarray(0, Math.floor(m.keep * lines[i]!.length))
        break
      case 'crlf':
        crlf = true
        break
    }
  }
  const sep = Buffer.from(crlf ? '\r\n' : '\n')
  const parts: Buffer[] = []
  for (const l of lines) parts.push(l, sep)
  return Buffer.concat(parts)
}

/** Either kind of mutation, applied to a capture. */
export const anyMutation = fc.oneof(
  {weight: 3, arbitrary: lineMutations.map((m) => ({lines: m}))},
  {weight: 2, arbitrary: byteMutations.map((m) => ({bytes: m}))},
  {weight: 1, arbitrary: fc.record({lines: lineMutations, bytes: byteMutations})},
)

export function mutate(input: Uint8Array, m: {lines?: readonly LineMutation[]; bytes?: readonly ByteMut[]}): Buffer {
  let out: Buffer = Buffer.from(input)
  if (m.lines) out = applyLineMutations(out, m.lines)
  if (m.bytes) out = applyByteMutations(out, m.bytes)
  return out
}

// ---------------------------------------------------------------- outcome checks

/** The only acceptable failure: an InputError that says where (file, line, offset or entry). */
export function expectInputErrorWithPosition(error: unknown, opts: {needFile?: boolean} = {}): InputError {
  reportOutcome(error instanceof InputError ? 'input-error' : 'crash')
  if (!(error instanceof InputError)) {
    throw new Error(`expected a result or an InputError, got ${(error as Error)?.name ?? typeof error}: ${(error as Error)?.stack ?? String(error)}`)
  }
  const p = error.position
  const hasPosition = p !== undefined && (p.line !== undefined || p.offset !== undefined || p.entry !== undefined)
  if (opts.needFile) expect(error.file, `InputError without a file: ${error.message}`).toBeTruthy()
  expect(hasPosition || error.file !== undefined, `InputError without a position: ${error.message}`).toBe(true)
  expect(error.message.length).toBeGreaterThan(0)
  return error
}

/** Event shape invariants, and a bound on what the events carry (no amplification of the input). */
export function checkEvents(events: readonly StreamEvent[], inputBytes: number): void {
  let carried = 0
  for (const e of events) {
    expect(e.position, `event without position: ${e.type}`).toBeDefined()
    switch (e.type) {
      case 'skipped':
        expect(typeof e.text).toBe('string')
        carried += e.text.length
        break
      case 'build-error':
        expect(typeof e.message).toBe('string')
        carried += e.message.length
        break
      case 'result':
        expect(typeof e.imageId).toBe('string')
        break
      case 'status':
        for (const v of e.status.vertexes ?? []) {
          expect(typeof v.digest).toBe('string')
          carried += v.digest.length + (v.name?.length ?? 0) + (v.error?.length ?? 0)
        }
        for (const l of e.status.logs ?? []) carried += l.data.length
        for (const w of e.status.warnings ?? []) carried += (w.short?.length ?? 0) + (w.detail ?? []).reduce((a, d) => a + d.length, 0)
        break
      case 'record':
        break
    }
  }
  // a decoder may copy its input into events (skipped text, names) but never multiply it
  expect(carried, 'events carry far more than the input holds').toBeLessThanOrEqual(4 * inputBytes + 256 * 1024)
}

/** Fold whatever came out: finish() must produce a sane run. */
export function foldAndCheck(events: readonly StreamEvent[], options: ConstructorParameters<typeof RunFolder>[0] = {}): Run {
  const folder = new RunFolder(options)
  for (const e of events) folder.push(e)
  const run = folder.finish()
  expect(['completed', 'failed', 'cancelled', 'incomplete']).toContain(run.status)
  expect(Number.isFinite(run.durationMs)).toBe(true)
  const totals = computeTotals(run.steps)
  expect(totals.hits).toBeLessThanOrEqual(totals.cacheable)
  if (totals.hitRate !== null) {
    expect(totals.hitRate).toBeGreaterThanOrEqual(0)
    expect(totals.hitRate).toBeLessThanOrEqual(1)
  }
  for (const s of run.steps) {
    expect(s.durationMs).toBeGreaterThanOrEqual(0)
    expect(s.logTail.length).toBeLessThanOrEqual(1000)
  }
  return run
}

/** Runs one case under the time budget (async work is raced; sync work is measured). */
export async function withinBudget<T>(what: string, fn: () => Promise<T> | T, budgetMs = CASE_BUDGET_MS): Promise<T> {
  // figures: the parser is the first word of `what`; the outcome is what the case reported
  const parser = what.split(' ')[0] ?? what
  startCase(parser)
  takeReported()
  const state: {outcome: 'result' | 'input-error' | 'crash' | 'hang'} = {outcome: 'result'}
  const started = performance.now()
  const cpu = process.cpuUsage()
  try {
    return await timed(what, fn, budgetMs, () => (state.outcome = 'hang'))
  } catch (error) {
    if (state.outcome !== 'hang') state.outcome = 'crash'
    throw error
  } finally {
    const reported = takeReported()
    if (state.outcome === 'result' && reported) state.outcome = reported
    const used = process.cpuUsage(cpu)
    endCase(currentParser(), performance.now() - started, (used.user + used.system) / 1000, state.outcome)
  }
}

/**
 * `npm run fuzz` (figures collected) counts a hang and goes on, so that the table shows every case
 * and each hang's wall and CPU time; the quick variant in `npm test` fails at the first.
 */
const COUNT_HANGS = process.env.BAKEDOCTOR_FUZZ_FIGURES !== undefined

async function timed<T>(what: string, fn: () => Promise<T> | T, budgetMs: number, onHang: () => void): Promise<T> {
  const started = performance.now()
  if (COUNT_HANGS) {
    const value = await fn()
    if (performance.now() - started > budgetMs) onHang()
    return value
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onHang()
      reject(new Error(`${what}: no outcome within ${budgetMs} ms (a hang)`))
    }, budgetMs)
  })
  try {
    const value = await Promise.race([Promise.resolve().then(fn), timeout])
    const took = performance.now() - started
    if (took > budgetMs) {
      onHang()
      throw new Error(`${what}: took ${Math.round(took)} ms, over the ${budgetMs} ms budget (a hang)`)
    }
    return value
  } finally {
    clearTimeout(timer)
  }
}
