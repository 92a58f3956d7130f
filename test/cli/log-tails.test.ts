import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'

type Json = any

const withOutput = (steps: Json[]) => steps.filter((s) => s.logTail?.length).map((s) => s.instruction as string)

/** A rawjson stream of three RUN steps that print: the first two succeed, the third fails. */
function printingStream(file: string): string {
  const d = (n: number) => `sha256:${String(n).repeat(64)}`
  const t = (s: number) => `2026-11-01T10:00:0${s}.000000000Z`
  const lines: unknown[] = []
  for (const n of [1, 2, 3]) {
    const v = {digest: d(n), name: `[${n}/3] RUN step${n}`, ...(n > 1 ? {inputs: [d(n - 1)]} : {})}
    lines.push({vertexes: [{...v, started: t(n)}]})
    lines.push({logs: [{vertex: d(n), stream: 1, data: Buffer.from(`output of step ${n}\n`).toString('base64'), timestamp: t(n)}]})
    lines.push({vertexes: [{...v, started: t(n), completed: t(n + 1), ...(n === 3 ? {error: 'process "/bin/sh -c step3" did not complete successfully: exit code: 1'} : {})}]})
  }
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
  return file
}

describe('log tails: kept for failed steps, printed with --logs', () => {
  let db: string
  let dbAll: string
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bd-logs-'))
    db = path.join(dir, 'index.db')
    dbAll = path.join(dir, 'all.db')
    // r10-failed fails `RUN cat missing.txt` (see the capture's README)
    const streams = [capture('r10-failed'), printingStream(path.join(dir, 'printing.jsonl'))]
    for (const stream of streams) {
      for (const [file, extra] of [[db, []], [dbAll, ['--keep-logs', 'all']]] as const) {
        const res = await runCli(['ingest', stream, '--target', 'api', '--db', file, '--no-git', ...extra])
        expect(res.exitCode, res.stderr).toBe(0)
      }
    }
  })

  it('by default the index keeps the output of failed steps only', async () => {
    const r10 = (await runCli(['show', 'r1', '--db', db, '--json'])).json as Json
    const tails = r10.run.steps.filter((s: Json) => s.logTail.length)
    expect(tails.map((s: Json) => s.error !== undefined)).toEqual([true])
    expect(tails[0].logTail.join('\n')).toContain("can't open 'missing.txt'")
    const printing = (await runCli(['show', 'r2', '--db', db, '--json'])).json as Json
    expect(withOutput(printing.run.steps)).toEqual(['RUN step3'])
  })

  it('--keep-logs all keeps the output of steps that succeeded too', async () => {
    const printing = (await runCli(['show', 'r2', '--db', dbAll, '--json'])).json as Json
    expect(withOutput(printing.run.steps)).toEqual(['RUN step1', 'RUN step2', 'RUN step3'])
  })

  it('explain --json leaves steps[].logTail out unless --logs; the failure evidence keeps its lines', async () => {
    const plain = (await runCli(['explain', 'r2', '--db', dbAll, '--json'])).json as Json
    expect(plain.steps.filter((s: Json) => 'logTail' in s)).toEqual([])
    const failed = plain.steps.find((s: Json) => s.verdict === 'failed')
    expect(failed.evidence.error.logTail).toEqual(['output of step 3'])
    const withLogs = (await runCli(['explain', 'r2', '--db', dbAll, '--json', '--logs'])).json as Json
    expect(withOutput(withLogs.steps)).toEqual(['RUN step1', 'RUN step2', 'RUN step3'])
    expect(withLogs.steps.find((s: Json) => s.instruction === 'RUN step1').logTail).toEqual(['output of step 1'])
  })

  it('rejects an unknown --keep-logs value with exit 2', async () => {
    const res = await runCli(['ingest', capture('r1-cold'), '--db', db, '--keep-logs', 'some'])
    expect(res.exitCode).toBe(2)
  })
})
