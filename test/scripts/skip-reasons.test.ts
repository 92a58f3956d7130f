import {describe, expect, it} from 'vitest'
// @ts-expect-error a plain .mjs script without types
import {skipReasons} from '../../scripts/skip-reasons.mjs'
import {skipNote} from '../helpers/registry.js'

describe('npm test says why tests were skipped', () => {
  it('one line per reason from the suite titles, with the count', () => {
    const e2e = {status: 'skipped', title: 'builds', ancestorTitles: ['build e2e [skipped: no Docker engine at unix:///var/run/docker.sock (scripts/engine.sh start)]']}
    const report = {
      testResults: [
        {assertionResults: [e2e, {...e2e, title: 'rebuilds'}, {status: 'passed', title: 'x', ancestorTitles: []}]},
        {assertionResults: [{status: 'pending', title: 'loads [skipped: no Chromium at /usr/bin/chromium]', ancestorTitles: []}, {status: 'skipped', title: 'other', ancestorTitles: []}]},
      ],
    }
    expect(skipReasons(report)).toEqual([
      'no Docker engine at unix:///var/run/docker.sock (scripts/engine.sh start): 2 tests skipped',
      'no Chromium at /usr/bin/chromium: 1 test skipped',
      'no reason given: 1 test skipped',
    ])
    expect(skipReasons({testResults: []})).toEqual([])
  })

  it('a suite gated on missing tools carries their names into the reason; none when they are there', () => {
    const note = skipNote(['node', 'bakedoctor-no-such-tool'])
    expect(note).toMatch(/^ \[skipped: missing bakedoctor-no-such-tool \(/)
    const report = {testResults: [{assertionResults: [{status: 'skipped', title: 'pulls', ancestorTitles: [`history${note}`]}]}]}
    expect(skipReasons(report)[0]).toMatch(/^missing bakedoctor-no-such-tool \(.*\): 1 test skipped$/)
    expect(skipNote(['node'])).toBe('')
  })
})
