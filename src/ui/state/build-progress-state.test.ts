import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {renderToString} from 'ink'
import {createRawjsonDecoder} from '../../domain/events/decode-rawjson.js'
import type {StreamEvent} from '../../domain/events/stream-event.js'
import {BuildProgress} from '../components/BuildProgress.js'
import {applyBuildEvent, countSteps, createBuildProgressModel} from './build-progress-state.js'

const capture = (name: string) => path.join(import.meta.dirname, '../../../fixtures/buildkit-0.11-rawjson', name, 'rawjson.json')

function events(file: string): StreamEvent[] {
  const d = createRawjsonDecoder()
  return [...readFileSync(file, 'utf8').split('\n').flatMap((l, i) => d.push(l, i + 1)), ...d.end()]
}

describe('live build progress model', () => {
  it('tracks steps from waiting to running to cached/done/error, with the running step\'s last log line', () => {
    const model = createBuildProgressModel()
    const all = events(capture('r10-failed'))
    // replay up to the failing RUN's log line: it is running and shows what it printed
    const logAt = all.findIndex((e) => e.type === 'status' && (e.status.logs?.length ?? 0) > 0)
    for (const e of all.slice(0, logAt + 1)) applyBuildEvent(model, e, undefined)
    const running = countSteps(model).running
    expect(running.map((s) => s.name)).toContainEqual(expect.stringMatching(/^\[build 6\/6\] RUN cat api/))
    expect(running.find((s) => s.name.includes('6/6'))?.lastLog).toBe("cat: can't open 'missing.txt': No such file or directory")
    for (const e of all.slice(logAt + 1)) applyBuildEvent(model, e, undefined)
    const counts = countSteps(model)
    expect(counts.errors).toBe(1)
    expect(counts.cached).toBe(5)
    // internal vertices are not shown
    expect([...model.steps.values()].some((s) => s.name.startsWith('[internal]'))).toBe(false)
  })

  it('renders finished steps with their state and a totals line', () => {
    const model = createBuildProgressModel()
    for (const e of events(capture('r3-code-change'))) applyBuildEvent(model, e, 'api')
    const frame = renderToString(BuildProgress({finished: model.finished, counts: countSteps(model), now: Date.now(), width: 100}), {columns: 100})
    expect(frame).toMatch(/CACHED \[linux\/amd64 deps 2\/4\] WORKDIR \/app/)
    expect(frame).toMatch(/DONE {3}\[linux\/arm64 build 6\/6\] RUN cat/)
    expect(frame).toMatch(/\d+\/\d+ steps · 5 cached · \d+ ran · 0 failed · 0 running/)
  })
})

describe('live build progress model: secrets', () => {
  it('step names, last log lines and errors are redacted before the live view draws them', () => {
    const token = 'ghp_' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa98'
    const model = createBuildProgressModel()
    const digest = 'sha256:' + '1'.repeat(64)
    applyBuildEvent(model, {type: 'status', status: {vertexes: [{digest, name: `[2/2] RUN echo ${token}`, started: 1}]}} as StreamEvent, undefined)
    applyBuildEvent(model, {type: 'status', status: {logs: [{vertex: digest, data: new TextEncoder().encode(`NPM_TOKEN=hunter22 ${token}\n`)}]}} as StreamEvent, undefined)
    applyBuildEvent(model, {type: 'build-error', message: `failed: ${token}`} as StreamEvent, undefined)
    const shown = JSON.stringify({steps: [...model.steps.values()], errors: model.errors})
    expect(shown).not.toContain(token)
    expect(shown).not.toContain('hunter22')
    expect(shown).toMatch(/RUN echo secret:[0-9a-f]{16}/)
  })
})
