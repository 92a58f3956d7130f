import {describe, expect, it} from 'vitest'
import type {RunSummary} from '../domain/model/run-summary.js'
import type {RunDetail} from '../domain/results.js'
import type {Step} from '../domain/model/run.js'
import {computeTotals} from '../domain/model/totals.js'
import {renderRunDetail, renderRunList} from './runs-text.js'

const run = (id: string, targets: string[]): RunSummary => ({
  id, createdAt: Date.UTC(2026, 10, 23, 14, 6, 16), durationMs: 41_200, status: 'completed', source: 'rawjson', targets,
  platforms: ['linux/amd64', 'linux/arm64'], labels: {}, cacheable: 288, hits: 80, servedInRun: 0, hitRate: 80 / 288, timeWeightedHitRate: null, stepCount: 400,
} as RunSummary)

describe('runs list width', () => {
  const sixteen = Array.from({length: 16}, (_, i) => `service-${String(i + 1).padStart(2, '0')}`)

  it('on a 120-column terminal a 16-target run fits: the targets are cut to the first ones and +N', () => {
    const text = renderRunList([run('r1', sixteen), run('r2', ['api'])], {width: 120})
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(120)
    expect(text).toMatch(/service-01,[^ ]*\+\d+/)
    expect(text).toContain('27.8%')
  })

  it('on an 80-column terminal: whole target and platform names, both hit rates; the columns left out are named', () => {
    const text = renderRunList([run('r2', ['api']), run('r1', sixteen)], {width: 80})
    const lines = text.split('\n')
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80)
    expect(lines[0]!.split(/ {2,}/)).toEqual(['ID', 'TARGETS', 'PLATFORMS', 'HIT RATE', 'TIME-WEIGHTED', 'STATUS'])
    // 80/288 hits, no time-weighted rate (the factory above)
    expect(lines[1]!.split(/ {2,}/)).toEqual(['r2', 'api', 'linux/amd64,linux/arm64', '27.8%', '-', 'completed'])
    expect(lines[2]).toMatch(/^r1 {2}service-01,[^ ]*\+\d+ {2}linux\/amd64,linux\/arm64 {2}27\.8%/)
    expect(lines[3]).toBe('(left out to fit the terminal: DURATION, HITS, CREATED)')
    // wide enough: nothing left out
    expect(renderRunList([run('r2', ['api'])], {width: 140})).not.toContain('left out')
  })

  it('without a width (piped, scripts) nothing is cut', () => {
    expect(renderRunList([run('r1', sixteen)])).toContain(sixteen.join(','))
  })
})

describe('show width', () => {
  // a RUN of 240 characters, written at Dockerfile line 12 (recorded inputs)
  const long = `RUN ${'apt-get install -y package-with-a-long-name '.repeat(5).trim()}`
  const detail = (): RunDetail => {
    const step: Step = {
      digest: 'sha256:1', name: `[build 4/6] ${long}`, stage: 'build', index: 4, total: 6, kind: 'RUN', instruction: long, internal: false, cacheable: true,
      cached: false, servedInRun: false, completed: true, durationMs: 12_300, inputs: [], logTail: [], stepInputs: {components: [], fingerprint: 'f', dockerfile: 'Dockerfile', line: 12},
    }
    const totals = computeTotals([step])
    return {run: {id: 'r1', source: 'rawjson', createdAt: Date.UTC(2026, 10, 23), durationMs: 12_300, status: 'completed', targets: [], platforms: [], steps: [step], labels: {}, skippedLines: 0}, totals, byTarget: {}, byPlatform: {}, byTargetPlatform: {}}
  }

  it('on an 80-column terminal every line fits: the instruction is cut, state, time and Dockerfile line stay', () => {
    const text = renderRunDetail(detail(), {width: 80})
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    const row = text.split('\n').find((l) => l.includes('4/6'))!
    expect(row).toMatch(/^ {2}RAN +12\.3s {2}4\/6 RUN apt-get install .*… {2}\(Dockerfile:12\)$/)
  })

  it('piped (no width) the instruction is whole', () => {
    expect(renderRunDetail(detail())).toContain(`4/6 ${long}  (Dockerfile:12)`)
  })
})
