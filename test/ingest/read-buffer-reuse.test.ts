import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
// @ts-expect-error plain ESM helper shared with the benchmark
import {bakeStreamLines} from '../../bench/synthetic.mjs'
import {RunRecording} from '../../src/services/record.js'
import type {Run} from '../../src/domain/model/run.js'
import {openEventSource, type BufferReuse} from '../../src/adapters/input/read-events.js'

const dir = mkdtempSync(path.join(tmpdir(), 'read-events-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/**
 * A bake stream whose executed RUN steps print ~300-byte lines, each its own `logs` message, the
 * steps of different targets interleaved, one target failing: every step keeps a log tail
 * (`keepLogs: all`), so every log byte the fold keeps must survive the reuse of the read buffers.
 */
function stream(): string {
  const file = path.join(dir, 'stream.jsonl')
  const lines: string[] = [...bakeStreamLines({targets: 12, stepsPerTarget: 10, cachedRatio: 0.2, seed: 3, logBytesPerRun: 12_000, logLineBytes: 300, failTarget: 11})]
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

async function fold(file: string, chunkBytes?: number): Promise<Run> {
  const reuse: BufferReuse | undefined = chunkBytes ? {release: () => undefined, chunkBytes} : undefined
  const source = await openEventSource(file, {reuse})
  const recording = new RunRecording({keepLogs: 'all', source: source.format})
  if (reuse) reuse.release = (buffer) => recording.releaseInput(buffer)
  for await (const batch of source.batches!) recording.pushAll(batch)
  return recording.finish()
}

describe('reading a file into reused buffers', () => {
  test('folds to the same run as fresh buffers, whatever the chunk size (lines inside a chunk, lines across chunks)', async () => {
    const file = stream()
    const expected = await fold(file)
    const tails = expected.steps.filter((s) => s.logTail.length)
    // the stream is what the test needs: many steps with output, one failure
    expect(tails.length).toBeGreaterThan(15)
    expect(expected.steps.some((s) => s.error)).toBe(true)
    for (const chunkBytes of [64 * 1024, 4096, 700]) {
      expect(await fold(file, chunkBytes), `chunks of ${chunkBytes} bytes`).toEqual(expected)
    }
  })

  test('a consumer that stops early closes the file (no read left in flight)', async () => {
    const file = stream()
    const source = await openEventSource(file, {reuse: {release: () => undefined, chunkBytes: 4096}})
    for await (const batch of source.batches!) if (batch.length) break
    // the generator's finally ran: the file can be removed and the directory cleaned on every platform
    rmSync(file)
  })
})
