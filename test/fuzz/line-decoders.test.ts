/**
 * Property-based fuzzing of the line decoders (rawjson, Docker Engine /build stream, plain logs) on
 * mutated real captures: bit flips, truncation at random offsets, duplicated / reordered / dropped
 * lines, injected non-JSON and invalid UTF-8 lines, huge lines and huge JSON strings, CRLF endings.
 *
 * Every case must end in events (then folded into a Run by RunFolder) or an InputError with a
 * position; never another exception, never a hang (per-case budget), never output that is a
 * multiple of the input (bounded memory). The same bytes also go through the real entry point
 * (`openEventSource`, stdin form: format detection + reader), where a bad input is an InputError
 * naming `-` and line 1.
 */
import {readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {Readable} from 'node:stream'
import fc from 'fast-check'
import {describe, expect, test} from 'vitest'
import {openEventSource} from '../../src/adapters/input/read-events.js'
import {readLines} from '../../src/adapters/input/read-lines.js'
import {createEngineDecoder} from '../../src/domain/events/decode-engine.js'
import {createPlainDecoder} from '../../src/domain/events/decode-plain.js'
import {createRawjsonDecoder} from '../../src/domain/events/decode-rawjson.js'
import type {LineDecoder} from '../../src/domain/events/line-decoder.js'
import type {EventFormat, StreamEvent} from '../../src/domain/events/stream-event.js'
import {PROJECT_ROOT} from '../helpers/cli.js'
import {
  FUZZ_RUNS, PROPERTY_TIMEOUT_MS, anyMutation, checkEvents, expectInputErrorWithPosition, fcParams, foldAndCheck, mutate, withinBudget,
} from './mutate.js'
import {betweenRuns, printFiguresAfterAll} from './figures.js'

printFiguresAfterAll('test/fuzz/line-decoders.test.ts')

const root = (...p: string[]) => path.join(PROJECT_ROOT, ...p)

function rawjsonCaptures(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = []
  for (const dir of ['fixtures/buildkit-0.11-rawjson', 'fixtures/bake-0.10-rawjson']) {
    for (const run of readdirSync(root(dir))) {
      try {
        out.push([`${dir}/${run}`, readFileSync(root(dir, run, 'rawjson.json'))])
      } catch {
        // not a capture directory
      }
    }
  }
  // the older indented form (pre-v0.13 embedders): one pretty-printed object after another
  const compact = readFileSync(root('fixtures/buildkit-0.11-rawjson/r2-warm-remote/rawjson.json'), 'utf8')
  const indented = compact.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.stringify(JSON.parse(l), null, 2)).join('\n')
  out.push(['indented r2-warm-remote', Buffer.from(indented)])
  return out
}

const engineDir = root('test/fixtures/engine-20.10')
const engineCaptures = readdirSync(engineDir).filter((f) => f.endsWith('.jsonl') && !f.endsWith('.decoded.jsonl')).map((f): [string, Buffer] => [f, readFileSync(path.join(engineDir, f))])
const plainCaptures = readdirSync(engineDir).filter((f) => f.endsWith('.plain.txt')).map((f): [string, Buffer] => [f, readFileSync(path.join(engineDir, f))])

/** The reader + decoder, the way `ingest` runs them, over one buffer delivered in random chunks. */
async function decodeBytes(create: () => LineDecoder, bytes: Buffer, chunk: number): Promise<StreamEvent[]> {
  const decoder = create()
  // random chunk boundaries, but not millions of 1-byte chunks (that only measures the async iteration)
  const size = Math.max(chunk, Math.ceil(bytes.length / 4096))
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  const events: StreamEvent[] = []
  async function* source(): AsyncGenerator<Buffer> {
    yield* chunks
  }
  for await (const {text, line, oversize} of readLines(source())) {
    if (oversize) {
      events.push({type: 'skipped', text: text.slice(0, 80), position: {line}})
      continue
    }
    events.push(...decoder.push(text, line))
  }
  events.push(...decoder.end())
  return events
}

async function viaEntryPoint(bytes: Buffer, format?: EventFormat): Promise<{events?: StreamEvent[]; error?: unknown; format?: EventFormat}> {
  try {
    const source = await openEventSource('-', {stdin: Readable.from([bytes]), format})
    const events: StreamEvent[] = []
    for await (const e of source.events) events.push(e)
    return {events, format: source.format}
  } catch (error) {
    return {error}
  }
}

const decoders: Array<{name: EventFormat; create: () => LineDecoder; captures: Array<[string, Buffer]>}> = [
  {name: 'rawjson', create: createRawjsonDecoder, captures: rawjsonCaptures()},
  {name: 'engine', create: createEngineDecoder, captures: engineCaptures},
  {name: 'plain', create: createPlainDecoder, captures: plainCaptures},
]

describe(`line decoders on mutated real captures (${FUZZ_RUNS} runs each)`, () => {
  test('the captures are there', () => {
    for (const d of decoders) expect(d.captures.length, d.name).toBeGreaterThan(0)
  })

  for (const d of decoders) {
    test(`${d.name}: every mutation decodes to events (folded into a run) or an InputError with a position`, async () => {
      let decodedSteps = 0
      await fc.assert(
        fc.asyncProperty(
          fc.integer({min: 0, max: d.captures.length - 1}),
          anyMutation,
          fc.integer({min: 1, max: 70_000}),
          async (which, mutation, chunk) => {
            const [name, original] = d.captures[which]!
            const input = mutate(original, mutation)
            await withinBudget(`${d.name}/mutated ${name}`, async () => {
              // in a function of its own: the runs below hold only their own events, as one CLI run would
              const steps = await (async (): Promise<number | undefined> => {
                let events: StreamEvent[]
                try {
                  events = await decodeBytes(d.create, input, chunk)
                } catch (error) {
                  expectInputErrorWithPosition(error)
                  return undefined
                }
                checkEvents(events, input.length)
                return foldAndCheck(events, {source: d.name, target: 'fuzz'}).steps.length
              })()
              if (steps === undefined) return
              decodedSteps += steps

              // the real entry point: detection + reader + decoder; forced format too
              for (const format of [undefined, d.name]) {
                betweenRuns()
                const r = await viaEntryPoint(input, format)
                if (r.error) {
                  const e = expectInputErrorWithPosition(r.error)
                  expect(e.file).toBe('-')
                } else {
                  checkEvents(r.events!, input.length)
                  foldAndCheck(r.events!, {source: r.format})
                }
              }
            })
          },
        ),
        fcParams(),
      )
      // the mutations are mostly survivable: the decoders really decoded something
      expect(decodedSteps).toBeGreaterThan(0)
    }, PROPERTY_TIMEOUT_MS)
  }

  test('pure garbage in any format is skipped line by line, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({maxLength: 4096}), fc.constantFrom(...decoders), async (bytes, d) => {
        await withinBudget(`${d.name}/garbage`, async () => {
          const events = await decodeBytes(d.create, Buffer.from(bytes), 512)
          checkEvents(events, bytes.length)
          foldAndCheck(events)
        })
      }),
      fcParams(),
    )
  }, PROPERTY_TIMEOUT_MS)
})
