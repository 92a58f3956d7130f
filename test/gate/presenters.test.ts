import {describe, expect, it} from 'vitest'
import {evaluateGate, groupTotals} from '../../src/domain/gate/evaluate.js'
import {resolveSettings} from '../../src/domain/gate/settings.js'
import type {GateResult} from '../../src/domain/gate/types.js'
import type {Step} from '../../src/domain/model/run.js'
import {renderGateJunit} from '../../src/output/gate-junit.js'
import {renderGateMarkdown} from '../../src/output/gate-markdown.js'
import {renderGateText} from '../../src/output/gate-text.js'
import {findAll, parseXml} from './xml.js'

describe('the XML well-formedness check used on the JUnit report', () => {
  it.each([
    ['<a><b></a>', '</a> closes <b>'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a x="<"/>', '"<" in an attribute value'],
    ['<a>&nbsp;</a>', 'unknown entity'],
    ['<a>fish & chips</a>', '"&" not starting a reference'],
    ['<a x=1/>', 'not quoted'],
    ['<a/><b/>', 'content after the root element'],
    ['<a>\u0001</a>', 'forbidden character'],
    ['<a>', 'never closed'],
    ['<a>]]></a>', '"]]>" in text'],
  ])('rejects %j', (xml, why) => {
    expect(() => parseXml(xml)).toThrow(why)
  })

  it('accepts and decodes well-formed XML', () => {
    const root = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a k="&lt;&#10;&quot;"><b>x &amp; y</b><!-- c --></a>\n')
    expect(root.attrs.k).toBe('<\n"')
    expect(root.children[0]?.text).toBe('x & y')
  })
})

let seq = 0
const step = (o: Partial<Step>): Step => ({
  digest: `sha256:${String(++seq).padStart(64, '0')}`, name: `s${seq}`, target: 'api', platform: 'linux/amd64', stage: 'build', index: seq,
  total: 9, kind: 'RUN', instruction: `RUN ${seq}`, internal: false, cacheable: true, cached: false, servedInRun: false, completed: true,
  durationMs: 100, inputs: [], logTail: [], ...o,
})

/** r3's shape: amd64 5/9, arm64 0/9, gated at 50 % per target × platform, with hostile text in a root cause. */
function failingResult(): GateResult {
  const steps = [
    ...Array.from({length: 9}, (_, i) => step({cached: i < 5})),
    ...Array.from({length: 9}, () => step({platform: 'linux/arm64'})),
  ]
  const evaluated = evaluateGate({
    run: {id: 'r3', status: 'completed', targets: ['api'], platforms: ['linux/amd64', 'linux/arm64'], createdAt: Date.UTC(2026, 10, 23)},
    filter: {}, groups: groupTotals(steps), settings: resolveSettings({minHitRate: 50}),
  })
  return {
    ...evaluated,
    rootCauses: [
      {key: 'api|linux/arm64|deps|2|WORKDIR', verdict: 'cache-unavailable', label: '[api linux/arm64 deps 2/4] WORKDIR /app', summary: 'yet it missed: the cache could not serve it',
        advice: 'export per-platform cache refs (ref=…:cache-<arch>)', invalidatedSteps: 3, invalidatedMs: 310, target: 'api', platform: 'linux/arm64'},
      {key: 'api|linux/amd64|build|4|COPY', verdict: 'context-changed', label: '[api linux/amd64 build 4/6] RUN echo "a&b" <x> | tee `y` \u0007',
        summary: 'files of `COPY api/ ./api/` changed: api/main.txt & "quoted" <tag>', invalidatedSteps: 4, invalidatedMs: 131, target: 'api', platform: 'linux/amd64'},
    ],
    rootCauseCount: 2,
    notes: ['a note with <angle> & ampersand'],
  }
}

describe('gate presenters', () => {
  it('JUnit: well-formed XML, one test case per rule, failures with the measured figure and their group\'s root causes', () => {
    const xml = renderGateJunit(failingResult())
    const root = parseXml(xml)
    expect(root.name).toBe('testsuites')
    expect(root.attrs).toMatchObject({tests: '3', failures: '2', errors: '0', skipped: '0'})
    const cases = findAll(root, 'testcase')
    expect(cases.map((c) => [c.attrs.name, c.children.some((x) => x.name === 'failure')])).toEqual([
      ['overall hit rate >= 50%', true],
      ['linux/amd64 hit rate >= 50%', false],
      ['linux/arm64 hit rate >= 50%', true],
    ])
    const arm = cases[2]!.children.find((c) => c.name === 'failure')!
    expect(arm.attrs.message).toBe('linux/arm64 hit rate 0/9 (0%) < 50%')
    expect(arm.text).toContain('cache-unavailable  [api linux/arm64 deps 2/4] WORKDIR /app')
    expect(arm.text).toContain('ref=…:cache-<arch>')
    // the arm64 case lists only arm64's cause; the overall case lists both, hostile characters intact
    expect(arm.text).not.toContain('context-changed')
    const overall = cases[0]!.children.find((c) => c.name === 'failure')!
    expect(overall.text).toContain('RUN echo "a&b" <x> | tee `y`')
    expect(findAll(root, 'property').find((p) => p.attrs.name === 'min-hit-rate (all)')?.attrs.value).toBe('50% from flag --min-hit-rate')
  })

  it('JUnit: a failed build is one failing "build" case, skipped rules are <skipped>', () => {
    const failed: GateResult = {...failingResult(), outcome: 'build-failed', passed: false, headline: 'Build r10 failed: …', rules: [], run: {...failingResult().run, status: 'failed', error: 'exit code: 1 <oops>'}}
    const root = parseXml(renderGateJunit(failed))
    const cases = findAll(root, 'testcase')
    expect(cases).toHaveLength(1)
    expect(cases[0]?.attrs.name).toBe('build')
    expect(cases[0]?.children[0]?.text).toContain('exit code: 1 <oops>')

    const skipping = failingResult()
    skipping.rules[1] = {...skipping.rules[1]!, status: 'skip', message: 'linux/amd64 time saved rate: unknown'}
    const r2 = parseXml(renderGateJunit(skipping))
    expect(r2.attrs.skipped).toBe('1')
    expect(findAll(r2, 'skipped')[0]?.attrs.message).toBe('linux/amd64 time saved rate: unknown')
  })

  it('text: one line per rule with actual vs required and PASS/FAIL, then the root causes with advice', () => {
    const text = renderGateText(failingResult())
    expect(text).toContain('linux/arm64 hit rate 0/9 (0%) < 50%  FAIL')
    expect(text).toContain('linux/amd64 hit rate 5/9 (55.6%) >= 50%  PASS')
    expect(text).toContain('min-hit-rate 50% for all (flag --min-hit-rate)')
    expect(text).toMatch(/Top root causes \(2 of 2\)\n {2}1\. cache-unavailable {2}\[api linux\/arm64 deps 2\/4\] WORKDIR \/app {2}\(invalidated 3 steps, 310ms\)\n {5}yet it missed/)
    expect(text).toContain('Advice: export per-platform cache refs')
  })

  it('one cause under several steps (a moved base image) is one item: each step, where it is written, the cost of all', () => {
    const moved = (key: string, label: string, line: number, ms: number) => ({
      key, verdict: 'base-image-changed' as const, label, summary: 'base/busybox:1: sha256:aaa → sha256:bbb', advice: 'pin it',
      invalidatedSteps: 3, invalidatedMs: ms, target: 'api', platform: 'linux/amd64', dockerfile: {file: 'api/Dockerfile', line},
    })
    const result = failingResult()
    result.rootCauses = [moved('a', '[api linux/amd64 build 2/6] WORKDIR /src', 8, 400), moved('b', '[api linux/amd64 deps 2/4] WORKDIR /app', 3, 200), result.rootCauses[0]!]
    result.rootCauseCount = 3
    const text = renderGateText(result)
    expect(text).toContain([
      '  1. base-image-changed  [api linux/amd64 build 2/6] WORKDIR /src  (invalidated 6 steps, 600ms)',
      '                         [api linux/amd64 deps 2/4] WORKDIR /app',
      '     at api/Dockerfile:3, 8',
      '     base/busybox:1: sha256:aaa → sha256:bbb',
      '     Advice: pin it',
      '  2. cache-unavailable  [api linux/arm64 deps 2/4] WORKDIR /app  (invalidated 3 steps, 310ms)',
    ].join('\n'))
    expect(text.split('sha256:aaa → sha256:bbb').length - 1).toBe(1)
    const md = renderGateMarkdown(result)
    expect(md).toContain('1. **base-image-changed** `[api linux/amd64 build 2/6] WORKDIR /src`, `[api linux/amd64 deps 2/4] WORKDIR /app` — invalidated 6 steps, 600ms')
    expect(md).toContain('   at api/Dockerfile:3, 8')
    expect(md).toContain('2. **cache-unavailable**')
    const junit = renderGateJunit(result)
    expect(junit.split('sha256:aaa → sha256:bbb').length - 1).toBe(1)
  })

  it('markdown: outcome heading, rule table, root causes with verdict and advice, thresholds with sources', () => {
    const md = renderGateMarkdown(failingResult())
    expect(md.startsWith('## ❌ bakedoctor gate: failed\n')).toBe(true)
    expect(md).toContain('| linux/arm64 hit rate | 0/9 (0%) | &gt;= 50% | ❌ fail |')
    expect(md).toContain('### Top root causes (2 of 2)')
    expect(md).toContain('1. **cache-unavailable** `[api linux/arm64 deps 2/4] WORKDIR /app` — invalidated 3 steps, 310ms')
    expect(md).toContain('**Advice:** export per-platform cache refs (ref=…:cache-&lt;arch&gt;)')
    // a label with backticks gets a longer code fence; HTML in text is escaped
    expect(md).toContain('``[api linux/amd64 build 4/6] RUN echo "a&b" <x> | tee `y`')
    expect(md).toContain('&lt;tag&gt;')
    expect(md).toContain('| min-hit-rate | 50% | all | flag --min-hit-rate |')
    expect(md).not.toContain('<angle>')
  })
})
