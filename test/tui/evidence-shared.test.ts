/**
 * One evidence renderer (#14): the TUI detail pane, its diff pane, text and markdown print the same
 * evidence lines. The expected lines are written from the evidence below, by hand.
 */
import {describe, expect, it} from 'vitest'
import type {Evidence} from '../../src/domain/explain/types.js'
import {renderExplanationMarkdown, renderExplanationText} from '../../src/output/explain-text.js'
import {evidenceLines} from '../../src/output/evidence-lines.js'
import {stepLines} from '../../src/ui/lines/detail-lines.js'
import {diffLines} from '../../src/ui/lines/diff-lines.js'
import {aStep, anExplanation, label} from '../factories/explanation.js'

const evidence: Evidence = {
  summary: 'several inputs changed',
  args: [{name: 'NODE_ENV', old: 'production', new: 'development'}, {name: 'NPM_TOKEN', secret: true}],
  files: [{path: 'src/new.ts', change: 'added'}, {path: 'src/app.ts', change: 'modified'}],
  baseImage: {ref: 'node:20', old: 'sha256:1111', new: 'sha256:2222'},
  instruction: {old: 'RUN npm ci', new: 'RUN npm install', diff: 'RUN npm [-ci-]{+install+}'},
  platforms: {run: ['linux/arm64'], baseline: ['linux/amd64']},
  cache: {reasons: ['cache ref reg/app:cache lacks linux/arm64']},
  error: {message: 'exit code: 1', logTail: ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7']},
  missing: ['the baseline recorded no inputs'],
}

/** Every line, as written from `evidence`: args (a secret one without its value), files, base image, instruction, platforms, cache, the last 5 output lines, what is not known. */
const EXPECTED = [
  'NODE_ENV: production → development',
  'NPM_TOKEN: changed (secret value not shown)',
  'added src/new.ts',
  'modified src/app.ts',
  'node:20: sha256:1111 → sha256:2222',
  'diff: RUN npm [-ci-]{+install+}',
  'platforms: run linux/arm64; baseline linux/amd64',
  'cache: cache ref reg/app:cache lacks linux/arm64',
  '| l3', '| l4', '| l5', '| l6', '| l7',
  'not known: the baseline recorded no inputs',
]

const root = aStep({instruction: 'RUN npm install', verdict: 'instruction-changed', root: true, evidence, stage: 'deps', index: 4, total: 4})
const explanation = anExplanation([root])

/** The lines of a TUI pane from its "Evidence" heading to the next blank line, without the summary. */
function tuiEvidence(lines: {text: string}[]): string[] {
  const text = lines.map((l) => l.text)
  const from = text.indexOf('Evidence')
  const to = text.indexOf('', from)
  return text.slice(from + 2, to === -1 ? undefined : to).map((l) => l.replace(/^ {2}/, ''))
}

describe('one evidence renderer for text, markdown and the TUI', () => {
  it('the renderer gives the lines written from the data', () => {
    expect(evidenceLines(evidence)).toEqual(EXPECTED)
  })

  it('the TUI detail pane shows, after the summary, exactly the lines text output shows under the root cause', () => {
    const pane = stepLines(root).map((l) => l.text)
    expect(pane[pane.indexOf('Evidence') + 1]).toBe('  several inputs changed')
    expect(tuiEvidence(stepLines(root))).toEqual(EXPECTED)
    const text = renderExplanationText(explanation).split('\n')
    const at = text.indexOf('     several inputs changed')
    expect(text.slice(at + 1, at + 1 + EXPECTED.length)).toEqual(EXPECTED.map((l) => `       ${l}`))
  })

  it('markdown lists the same lines in the root cause\'s evidence cell', () => {
    const row = renderExplanationMarkdown(explanation).split('\n').find((l) => l.startsWith('| 1 |'))!
    expect(row).toContain(['several inputs changed', ...EXPECTED].map((l) => l.replace(/\|/g, '\\|')).join('<br>'))
  })

  it('a line the summary already says is printed once, by text and TUI alike', () => {
    const argOnly: Evidence = {summary: 'NODE_ENV: production → development', args: [{name: 'NODE_ENV', old: 'production', new: 'development'}], missing: ['x']}
    const step = aStep({instruction: 'RUN npm ci', verdict: 'arg-changed', root: true, evidence: argOnly})
    expect(tuiEvidence(stepLines(step))).toEqual(['not known: x'])
    const text = renderExplanationText(anExplanation([step]))
    expect(text.split('NODE_ENV: production → development').length - 1).toBe(1)
    expect(text).toContain('       not known: x')
  })

  it('a cascade names its root cause by label in the TUI (the renderer\'s root line), with where to jump', () => {
    const cascade = aStep({instruction: 'COPY --from=deps /app /app', verdict: 'upstream-invalidated', evidence: {summary: 'descends', root: root.key}, stage: 'build', index: 2})
    const lines = tuiEvidence(stepLines(cascade, root))
    expect(lines[0]).toBe(`root cause: ${label(root)}`)
    expect(lines).toEqual(evidenceLines(cascade.evidence, {self: cascade.key, rootLabel: () => label(root)}).concat(['  instruction-changed: several inputs changed', '  press g to jump to it']))
    expect(tuiEvidence(stepLines(cascade))).toEqual([`root cause: ${root.key} (not in this run)`])
  })

  it('the TUI diff pane lists the changed inputs in the renderer\'s words, summarised ones too', () => {
    const argStep = aStep({instruction: 'RUN npm ci', verdict: 'arg-changed', root: true, index: 2,
      evidence: {summary: 'NODE_ENV: production → development', args: [{name: 'NODE_ENV', old: 'production', new: 'development'}]}})
    const text = diffLines(anExplanation([root, argStep])).map((l) => l.text)
    for (const line of ['arg   NODE_ENV: production → development', 'arg   NPM_TOKEN: changed (secret value not shown)', 'file  added src/new.ts',
      'file  modified src/app.ts', 'base  node:20: sha256:1111 → sha256:2222', 'instr diff: RUN npm [-ci-]{+install+}']) expect(text).toContain(`  ${line}`)
    expect(text.filter((l) => l.includes('NODE_ENV'))).toHaveLength(1)
  })
})
