import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {gateRulesOf} from '../../src/cli/gate-flags.js'
import {parseConfigText} from '../../src/domain/gate/config.js'
import {evaluateGate} from '../../src/domain/gate/evaluate.js'
import {THRESHOLDS} from '../../src/domain/gate/rule-registry.js'
import {GATE_RULES} from '../../src/domain/gate/rules/index.js'
import {appliedThresholds, resolveSettings, thresholdFor} from '../../src/domain/gate/settings.js'
import type {GateGroup} from '../../src/domain/gate/types.js'
import {ruleRequiredText, ruleTitle} from '../../src/output/gate-text.js'
import {PROJECT_ROOT} from '../helpers/cli.js'

/**
 * "A gate rule = one file + one line in GATE_RULES" (docs/architecture.md, "Where do I add…"):
 * every rule of the list, with the threshold it declares, reaches the flags of `gate` and `build`
 * (in the generated manifest, so in `--help`), the config file at every level, the settings and
 * their echo, and the evaluation. A rule whose threshold needed wiring by hand elsewhere fails here.
 */
const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, {type: string; description?: string}>}>}

describe.each(GATE_RULES.map((r) => [r.kind, r] as const))('gate rule %s is wired', (kind, rule) => {
  const {name, flag, description} = rule.threshold

  it(`--${flag} is a flag of gate and build, with the rule's help`, () => {
    for (const command of ['gate', 'build']) {
      expect(manifest.commands[command]?.flags[flag], `${command} --${flag}`).toMatchObject({type: 'option', description})
    }
  })

  it(`--${flag} reaches the settings, named as the flag in the echo`, () => {
    const rules = gateRulesOf({[flag]: '42'})
    expect(rules[name]).toBe('42')
    const settings = resolveSettings({[name]: 42})
    expect(settings[name]).toEqual({value: 42, source: {kind: 'flag', flag: `--${flag}`}})
    expect(appliedThresholds(settings).find((a) => a.name === flag)).toMatchObject({appliesTo: 'all', source: {kind: 'flag', flag: `--${flag}`}})
  })

  it(`"${name}" is a config key globally, per target, per platform and per target × platform`, () => {
    const text = JSON.stringify({gate: {[name]: 10, targets: {api: {[name]: 20, platforms: {'linux/arm64': {[name]: 30}}}}, platforms: {'linux/arm64': {[name]: 40}}}})
    const config = parseConfigText(text, 'bakedoctor.config.json')!
    const settings = resolveSettings({}, config)
    expect(thresholdFor(settings, name, {scope: 'overall'})?.value).toBe(10)
    expect(thresholdFor(settings, name, {scope: 'target', target: 'api'})?.value).toBe(20)
    expect(thresholdFor(settings, name, {scope: 'target-platform', target: 'api', platform: 'linux/arm64'})?.value).toBe(30)
    expect(thresholdFor(settings, name, {scope: 'platform', platform: 'linux/arm64'})?.value).toBe(40)
    expect(() => parseConfigText(JSON.stringify({gate: {[name]: 101}}), 'bakedoctor.config.json')).toThrow(`"gate.${name}" must be`)
  })

  it('is checked when its threshold is set, and reports say what it measures', () => {
    const totals = {cacheable: 4, hits: 3, servedInRun: 0, misses: 1, hitRate: 0.75, timeWeightedHitRate: 0.5, savedMs: 100, spentMs: 100}
    const groups: GateGroup[] = [{scope: 'overall', totals}]
    const result = evaluateGate({
      run: {id: 'r2', status: 'completed', targets: ['api'], platforms: ['linux/amd64'], createdAt: 0},
      filter: {}, groups, settings: resolveSettings({[name]: 50, per: ['overall']}),
      baseline: {info: {ref: 'r1', source: {kind: 'default'}, id: 'r1'}, groups},
    })
    const checked = result.rules.filter((r) => r.kind === kind)
    expect(checked).toHaveLength(1)
    expect(ruleTitle(checked[0]!)).toBe(rule.title)
    expect(ruleRequiredText(checked[0]!)).toBe(`${checked[0]!.comparison} ${rule.threshold.unit === 'points' ? '50 points' : '50%'}`)
  })
})

describe('the thresholds', () => {
  it('are those the rules declare, each once, and the only threshold flags of gate', () => {
    expect(THRESHOLDS.map((t) => t.name)).toEqual([...new Set(GATE_RULES.map((r) => r.threshold.name))])
    const gateFlags = Object.keys(manifest.commands.gate!.flags).filter((f) => /^(min|max)-/.test(f)).sort()
    expect(gateFlags).toEqual(THRESHOLDS.map((t) => t.flag).sort())
  })
})
