import {describe, expect, it} from 'vitest'
// @ts-expect-error a plain .mjs script without types
import {skipReasons} from '../../scripts/skip-reasons.mjs'

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
})
