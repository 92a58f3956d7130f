import type {GateResult, GateRootCause, RuleResult} from '../domain/gate/types.js'
import {describeSource, baselineText, rootCauseLines, ruleRequiredText, ruleTitle} from './gate-text.js'

/**
 * The gate as JUnit XML for CI test reporters: one `<testcase>` per rule (per target × platform
 * when the rules are), `<failure>` with the measured figure and the root causes of that group,
 * `<skipped>` for rules without data. A failed build or a run without cacheable steps adds a
 * failing `build` / `cacheable steps` case, so the reporter shows why the job failed.
 *
 * @example
 * <?xml version="1.0" encoding="UTF-8"?>
 * <testsuites name="bakedoctor gate" tests="3" failures="2" errors="0" skipped="0">
 *   <testsuite name="bakedoctor gate r3" tests="3" failures="2" errors="0" skipped="0" timestamp="2026-11-23T14:06:16" time="0">
 *     <testcase classname="bakedoctor.gate.hit-rate" name="linux/arm64 hit rate &gt;= 50%" time="0">
 *       <failure type="hit-rate" message="linux/arm64 hit rate 0/9 (0%) &lt; 50%">…</failure>
 *     </testcase>
 */
export function renderGateJunit(result: GateResult): string {
  const cases: string[] = []
  let failures = 0
  let skipped = 0
  if (result.outcome === 'build-failed' || result.outcome === 'empty') {
    failures++
    const name = result.outcome === 'build-failed' ? 'build' : 'cacheable steps'
    const causes = rootCauseLines(result.rootCauses).join('\n')
    cases.push(
      `    <testcase classname="bakedoctor.gate" name="${attr(name)}" time="0">\n` +
      `      <failure type="${result.outcome}" message="${attr(result.headline)}">${body([result.headline, result.run.error ?? '', causes].filter(Boolean).join('\n\n'))}</failure>\n` +
      '    </testcase>',
    )
  }
  for (const r of result.rules) {
    const open = `    <testcase classname="bakedoctor.gate.${attr(r.kind)}" name="${attr(`${r.label} ${ruleTitle(r)} ${ruleRequiredText(r)}`)}" time="0"`
    if (r.status === 'pass') {
      cases.push(`${open}>\n      <system-out>${body(r.message)}</system-out>\n    </testcase>`)
    } else if (r.status === 'skip') {
      skipped++
      cases.push(`${open}>\n      <skipped message="${attr(r.message)}"/>\n    </testcase>`)
    } else {
      failures++
      const causes = rootCauseLines(causesFor(r, result))
      const text = [r.message, causes.length ? `Root causes:\n${causes.join('\n')}` : ''].filter(Boolean).join('\n\n')
      cases.push(`${open}>\n      <failure type="${attr(r.kind)}" message="${attr(r.message)}">${body(text)}</failure>\n    </testcase>`)
    }
  }
  const tests = cases.length
  const props = [
    ['run', result.run.id],
    ['outcome', result.outcome],
    ...result.thresholds.map((t) => [`${t.name} (${t.appliesTo})`, `${t.value} from ${describeSource(t.source)}`]),
    ...(result.baseline ? [['baseline', baselineText(result)]] : []),
  ]
  const stamp = new Date(result.run.createdAt).toISOString().replace(/\.\d+Z$/, '')
  const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}"`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bakedoctor gate" ${counts}>`,
    `  <testsuite name="${attr(`bakedoctor gate ${result.run.id}`)}" ${counts} timestamp="${stamp}" time="0">`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${attr(k ?? '')}" value="${attr(v ?? '')}"/>`),
    '    </properties>',
    ...cases,
    `    <system-out>${body([result.headline, ...result.notes].join('\n'))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

function causesFor(r: RuleResult, result: GateResult): GateRootCause[] {
  return result.rootCauses.filter((c) => (r.target === undefined || c.target === r.target) && (r.platform === undefined || c.platform === r.platform))
}

/** Characters XML 1.0 does not allow at all (control characters, lone surrogates) are dropped. */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Element text. */
export function body(s: string): string {
  return s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Attribute values (double-quoted); newlines kept as character references so they survive normalization. */
export function attr(s: string): string {
  return body(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}
