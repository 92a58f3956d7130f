import {describe, expect, it} from 'vitest'
import {InputError} from '../errors.js'
import {parseConfigText} from './config.js'
import {parsePercent, resolveSettings, thresholdFor} from './settings.js'

const FILE = '/repo/bakedoctor.config.json'

function errorOf(text: string, options: {packageJson?: boolean} = {}): InputError {
  try {
    parseConfigText(text, FILE, options)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}

describe('parseConfigText', () => {
  it('reads thresholds, scopes and per-target / per-platform overrides', () => {
    const loaded = parseConfigText(JSON.stringify({
      $schema: 'https://example.invalid/schema.json',
      gate: {minHitRate: 80, maxDrop: 5, baseline: 'branch:main', per: ['overall', 'platform', 'platform'], allowEmpty: true,
        targets: {api: {minHitRate: 90, platforms: {'linux/arm64': {minHitRate: 40}}}}, platforms: {'linux/arm/v7': {minTimeSavedRate: 10}}},
    }), FILE)
    expect(loaded).toEqual({
      file: FILE, prefix: 'gate',
      gate: {minHitRate: 80, maxDrop: 5, baseline: 'branch:main', per: ['overall', 'platform'], allowEmpty: true,
        targets: {api: {minHitRate: 90, platforms: {'linux/arm64': {minHitRate: 40}}}}, platforms: {'linux/arm/v7': {minTimeSavedRate: 10}}},
    })
  })

  it('reads the "bakedoctor" key of package.json and skips a package.json without one', () => {
    expect(parseConfigText('{"name":"x","bakedoctor":{"gate":{"minHitRate":70}}}', '/repo/package.json', {packageJson: true}))
      .toEqual({file: '/repo/package.json', prefix: 'bakedoctor.gate', gate: {minHitRate: 70}})
    expect(parseConfigText('{"name":"x"}', '/repo/package.json', {packageJson: true})).toBeUndefined()
  })

  it('rejects an unknown key with its JSON path, the file and a did-you-mean fix', () => {
    const e = errorOf('{"gate": {"minHitrate": 80}}')
    expect(e.message).toBe('unknown key "gate.minHitrate"')
    expect(e.file).toBe(FILE)
    expect(e.fix).toContain('did you mean "minHitRate"?')
    expect(errorOf('{"gate": {"targets": {"api": {"platforms": {"linux/arm64": {"minHitRate": 1, "max": 2}}}}}}').message)
      .toBe('unknown key "gate.targets.api.platforms["linux/arm64"].max"')
    expect(errorOf('{"gaet": {}}').fix).toContain('did you mean "gate"?')
    expect(errorOf('{"bakedoctor": {"gate": {"nope": 1}}}', {packageJson: true}).message).toBe('unknown key "bakedoctor.gate.nope"')
  })

  it('rejects bad values naming the key and the fix', () => {
    const e = errorOf('{"gate": {"minHitRate": "eighty"}}')
    expect(e.message).toBe('"gate.minHitRate" must be a percentage: a number from 0 to 100, not string "eighty"')
    expect(e.fix).toBe('write it as "minHitRate": 80')
    expect(errorOf('{"gate": {"minHitRate": 180}}').message).toContain('"gate.minHitRate" must be a percentage')
    // a long value is quoted in whole words: a secret pasted there (an AWS secret key) leaves no piece of itself
    const secret = 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY'
    expect(errorOf(`{"gate": {"minHitRate": "${secret}"}}`).message).toBe('"gate.minHitRate" must be a percentage: a number from 0 to 100, not string …')
    expect(errorOf('{"gate": {"minHitRate": "eighty percent of the cacheable steps at least"}}').message).toContain('not string "eighty percent of the cacheable …')
    expect(errorOf('{"gate": {"per": ["platforms"]}}').message).toContain('"gate.per" must be a non-empty list of "overall"')
    expect(errorOf('{"gate": {"allowEmpty": "yes"}}').message).toContain('"gate.allowEmpty" must be true or false')
    expect(errorOf('{"gate": {"baseline": "main"}}').fix).toBe('write it as "baseline": "branch:main"')
    expect(errorOf('{"gate": {"platforms": {"arm64": {"minHitRate": 1}}}}').fix).toContain('"linux/arm64"')
    expect(errorOf('[1]').message).toContain('must be an object')
  })

  it('points at the line of a JSON syntax error', () => {
    const e = errorOf('{\n  "gate": {\n    "minHitRate": 80,\n  }\n}')
    expect(e.message).toMatch(/^is not valid JSON/)
    expect(e.position?.line).toBe(4)
  })
})

describe('settings', () => {
  it('parses percentages as users write them', () => {
    expect(parsePercent('80')).toEqual({value: 80})
    expect(parsePercent('80%')).toEqual({value: 80})
    expect(parsePercent(12.5)).toEqual({value: 12.5})
    expect(parsePercent('eighty')).toEqual({error: '"eighty" is not a percentage'})
    expect(parsePercent('120')).toEqual({error: '120 is outside 0–100'})
    expect(parsePercent('-1')).toHaveProperty('error')
  })

  it('resolves a group threshold: target × platform, then target, then platform, then global', () => {
    const s = resolveSettings({minHitRate: 70}, {file: FILE, prefix: 'gate', gate: {
      targets: {api: {minHitRate: 60, platforms: {'linux/arm64': {minHitRate: 40}}}}, platforms: {'linux/arm64': {minHitRate: 50}},
    }})
    const v = (scope: 'overall' | 'target' | 'platform' | 'target-platform', target?: string, platform?: string) => thresholdFor(s, 'minHitRate', {scope, target, platform})?.value
    expect(v('overall')).toBe(70)
    expect(v('target-platform', 'api', 'linux/arm64')).toBe(40)
    expect(v('target-platform', 'api', 'linux/amd64')).toBe(60)
    expect(v('target-platform', 'worker', 'linux/arm64')).toBe(50)
    expect(v('target-platform', 'worker', 'linux/amd64')).toBe(70)
    expect(v('platform', undefined, 'linux/arm64')).toBe(50)
    expect(v('target', 'api')).toBe(60)
  })
})
