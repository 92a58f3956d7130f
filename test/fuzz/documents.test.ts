/**
 * Fuzzing the parsers of the other documents bakedoctor reads: SLSA provenance statements (`ingest
 * --provenance`, registry attestations), Dockerfiles (`ingest --dockerfile`, `build`, `explain`), and
 * the run history pulled from a registry (the artifact manifest and the run record). Mutated real
 * documents (bytes flipped / cut / duplicated, any JSON node replaced by any value) and hostile shapes
 * (long junk runs, nesting to 50,000, huge arrays and strings, deep `${…}` expansions, thousands of
 * stages and continuation lines). Every case: a result or an InputError that says what to do; never
 * another exception, never over the 10 s case budget.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {describe, expect, test} from 'vitest'
import {InputError} from '../../src/domain/errors.js'
import {createRawjsonDecoder} from '../../src/domain/events/decode-rawjson.js'
import {buildRunManifest, parseRunManifest, runAnnotations} from '../../src/domain/history/artifact.js'
import {makeGlobalId} from '../../src/domain/history/global-id.js'
import {parseRecord, RECORD_SCHEMA, serializeRecord, type HistoryRecord} from '../../src/domain/history/record.js'
import {computeTotals} from '../../src/domain/model/totals.js'
import {parseDockerfile} from '../../src/domain/dockerfile/parse.js'
import {planSteps} from '../../src/domain/dockerfile/steps.js'
import {parseProvenanceText, parseProvenanceValue} from '../../src/domain/provenance/parse-provenance.js'
import {RunFolder} from '../../src/domain/steps/fold-run.js'
import {FIXTURES} from '../helpers/fixtures.js'
import {printFiguresAfterAll, reportOutcome} from './figures.js'
import {FUZZ_RUNS, PROPERTY_TIMEOUT_MS, applyByteMutations, byteMutations, fcParams, withinBudget} from './mutate.js'

printFiguresAfterAll('test/fuzz/documents.test.ts')

/** A result, or an InputError with a fix (and a file where the caller names one); anything else fails the property. */
async function oneCase(parser: string, fn: () => unknown, file?: string): Promise<void> {
  await withinBudget(parser, () => {
    try {
      fn()
    } catch (error) {
      if (!(error instanceof InputError)) throw new Error(`expected a result or an InputError, got ${(error as Error)?.stack ?? String(error)}`, {cause: error})
      expect(error.message.length).toBeGreaterThan(0)
      expect(error.fix, `no fix: ${error.message}`).toBeTruthy()
      if (file) expect(error.file).toBe(file)
      reportOutcome('input-error')
    }
  })
}

const size = fc.oneof(fc.integer({min: 0, max: 20}), fc.integer({min: 20, max: 2_000}), fc.integer({min: 2_000, max: 50_000}))
const chain = (n: number, f: (i: number) => string) => Array.from({length: n}, (_, i) => f(i)).join('')

/** Replaces the value at a path (indices into the keys at each level) with another value. */
function replaceAt(value: unknown, pick: readonly number[], replacement: unknown): unknown {
  if (pick.length === 0 || typeof value !== 'object' || value === null) return replacement
  const keys = Object.keys(value)
  if (keys.length === 0) return replacement
  const key = keys[pick[0]! % keys.length]!
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : {...(value as Record<string, unknown>)}
  copy[key] = replaceAt((value as Record<string, unknown>)[key], pick.slice(1), replacement)
  return copy
}

/** hostile JSON (as text) to put anywhere: nesting to 50,000, huge arrays and strings, wrong types */
const hostileValue: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({maxDepth: 4}).map((v) => JSON.stringify(v)),
  size.map((n) => '['.repeat(n) + ']'.repeat(n)),
  size.map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  size.map((n) => `[${Array(n * 2).fill('{"digest":"sha256:0","name":"x"}').join(',')}]`),
  size.map((n) => JSON.stringify('A'.repeat(n * 20))),
  fc.constantFrom('null', '-1', '1e308', '9007199254740993', '""', '"sha256:"', '{}', '[]', '[[]]', '{"":null}', '{"__proto__":{"x":1}}', '{"constructor":1}'),
)

const MARK = '\u0001hostile\u0001'
/** the document's JSON text with the node at `pick` replaced by `value` (text: deep nesting cannot go through JSON.stringify) */
function replaceText(json: unknown, pick: readonly number[], value: string): string {
  return JSON.stringify(replaceAt(json, pick, MARK)).replace(JSON.stringify(MARK), () => value)
}

/** JSON text shapes that are not (or barely) documents */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('{', '[', '"', '\\', ',', ':', 'x', '\u0000', '\uFFFD', ' '), size).map(([c, n]) => c.repeat(n)),
  fc.tuple(fc.constantFrom('{"a":', '[', '{"predicate":'), size).map(([o, n]) => `${o.repeat(n)}1${(o === '[' ? ']' : '}').repeat(n)}`),
  fc.tuple(fc.constantFrom('{"a":', '['), size).map(([o, n]) => o.repeat(n)),
  fc.jsonValue({maxDepth: 6}).map((v) => JSON.stringify(v)),
)

// ------------------------------------------------------------------ provenance

const statement = readFileSync(path.join(FIXTURES, 'provenance-0.11', 'p3-build-mode', 'provenance.linux_amd64.json'))
const statementJson = JSON.parse(statement.toString('utf8')) as unknown

// ------------------------------------------------------------------ Dockerfiles

const dockerfiles = [
  'fixtures/bake-0.10-rawjson/mono-context/services/worker/Dockerfile',
  'fixtures/bake-0.10-rawjson/mono-context/services/api/Dockerfile',
  'fixtures/provenance-0.11/app-context/Dockerfile',
  'fixtures/buildkit-0.11-rawjson/app-context/api/Dockerfile',
].map((f) => readFileSync(path.join(FIXTURES, '..', f), 'utf8'))

const DOCKERFILE_SNIPPETS = [
  'FROM', 'FROM a b c d', 'RUN', 'COPY --from= x y', 'COPY --from=nosuchstage a b', 'ARG', 'ARG A=${B:-${C:-${D}}}', 'ENV A=$A$A$A$A',
  '# syntax=docker/dockerfile:1', '# escape=`', '# escape=x', 'RUN <<EOF\necho\nEOF', 'RUN <<EOF', 'RUN ["a", "b"', 'RUN ["a", ["b"]]',
  'FROM scratch AS a\nFROM a AS a', 'ONBUILD ONBUILD RUN x', 'HEALTHCHECK CMD', 'WORKDIR $nosuch', 'FROM ${X:?missing}', '\\', '\u0000', '\uFFFD',
]

const hostileDockerfile: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('\\', '`', '$', '{', '[', '"', "'", '#', '\u0000', '\r', '<<', '\n'), size).map(([c, n]) => c.repeat(n)),
  size.map((n) => `FROM alpine\nRUN echo ${'a \\\n'.repeat(n)}b\n`),
  fc.tuple(size, fc.boolean()).map(([n, set]) => `ARG A=x\nFROM alpine\n${set ? 'ARG A\n' : ''}ENV B=${'${A:-'.repeat(Math.min(n, 20_000))}y${'}'.repeat(Math.min(n, 20_000))}\nRUN echo ${'${A:-'.repeat(Math.min(n, 20_000))}y${'}'.repeat(Math.min(n, 20_000))} $B\n`),
  size.map((n) => `FROM alpine\nRUN ${'['.repeat(n)}"a"${']'.repeat(n)}\n`),
  fc.integer({min: 1, max: 5_000}).map((n) => chain(n, (i) => `FROM alpine AS s${i}\nCOPY --from=${i ? `s${i - 1}` : 'alpine'} /a /a\n`)),
  fc.integer({min: 1, max: 64}).map((n) => `ARG A0=ab\n${chain(n, (i) => `ARG A${i + 1}=\${A${i}}\${A${i}}\n`)}FROM alpine\nARG A${n}\nRUN echo $A${n}\n`),
  fc.integer({min: 1, max: 20_000}).map((n) => `FROM alpine\n${'ENV A=1\n'.repeat(n)}`),
  size.map((n) => `FROM alpine\nRUN <<EOF\n${'x\n'.repeat(n)}`),
)

type DfEdit = {at: number; pick: number; drop: boolean}

function editDockerfile(text: string, edits: readonly DfEdit[]): string {
  const lines = text.split('\n')
  for (const e of edits) {
    const i = Math.floor(e.at * (lines.length + 1))
    if (e.drop) lines.splice(i, 1)
    else lines.splice(i, 0, DOCKERFILE_SNIPPETS[e.pick % DOCKERFILE_SNIPPETS.length]!)
  }
  return lines.join('\n')
}

function dockerfileCase(text: string): void {
  if (Buffer.byteLength(text) > 1024 * 1024) return // refused before parsing (ingest: the 1 MiB limit)
  const parsed = parseDockerfile(text, 'Dockerfile')
  const plan = planSteps(parsed, {buildArgs: {A: 'x'}, platform: 'linux/amd64', file: 'Dockerfile'})
  for (const stage of plan.stages) for (const step of stage.steps) expect(typeof step.text).toBe('string')
}

// ------------------------------------------------------------------ history records

function realRecord(): HistoryRecord {
  const decoder = createRawjsonDecoder()
  const folder = new RunFolder({source: 'rawjson', target: 'api'})
  const text = readFileSync(path.join(FIXTURES, 'buildkit-0.11-rawjson', 'r2-warm-remote', 'rawjson.json'), 'utf8')
  text.split('\n').forEach((l, i) => decoder.push(l, i + 1).forEach((e) => folder.push(e)))
  decoder.end().forEach((e) => folder.push(e))
  const run = {...folder.finish(), createdAt: Date.UTC(2026, 11, 6), git: {branch: 'main', commit: 'abc'}}
  const t = computeTotals(run.steps)
  return {schema: RECORD_SCHEMA, globalId: makeGlobalId(run.createdAt, '0123456789abcdef'), totals: {cacheable: t.cacheable, hits: t.hits, servedInRun: 0, spentMs: 1, savedMs: 0, timeWeighted: null}, run}
}
const record = realRecord()
const recordText = serializeRecord(record)
const recordJson = JSON.parse(recordText) as unknown
const manifestText = buildRunManifest({digest: `sha256:${'a'.repeat(64)}`, size: recordText.length}, runAnnotations(record), 'oci-1.1').toString('utf8')
const manifestJson = JSON.parse(manifestText) as unknown

describe(`documents: provenance, Dockerfiles, run history (${FUZZ_RUNS} cases each)`, () => {
  test('the real documents parse unmutated', () => {
    expect(parseProvenanceText(statement.toString('utf8'), {salt: 's'})).toBeTruthy()
    for (const d of dockerfiles) expect(planSteps(parseDockerfile(d)).stages.length).toBeGreaterThan(0)
    expect(parseRecord(recordText, 'reg/hist:tag').run.steps.length).toBe(record.run.steps.length)
    expect(record.run.steps.length).toBeGreaterThan(5)
    expect(parseRunManifest(manifestText, 'reg/hist:tag').layer.size).toBe(recordText.length)
  })

  test('provenance: bytes mutated, any node replaced by a hostile value, hostile text', async () => {
    const input = fc.oneof(
      byteMutations.map((m) => ({text: applyByteMutations(statement, m).toString('utf8')})),
      fc.tuple(fc.array(fc.nat(), {minLength: 1, maxLength: 9}), hostileValue).map(([pick, v]) => ({text: replaceText(statementJson, pick, v)})),
      fc.tuple(fc.array(fc.nat(), {minLength: 1, maxLength: 9}), fc.jsonValue({maxDepth: 3})).map(([pick, v]) => ({value: replaceAt(statementJson, pick, v)})),
      hostileText.map((text) => ({text})),
    )
    await fc.assert(fc.asyncProperty(input, async (i) => oneCase('provenance/mutated+hostile', () => ('text' in i ? parseProvenanceText(i.text, {salt: 's'}) : parseProvenanceValue(i.value, {salt: 's'})))), fcParams())
  }, PROPERTY_TIMEOUT_MS)

  test('Dockerfiles: real ones edited and byte-mutated, hostile shapes', async () => {
    const input = fc.oneof(
      fc.tuple(fc.nat(), fc.array(fc.record({at: fc.double({min: 0, max: 1, noNaN: true}), pick: fc.nat(), drop: fc.boolean()}), {minLength: 1, maxLength: 6})).map(([w, e]) => editDockerfile(dockerfiles[w % dockerfiles.length]!, e)),
      fc.tuple(fc.nat(), byteMutations).map(([w, m]) => applyByteMutations(Buffer.from(dockerfiles[w % dockerfiles.length]!), m).toString('utf8')),
      hostileDockerfile,
    )
    await fc.assert(fc.asyncProperty(input, async (text) => oneCase('dockerfile/mutated+hostile', () => dockerfileCase(text), 'Dockerfile')), fcParams())
  }, PROPERTY_TIMEOUT_MS)

  test('run history: the record and the artifact manifest, mutated and hostile', async () => {
    const doc = (json: unknown, text: string) => fc.oneof(
      byteMutations.map((m) => applyByteMutations(Buffer.from(text), m).toString('utf8')),
      fc.tuple(fc.array(fc.nat(), {minLength: 1, maxLength: 8}), hostileValue).map(([pick, v]) => replaceText(json, pick, v)),
      hostileText,
    )
    await fc.assert(fc.asyncProperty(doc(recordJson, recordText), doc(manifestJson, manifestText), async (r, m) => {
      await oneCase('history-record/mutated+hostile', () => {
        const parsed = parseRecord(r, 'reg/hist:tag')
        expect(typeof serializeRecord(parsed)).toBe('string')
      }, 'reg/hist:tag')
      await oneCase('history-manifest/mutated+hostile', () => parseRunManifest(m, 'reg/hist:tag'), 'reg/hist:tag')
    }), fcParams())
  }, PROPERTY_TIMEOUT_MS)
})
