/**
 * Fuzzing `.dockerbuild` bundles (`docker buildx history export`) at three depths, from the real
 * captures in test/fixtures/dockerbuild:
 *  1. the gzip bytes (bit flips, truncation, splices);
 *  2. the inner tar (mutated, then gzipped again, or handed over as a plain tar);
 *  3. the OCI layout: one blob (index.json, a manifest, the build record, the status frames)
 *     mutated, replaced by junk, or missing.
 * Every case ends in events (folded into a Run) or an InputError naming the file and a position
 * (offset or archive entry): never another exception, never a hang.
 */
import {readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'
import fc from 'fast-check'
import {beforeAll, describe, expect, test} from 'vitest'
import {readDockerbuildStream, readOciLayout} from '../../src/adapters/input/read-dockerbuild.js'
import {decodeDockerbuild, type OciLayout} from '../../src/domain/events/decode-dockerbuild.js'
import type {StreamEvent} from '../../src/domain/events/stream-event.js'
import {PROJECT_ROOT} from '../helpers/cli.js'
import {
  FUZZ_RUNS, PROPERTY_TIMEOUT_MS, applyByteMutations, byteMutations, checkEvents, expectInputErrorWithPosition, fcParams, foldAndCheck, junkLine, withinBudget,
} from './mutate.js'
import {printFiguresAfterAll} from './figures.js'

printFiguresAfterAll('test/fuzz/dockerbuild.test.ts')

const dir = path.join(PROJECT_ROOT, 'test/fixtures/dockerbuild')
const bundles = readdirSync(dir).filter((f) => f.endsWith('.dockerbuild')).map((f) => ({name: f, gz: readFileSync(path.join(dir, f))}))
const tars = bundles.map((b) => ({name: b.name, tar: gunzipSync(b.gz)}))

/** Small limits so that bombs are cheap to hit; the real capture still fits. */
const limits = {maxTotalBytes: 8 * 1024 * 1024, maxEntryBytes: 4 * 1024 * 1024, maxRatio: 200, ratioFloorBytes: 1024 * 1024}

async function readBundle(name: string, bytes: Buffer, chunk: number): Promise<{events?: StreamEvent[]; error?: unknown}> {
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk))
  try {
    const events: StreamEvent[] = []
    for await (const e of readDockerbuildStream(name, chunks, limits)) events.push(e)
    return {events}
  } catch (error) {
    return {error}
  }
}

function check(name: string, inputBytes: number, r: {events?: StreamEvent[]; error?: unknown}): void {
  if (r.error) {
    const e = expectInputErrorWithPosition(r.error, {needFile: true})
    expect(e.file).toBe(name)
    return
  }
  checkEvents(r.events!, Math.max(inputBytes, 1) * 8) // gzip: the expanded size is what counts
  foldAndCheck(r.events!, {source: 'dockerbuild'})
}

describe(`.dockerbuild bundles, mutated (${FUZZ_RUNS} runs each)`, () => {
  const layouts: Array<{name: string; layout: OciLayout}> = []
  beforeAll(async () => {
    for (const b of bundles) layouts.push({name: b.name, layout: await readOciLayout([b.gz])})
  })

  test('the captures decode unmutated', async () => {
    expect(bundles.length).toBeGreaterThanOrEqual(3)
    for (const b of bundles) {
      const r = await readBundle(b.name, b.gz, 1 << 20)
      expect(r.error).toBeUndefined()
      expect(foldAndCheck(r.events!).steps.length).toBeGreaterThan(0)
    }
  })

  test('mutated gzip bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({min: 0, max: bundles.length - 1}), byteMutations, fc.integer({min: 1, max: 65_536}), async (which, mutations, chunk) => {
        const b = bundles[which]!
        const input = applyByteMutations(b.gz, mutations)
        await withinBudget(`dockerbuild/gzip ${b.name}`, async () => check(b.name, input.length, await readBundle(b.name, input, chunk)))
      }),
      fcParams(),
    )
  }, PROPERTY_TIMEOUT_MS)

  test('mutated inner tar, re-gzipped or plain', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({min: 0, max: tars.length - 1}), byteMutations, fc.boolean(), async (which, mutations, regzip) => {
        const t = tars[which]!
        const tar = applyByteMutations(t.tar, mutations)
        const input = regzip ? gzipSync(tar, {level: 1}) : tar
        await withinBudget(`dockerbuild/tar ${t.name}`, async () => check(t.name, tar.length, await readBundle(t.name, input, 16_384)))
      }),
      fcParams(),
    )
  }, PROPERTY_TIMEOUT_MS)

  test('mutated, replaced or missing blobs in the OCI layout', async () => {
    const edit = fc.record({
      blob: fc.double({min: 0, max: 1, noNaN: true, maxExcluded: true}),
      how: fc.constantFrom('mutate', 'mutate', 'mutate', 'junk', 'missing', 'index'),
      mutations: byteMutations,
      junk: junkLine,
    })
    await fc.assert(
      fc.asyncProperty(fc.integer({min: 0, max: bundles.length - 1}), fc.array(edit, {minLength: 1, maxLength: 3}), async (which, edits) => {
        const {name, layout} = layouts[which]!
        const blobs = new Map(layout.blobs)
        let index: unknown = layout.index
        for (const e of edits) {
          const keys = [...blobs.keys()]
          const key = keys[Math.floor(e.blob * keys.length)]
          if (e.how === 'index') {
            const text = applyByteMutations(Buffer.from(JSON.stringify(index)), e.mutations).toString('utf8')
            try {
              index = JSON.parse(text)
            } catch {
              index = text
            }
          } else if (key) {
            if (e.how === 'missing') blobs.delete(key)
            else if (e.how === 'junk') blobs.set(key, e.junk)
            else blobs.set(key, applyByteMutations(blobs.get(key)!, e.mutations))
          }
        }
        await withinBudget(`dockerbuild/layout ${name}`, () => {
          let events: StreamEvent[]
          try {
            events = [...decodeDockerbuild({index, blobs})]
          } catch (error) {
            expectInputErrorWithPosition(error)
            return
          }
          checkEvents(events, [...blobs.values()].reduce((a, b) => a + b.length, 0))
          foldAndCheck(events, {source: 'dockerbuild'})
        })
      }),
      fcParams(),
    )
  }, PROPERTY_TIMEOUT_MS)
})
