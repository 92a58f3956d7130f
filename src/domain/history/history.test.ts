import {describe, expect, test} from 'vitest'
import {InputError} from '../errors.js'
import type {Run} from '../model/run.js'
import {buildRunManifest, parseRunManifest, runAnnotations, RUN_ARTIFACT_TYPE, ANNOTATION} from './artifact.js'
import {createdAtOfGlobalId, isGlobalId, makeGlobalId} from './global-id.js'
import {parseRecord, RECORD_SCHEMA, serializeRecord, type HistoryRecord} from './record.js'

const run: Run = {
  id: 'r7', source: 'rawjson', createdAt: Date.UTC(2026, 11, 6, 3, 4, 5, 678), durationMs: 1200, status: 'completed',
  targets: ['api'], platforms: ['linux/amd64'], labels: {ci: 'gh'}, git: {branch: 'main', commit: 'abc123'}, skippedLines: 0,
  steps: [{
    digest: 'sha256:' + 'a'.repeat(64), name: '[api 2/2] RUN make', target: 'api', kind: 'RUN', instruction: 'RUN make', internal: false,
    cacheable: true, cached: false, servedInRun: false, completed: true, durationMs: 900, inputs: [], logTail: ['ok'],
    stepInputs: {fingerprint: 'f1', components: [{kind: 'arg', name: 'TOKEN', value: 'secret:0123456789abcdef', secret: true}], dockerfile: 'Dockerfile', line: 3},
  }],
}
const record: HistoryRecord = {
  schema: RECORD_SCHEMA, globalId: makeGlobalId(run.createdAt, '0123456789abcdef'),
  totals: {cacheable: 1, hits: 0, servedInRun: 0, spentMs: 900, savedMs: 0, timeWeighted: 0}, run,
}

describe('global run ids', () => {
  test('carry the creation second, sort by it, and are valid registry tags', () => {
    const id = makeGlobalId(run.createdAt, '0123456789abcdef')
    expect(id).toBe('20261206t030405-0123456789abcdef')
    expect(isGlobalId(id)).toBe(true)
    expect(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(id)).toBe(true)
    expect(createdAtOfGlobalId(id)).toBe(Date.UTC(2026, 11, 6, 3, 4, 5))
    expect(makeGlobalId(Date.UTC(2025, 0, 1), 'f'.repeat(16)) < id).toBe(true)
    expect(isGlobalId('latest')).toBe(false)
    expect(makeGlobalId(Number.NaN, '0'.repeat(16))).toBe('00000000t000000-0000000000000000')
  })
})

describe('run records', () => {
  test('round-trip without the local id', () => {
    const parsed = parseRecord(serializeRecord(record), 'ref:tag')
    const {id: _local, ...rest} = run
    expect(parsed.run).toEqual(rest)
    expect(parsed.totals).toEqual(record.totals)
    expect(parsed.globalId).toBe(record.globalId)
  })

  test.each([
    ['a step kind it does not know', (r: any) => (r.run.steps[0].kind = 'EXPLODE'), 'run.steps[0].kind'],
    ['a status it does not know', (r: any) => (r.run.status = 'weird'), 'run.status'],
    ['a global id that is not one', (r: any) => (r.globalId = '../../etc'), 'globalId'],
    ['another schema', (r: any) => (r.schema = 'bakedoctor.run/v9'), 'schema'],
    ['a non-string log line', (r: any) => (r.run.steps[0].logTail = [{}]), 'run.steps[0].logTail[0]'],
  ])('refuses %s, naming the field (exit-2 input error)', (_what, mutate, field) => {
    const bad = JSON.parse(serializeRecord(record))
    mutate(bad)
    const error = (() => {
      try {
        parseRecord(JSON.stringify(bad), 'reg/hist:tag')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).message).toContain(field)
    expect((error as InputError).file).toBe('reg/hist:tag')
  })
})

describe('run artifacts', () => {
  test('OCI 1.1 and 1.0 forms both read back; annotations say what the run was', () => {
    const layer = {digest: 'sha256:' + 'b'.repeat(64), size: 321}
    const annotations = runAnnotations(record)
    expect(annotations[ANNOTATION.branch]).toBe('main')
    expect(annotations[ANNOTATION.hitRate]).toBe('0.0000')
    expect(annotations[ANNOTATION.created]).toBe('2026-12-06T03:04:05.678Z')
    for (const form of ['oci-1.1', 'oci-1.0'] as const) {
      const bytes = buildRunManifest(layer, annotations, form)
      const m = JSON.parse(bytes.toString())
      expect(form === 'oci-1.1' ? m.artifactType : m.config.mediaType).toBe(RUN_ARTIFACT_TYPE)
      expect(parseRunManifest(bytes.toString(), 'x')).toEqual({layer, annotations})
      expect(buildRunManifest(layer, annotations, form).equals(bytes)).toBe(true)
    }
    expect(() => parseRunManifest(JSON.stringify({schemaVersion: 2, config: {mediaType: 'application/vnd.oci.image.config.v1+json'}, layers: []}), 'reg/hist:x')).toThrow(InputError)
  })

  test('a manifest whose artifact type is nested 10,000 deep is refused without printing it (found by the fuzz: a stack overflow)', () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`
    const text = `{"schemaVersion":2,"artifactType":${deep},"layers":[]}`
    expect(() => parseRunManifest(text, 'reg/hist:x')).toThrow(/its artifact type is not a string but a object/)
  })
})
