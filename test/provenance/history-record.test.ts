import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {makeGlobalId} from '../../src/domain/history/global-id.js'
import {parseRecord, RECORD_SCHEMA, serializeRecord, type HistoryRecord} from '../../src/domain/history/record.js'
import {attachProvenance} from '../../src/domain/provenance/attach.js'
import {parseProvenanceText} from '../../src/domain/provenance/parse-provenance.js'
import {FIXTURES, foldFile} from '../helpers/fixtures.js'

const dir = path.join(FIXTURES, 'provenance-0.11', 'p7-run-edit')

describe('history records carry step definitions', () => {
  it('round-trip: pushed and pulled runs keep every definition and Dockerfile line; an altered one is refused', async () => {
    const folded = await foldFile(path.join(dir, 'rawjson.json'))
    const run = attachProvenance(folded, parseProvenanceText(readFileSync(path.join(dir, 'provenance.json'), 'utf8'), {salt: ''}).records).run
    const record: HistoryRecord = {schema: RECORD_SCHEMA, globalId: makeGlobalId(run.createdAt, '0123456789abcdef'), totals: {cacheable: 8, hits: 7, servedInRun: 0, spentMs: 0, savedMs: 0, timeWeighted: null}, run}
    const back = parseRecord(serializeRecord(record), 'reg/hist:tag')
    const withDef = run.steps.filter((s) => s.provenance)
    expect(withDef.length).toBeGreaterThan(8)
    expect(back.run.steps.filter((s) => s.provenance).map((s) => s.provenance)).toEqual(withDef.map((s) => s.provenance))

    const bad = JSON.parse(serializeRecord(record))
    const i = bad.run.steps.findIndex((s: {provenance?: unknown}) => s.provenance)
    bad.run.steps[i].provenance.definition.inputs = 'context'
    expect(() => parseRecord(JSON.stringify(bad), 'reg/hist:tag')).toThrow(new RegExp(`run\\.steps\\[${i}\\]\\.provenance\\.definition\\.inputs is not a step definition`))
  })
})
