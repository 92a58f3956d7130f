import {describe, expect, it} from 'vitest'
import type {Step} from '../model/run.js'
import {evaluateGate, groupTotals, type GateEvaluationInput} from './evaluate.js'
import {resolveSettings, type GateFlagValues} from './settings.js'
import type {GateGroup, LoadedConfig} from './types.js'

let seq = 0
function step(overrides: Partial<Step>): Step {
  seq++
  return {
    digest: `sha256:${String(seq).padStart(64, '0')}`, name: `step ${seq}`, target: 'api', platform: 'linux/amd64', stage: 'build',
    index: seq, total: 99, kind: 'RUN', instruction: `RUN echo ${seq}`, internal: false, cacheable: true, cached: false,
    servedInRun: false, completed: true, durationMs: 1000, inputs: [], logTail: [], ...overrides,
  }
}

/** n cacheable steps of which `hits` came from cache */
function steps(n: number, hits: number, over: Partial<Step> = {}): Step[] {
  return Array.from({length: n}, (_, i) => step({cached: i < hits, ...over}))
}

const RUN = {id: 'r7', status: 'completed' as const, targets: ['api'], platforms: ['linux/amd64', 'linux/arm64'], createdAt: 0}

function gate(allSteps: Step[], flags: GateFlagValues, extra: Partial<GateEvaluationInput> = {}, config?: LoadedConfig) {
  return evaluateGate({run: RUN, filter: {}, groups: groupTotals(allSteps, {lastExecutedMs: () => 2000}), settings: resolveSettings(flags, config), ...extra})
}

describe('evaluateGate', () => {
  it('checks the whole run and each target × platform, naming actual vs required', () => {
    // Given amd64 5/9 and arm64 0/9 (the r3 shape)
    const s = [...steps(9, 5), ...steps(9, 0, {platform: 'linux/arm64'})]
    // When gated at 50 %
    const r = gate(s, {minHitRate: 50})
    // Then amd64 passes, arm64 and the whole run fail, in one report
    expect(r.outcome).toBe('fail')
    expect(r.rules.map((x) => [x.id, x.status])).toEqual([
      ['hit-rate:overall', 'fail'],
      ['hit-rate:target-platform:api:linux/amd64', 'pass'],
      ['hit-rate:target-platform:api:linux/arm64', 'fail'],
    ])
    expect(r.rules.map((x) => x.message)).toContain('linux/arm64 hit rate 0/9 (0%) < 50%')
    expect(r.rules.map((x) => x.message)).toContain('linux/amd64 hit rate 5/9 (55.6%) >= 50%')
    expect(r.headline).toBe('Gate failed for run r7: 2 of 3 rules failed')
  })

  it('passes a rate exactly at the threshold (integer comparison, no float drift)', () => {
    const r = gate([...steps(100, 29)], {minHitRate: 29, per: ['overall']})
    expect(r.rules[0]).toMatchObject({status: 'pass', actual: 29})
    expect(gate([...steps(100, 28)], {minHitRate: 29, per: ['overall']}).rules[0]?.status).toBe('fail')
  })

  it('never counts steps served in-run by a sibling target as hits', () => {
    // Given 4 steps: 1 real hit, 2 served in-run by a sibling target, 1 miss
    const s = [step({cached: true}), step({cached: true, servedInRun: true}), step({cached: true, servedInRun: true}), step({})]
    const r = gate(s, {minHitRate: 50, per: ['overall']})
    // Then the hit rate is 1/4, not 3/4, and the message says what was left out
    expect(r.rules[0]).toMatchObject({status: 'fail', hits: 1, cacheable: 4, servedInRun: 2})
    expect(r.rules[0]?.message).toBe('overall hit rate 1/4 (25%, 2 served in-run not counted) < 50%')
  })

  it('checks one group once when it covers the same steps as the whole run', () => {
    const r = gate(steps(4, 4), {minHitRate: 80, per: ['overall', 'target', 'platform', 'target-platform']})
    expect(r.rules.map((x) => x.id)).toEqual(['hit-rate:overall'])
  })

  it('labels per-target rules with target and platform when there are several targets', () => {
    const s = [...steps(2, 2), ...steps(2, 0, {target: 'worker'})]
    const r = gate(s, {minHitRate: 80, per: ['target-platform']})
    expect(r.rules.map((x) => x.label)).toEqual(['api linux/amd64', 'worker linux/amd64'])
  })

  it('applies per-target and per-platform overrides, most specific first, and echoes their sources', () => {
    const config: LoadedConfig = {
      file: '/repo/bakedoctor.config.json', prefix: 'gate',
      gate: {minHitRate: 90, platforms: {'linux/arm64': {minHitRate: 0}}, targets: {api: {platforms: {'linux/amd64': {minHitRate: 50}}}}},
    }
    const s = [...steps(9, 5), ...steps(9, 0, {platform: 'linux/arm64'})]
    const r = gate(s, {}, {}, config)
    const byId = Object.fromEntries(r.rules.map((x) => [x.id, x]))
    expect(byId['hit-rate:overall']?.required).toEqual({value: 90, source: {kind: 'config', file: '/repo/bakedoctor.config.json', path: 'gate.minHitRate'}})
    expect(byId['hit-rate:target-platform:api:linux/amd64']).toMatchObject({status: 'pass', required: {value: 50, source: {path: 'gate.targets.api.platforms["linux/amd64"].minHitRate'}}})
    expect(byId['hit-rate:target-platform:api:linux/arm64']).toMatchObject({status: 'pass', required: {value: 0, source: {path: 'gate.platforms["linux/arm64"].minHitRate'}}})
    expect(r.thresholds).toContainEqual({name: 'min-hit-rate', appliesTo: 'platform linux/arm64', value: '0%', source: {kind: 'config', file: '/repo/bakedoctor.config.json', path: 'gate.platforms["linux/arm64"].minHitRate'}})
    expect(r.thresholds).toContainEqual({name: 'per', appliesTo: 'all', value: 'overall, target-platform', source: {kind: 'default'}})
  })

  it('lets a flag replace the config file\'s global threshold', () => {
    const config: LoadedConfig = {file: '/repo/package.json', prefix: 'bakedoctor.gate', gate: {minHitRate: 90}}
    const r = gate(steps(10, 6), {minHitRate: 60}, {}, config)
    expect(r.rules[0]?.required).toEqual({value: 60, source: {kind: 'flag', flag: '--min-hit-rate'}})
    expect(r.outcome).toBe('pass')
  })

  it('gates the time-weighted rate and skips it (not passes, not fails) when it is unknown', () => {
    // Given hits whose earlier cost is 2s each and misses of 1s each: 3 hits, 1 miss → 6/(6+1)
    const known = gate(steps(4, 3), {minTimeSavedRate: 80, per: ['overall']})
    expect(known.rules[0]).toMatchObject({kind: 'time-saved-rate', status: 'pass'})
    expect(known.rules[0]?.actual).toBeCloseTo(85.71, 1)
    // When no earlier run executed the cached steps
    const unknown = evaluateGate({run: RUN, filter: {}, groups: groupTotals(steps(4, 3)), settings: resolveSettings({minTimeSavedRate: 80, per: ['overall']})})
    expect(unknown.rules[0]?.status).toBe('skip')
    expect(unknown.rules[0]?.message).toContain('unknown')
    // the only rule could not be judged: the gate stops (exit 2), it does not pass
    expect(unknown.outcome).toBe('not-evaluable')
    expect(unknown.headline).toMatch(/1 of 1 rules could not be evaluated \(overall time saved rate: .*unknown/)
    // beside a rule that was judged, an unknown time-weighted rate is a skip
    const mixed = evaluateGate({run: RUN, filter: {}, groups: groupTotals(steps(4, 3)), settings: resolveSettings({minHitRate: 50, minTimeSavedRate: 80, per: ['overall']})})
    expect(mixed.outcome).toBe('pass')
    expect(mixed.headline).toContain('1 skipped')
  })

  it('fails a drop larger than allowed against the baseline, per group', () => {
    const baseGroups: GateGroup[] = groupTotals([...steps(4, 4), ...steps(4, 4, {platform: 'linux/arm64'})])
    const s = [...steps(4, 4), ...steps(4, 1, {platform: 'linux/arm64'})]
    const r = gate(s, {maxDrop: 10}, {baseline: {info: {ref: 'branch:main', source: {kind: 'flag', flag: '--baseline'}, id: 'r3'}, groups: baseGroups}})
    const byId = Object.fromEntries(r.rules.map((x) => [x.id, x]))
    expect(byId['max-drop:target-platform:api:linux/amd64']?.status).toBe('pass')
    expect(byId['max-drop:target-platform:api:linux/arm64']).toMatchObject({status: 'fail', actual: 75, baselineRate: 100, rate: 25})
    expect(byId['max-drop:target-platform:api:linux/arm64']?.message).toBe('linux/arm64 hit rate dropped 75 points (100% in r3 → 25%) > 10 points')
    expect(byId['max-drop:overall']?.status).toBe('fail')
  })

  it('stops (not-evaluable, exit 2) when a drop rule has no baseline run, unless allowMissingBaseline skips it', () => {
    const missing = {baseline: {info: {ref: 'branch:main', source: {kind: 'flag' as const, flag: '--baseline'}, missing: 'no run of branch main before r7 in the index'}}}
    const r = gate(steps(4, 1), {maxDrop: 5, per: ['overall']}, missing)
    expect(r.rules[0]).toMatchObject({status: 'skip', message: 'overall hit rate drop: no run of branch main before r7 in the index'})
    expect(r).toMatchObject({outcome: 'not-evaluable', passed: false})
    expect(r.headline).toBe('Gate cannot judge run r7: 1 of 1 rules could not be evaluated (overall hit rate drop: no run of branch main before r7 in the index)')
    expect(r.fix).toMatch(/on main.*--allow-missing-baseline/)
    // a passing hit-rate rule does not make a missing baseline pass
    expect(gate(steps(4, 4), {minHitRate: 50, maxDrop: 5, per: ['overall']}, missing).outcome).toBe('not-evaluable')
    const allowed = gate(steps(4, 4), {minHitRate: 50, maxDrop: 5, per: ['overall'], allowMissingBaseline: true}, missing)
    expect(allowed).toMatchObject({outcome: 'pass', passed: true})
    expect(allowed.headline).toBe('Gate passed for run r7: 1 of 2 rules passed, 1 skipped')
  })

  it('reports a run without cacheable steps as such, failing unless allow-empty is set', () => {
    const onlyFrom = [step({kind: 'FROM', cacheable: false}), step({internal: true, cacheable: false, kind: 'internal'})]
    const r = gate(onlyFrom, {minHitRate: 80})
    expect(r.outcome).toBe('empty')
    expect(r.passed).toBe(false)
    expect(r.headline).toMatch(/no cacheable steps.*--allow-empty/)
    const allowed = gate(onlyFrom, {minHitRate: 80, allowEmpty: true})
    expect(allowed).toMatchObject({outcome: 'pass', passed: true})
    expect(allowed.headline).toContain('allow-empty')
  })

  it('fails a failed build as a build, without judging its partial hit rate', () => {
    const r = gate(steps(4, 4), {minHitRate: 10}, {run: {...RUN, status: 'failed', error: 'exit code: 1'}})
    expect(r).toMatchObject({outcome: 'build-failed', passed: false, rules: []})
    expect(r.headline).toBe('Build r7 failed: the gate fails and its hit rate is not judged (exit code: 1)')
  })
})
