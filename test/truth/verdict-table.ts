import {readFileSync} from 'node:fs'
import type {Explanation, StepExplanation} from '../../src/domain/explain/types.js'

/**
 * A hand-written expected-verdict table (test/truth/tables/*.truth): one line per missed step,
 * `step | verdict | key evidence`, written from a capture's README and the known change — never from
 * the program's output. `verdict` is a verdict kind, `not-run` (never started: no verdict, out of the
 * totals) or `?` (the capture does not tell why it missed: listed, not scored). `key evidence` is
 * `;`-separated texts that must all appear in the verdict's evidence; `root: A or B` names the
 * root-cause step(s) a cascade may come down to.
 */
export interface ExpectedLine {
  step: string
  verdict: string
  evidence: string[]
  line: number
}

export function readTable(file: string): ExpectedLine[] {
  const out: ExpectedLine[] = []
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    if (!text.trim() || text.trimStart().startsWith('#')) return
    const [step = '', verdict = '', evidence = ''] = text.split('|').map((c) => c.trim())
    out.push({step, verdict, evidence: evidence ? evidence.split(';').map((e) => e.trim()).filter(Boolean) : [], line: i + 1})
  })
  return out
}

/** `api linux/amd64 build 4/6`: the table's name for a step. */
export function stepName(s: Pick<StepExplanation, 'target' | 'platform' | 'stage' | 'index' | 'total'>): string {
  return [s.target, s.platform, s.stage, `${s.index}/${s.total}`].filter(Boolean).join(' ')
}

/** Everything a verdict's evidence says, as one text to look for the expected words in. */
function evidenceText(e: StepExplanation, rootName: string | undefined): string {
  const ev = e.evidence
  if (!ev) return ''
  return [
    ev.summary,
    ...(ev.args ?? []).map((a) => `${a.name}: ${a.old ?? ''} → ${a.new ?? ''}`),
    ...(ev.files ?? []).map((f) => `${f.change} ${f.path}`),
    ev.baseImage ? `${ev.baseImage.ref} ${ev.baseImage.old ?? ''} → ${ev.baseImage.new ?? ''}` : '',
    ev.instruction ? `${ev.instruction.old} → ${ev.instruction.new}` : '',
    ...(ev.cache?.reasons ?? []),
    ev.error ? [ev.error.message, ...ev.error.logTail].join('\n') : '',
    ...(ev.missing ?? []),
    rootName ? `root: ${rootName}` : '',
    e.instruction,
  ].join('\n')
}

export interface LineResult {
  expected: ExpectedLine
  right: boolean
  /** what the program said, for the report */
  got: string
}

/** Compares an explanation with its table, verdict by verdict. Verdicts the table does not list are wrong too. */
export function compareWithTable(ex: Explanation, table: ExpectedLine[]): {lines: LineResult[]; unexpected: string[]} {
  const byName = new Map(ex.steps.map((s) => [stepName(s), s]))
  const nameOfKey = new Map(ex.steps.map((s) => [s.key, stepName(s)]))
  const lines: LineResult[] = []
  for (const expected of table) {
    const s = byName.get(expected.step)
    if (!s) {
      lines.push({expected, right: false, got: 'no such step in the run'})
      continue
    }
    const rootName = s.rootCause && s.rootCause !== s.key ? nameOfKey.get(s.rootCause) : undefined
    const got = s.notRun ? 'not-run' : s.cached ? (s.servedInRun ? 'served in-run' : 'hit') : (s.verdict ?? 'no verdict')
    const text = evidenceText(s, rootName)
    const evidenceRight = expected.evidence.every((want) => {
      if (want.startsWith('root:')) return want.slice(5).split(' or ').some((r) => rootName === r.trim())
      return text.includes(want)
    })
    const right = got === expected.verdict && (expected.verdict === 'not-run' ? s.verdict === undefined : evidenceRight)
    lines.push({expected, right, got: `${got}${s.evidence ? ` (${s.evidence.summary}${rootName ? `; root ${rootName}` : ''})` : ''}`})
  }
  const listed = new Set(table.map((l) => l.step))
  const unexpected = ex.steps.filter((s) => s.verdict && !listed.has(stepName(s))).map((s) => `${stepName(s)}: ${s.verdict} (${s.evidence?.summary ?? ''})`)
  return {lines, unexpected}
}
