import {describe, expect, it} from 'vitest'
import type {RunSummary} from '../domain/model/run-summary.js'
import {renderRunList} from './runs-text.js'

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

  it('without a width (piped, scripts) nothing is cut', () => {
    expect(renderRunList([run('r1', sixteen)])).toContain(sixteen.join(','))
  })
})
