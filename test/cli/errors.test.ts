import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'

describe('errors: one document, one exit code', () => {
  it('an unknown flag with --json is one JSON error document and exit 2', async () => {
    const r = await runCli(['runs', '--json', '--bogus'])
    expect(r.exitCode).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({error: {message: expect.stringContaining('Nonexistent flag: --bogus'), code: 2}})
  })

  it('an unknown flag without --json is a usage message on stderr and exit 2', async () => {
    const r = await runCli(['runs', '--bogus'])
    expect(r.exitCode).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Nonexistent flag: --bogus')
  })

  it('a missing index is exit 2 naming it and the fix, as a sentence or as one JSON document', async () => {
    const db = `/tmp/bakedoctor-errors-${process.pid}.db`
    const text = await runCli(['show', 'r1', '--db', db])
    expect(text.exitCode).toBe(2)
    expect(text.stderr).toBe(`Error: no index at ${db}\n  Fix: run \`bakedoctor ingest FILE\` or \`bakedoctor build\` first, or point --db / BAKEDOCTOR_DB at an existing index\n`)
    const json = await runCli(['show', 'r1', '--db', db, '--json'])
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 2, message: `no index at ${db}`, fix: expect.stringContaining('bakedoctor ingest')})
  })
})
