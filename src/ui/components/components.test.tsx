import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import {argChangedExplanation, aRunDiff, codeChangeExplanation, anExplanation, aStep} from '../../../test/factories/explanation.js'
import {plain} from '../../../test/tui/ink.js'
import {KEYMAP, keyLabel, SEARCH_KEYMAP} from '../keymap.js'
import {createExplainState, explainReducer, selectRootOf, selectRow, selectVisibleRows, type ExplainState} from '../state/explain-state.js'
import {DetailPane} from './DetailPane.js'
import {DiffView} from './DiffView.js'
import {Header} from './Header.js'
import {HelpOverlay} from './HelpOverlay.js'
import {KeyHints} from './KeyHints.js'
import {StepTree} from './StepTree.js'

const WIDTH = 72

function selectStepRow(s: ExplainState, instruction: string, platform?: string): ExplainState {
  const i = s.rows.findIndex((r) => r.kind === 'step' && !r.inRoots && s.model.explanation.steps[r.step]!.instruction.startsWith(instruction)
    && (platform === undefined || s.model.explanation.steps[r.step]!.platform === platform))
  if (i < 0) throw new Error(`no row ${instruction}`)
  return explainReducer(s, {type: 'move', delta: i - s.cursor})
}

const detail = (s: ExplainState, height = 40) =>
  plain(render(<DetailPane explanation={s.model.explanation} row={selectRow(s)} root={selectRootOf(s)} width={WIDTH} height={height} scroll={s.detailScroll} />).lastFrame())

const tree = (s: ExplainState) =>
  plain(render(<StepTree rows={selectVisibleRows(s)} cursor={s.cursor} steps={s.model.explanation.steps} width={WIDTH} height={s.viewport} focused />).lastFrame())

describe('DetailPane', () => {
  it('an arg-changed step shows old → new values, hides the secret, gives advice, line and log', () => {
    const s = selectStepRow(createExplainState(argChangedExplanation()), 'RUN npm ci')
    const text = detail(s)
    expect(text).toContain('ROOT CAUSE · MISS · arg-changed')
    expect(text).toContain('NODE_ENV: production → development')
    expect(text).toContain('NPM_TOKEN: changed (secret value not shown)')
    expect(text).toContain('Dockerfile:9')
    expect(text).toContain('invalidated 2 steps (4.30s) downstream')
    expect(text).toContain('move ARG NODE_ENV below the expensive RUN')
    expect(text).toContain('npm notice run `npm fund` for details')
    // the summary line equals the arg line: said once, not twice
    expect(text.split('NODE_ENV: production → development').length - 1).toBe(1)
  })

  it('a cascade shows its root step and the key to jump to it', () => {
    const s = selectStepRow(createExplainState(codeChangeExplanation()), 'RUN cat api', 'linux/amd64')
    const text = detail(s)
    expect(text).toContain('MISS · upstream-invalidated')
    expect(text).toContain('root cause: [api linux/amd64 build 4/6] COPY api/ ./api/')
    expect(text).toContain('context-changed: 1 file modified: api/main.txt')
    expect(text).toContain('press g to jump to it')
  })

  it('a context-changed step lists changed files with their paths', () => {
    const s = selectStepRow(createExplainState(codeChangeExplanation()), 'COPY api/')
    const text = detail(s)
    expect(text).toMatch(/modified\s+api\/main\.txt/)
    expect(text).toContain('Dockerfile:14')
  })

  it('a hit says so and shows no verdict', () => {
    const s = selectStepRow(createExplainState(codeChangeExplanation()), 'WORKDIR /src')
    const text = detail(s)
    expect(text).toContain('HIT (from cache)')
    expect(text).not.toContain('MISS')
  })

  it('a failed step shows the error and last log lines; base-image and instruction changes show old and new', () => {
    const e = anExplanation([
      aStep({instruction: 'RUN cat missing.txt', verdict: 'failed', root: true, error: 'process "/bin/sh -c cat missing.txt" did not complete successfully: exit code: 1',
        evidence: {summary: 'the step failed'}, logTail: ['cat: can\'t open \'missing.txt\': No such file or directory']}),
      aStep({index: 1, instruction: 'FROM busybox', verdict: 'base-image-changed', root: true,
        evidence: {summary: 'base image moved', baseImage: {ref: 'busybox:1', old: 'sha256:269c345739b285890e03', new: 'sha256:c9ef00112233445566778899'}}}),
      aStep({index: 3, instruction: 'RUN make all', verdict: 'instruction-changed', root: true,
        evidence: {summary: 'instruction changed', instruction: {old: 'RUN make', new: 'RUN make all'}}}),
    ])
    let s = createExplainState(e)
    s = selectStepRow(s, 'RUN cat missing')
    let text = detail(s)
    expect(text).toContain('MISS · failed')
    expect(text).toContain('exit code: 1')
    expect(text).toContain("No such file or directory")
    s = selectStepRow(s, 'FROM busybox')
    text = detail(s)
    // the pane wraps the line: old and new digests, in full
    expect(text).toContain('busybox:1: sha256:269c345739b285890e03 →')
    expect(text).toContain('sha256:c9ef00112233445566778899')
    s = selectStepRow(s, 'RUN make all')
    text = detail(s)
    expect(text).toContain('instruction: RUN make → RUN make all')
  })

  it('scrolls: a scrolled pane starts further down', () => {
    const s = selectStepRow(createExplainState(argChangedExplanation()), 'RUN npm ci')
    const top = detail(s, 4)
    expect(top).toContain('ROOT CAUSE')
    const scrolled = detail({...s, detailScroll: 4}, 4)
    expect(scrolled).not.toContain('ROOT CAUSE')
  })

  it('the root-cause group lists every root cause with what it invalidated', () => {
    const s = explainReducer(createExplainState(codeChangeExplanation()), {type: 'home'})
    const text = detail(s)
    expect(text).toContain('Root causes (2)')
    expect(text).toContain('invalidated 9 steps (505ms)')
    expect(text).toContain('invalidated 3 steps (116ms)')
  })
})

describe('StepTree', () => {
  it('marks hits, misses and root causes, with durations and the verdict of misses', () => {
    const text = tree(createExplainState(codeChangeExplanation(), {viewport: 30}))
    const lines = text.split('\n')
    const line = (needle: string) => lines.find((l) => l.includes(needle) && !l.includes('(api')) ?? ''
    expect(line('4/6 COPY api/')).toMatch(/◆\s+19ms 4\/6 COPY api\/ \.\/api\/\s+context-changed/)
    expect(line('5/6 COPY shared/lib.txt')).toMatch(/✗\s+15ms 5\/6 COPY shared\/lib\.txt \.\/\s+upstream-invalidated/)
    expect(line('2/6 WORKDIR /src')).toMatch(/✓\s+0ms 2\/6 WORKDIR \/src\s*$/)
    expect(lines[0]).toContain('▾ Root causes  2 steps')
    // every line fits the width (one column for the cursor)
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(WIDTH)
  })

  it('misses-only hides the hits', () => {
    const s = explainReducer(createExplainState(codeChangeExplanation(), {viewport: 30}), {type: 'toggleMissesOnly'})
    const text = tree(s)
    expect(text).not.toContain('WORKDIR /src')
    expect(text).not.toContain('✓')
    expect(text).toContain('COPY api/ ./api/')
    expect(text).not.toMatch(/▾ deps .*0 misses/)
  })

  it('shows only the rows in the viewport, with the cursor marked', () => {
    const s = createExplainState(codeChangeExplanation(), {viewport: 3})
    const lines = tree(s).split('\n')
    expect(lines).toHaveLength(3)
    expect(lines.filter((l) => l.startsWith('›'))).toHaveLength(1)
    expect(lines[1]!.startsWith('›')).toBe(true)
  })

  it('collapsed groups show ▸ and hide their steps', () => {
    const s = explainReducer(createExplainState(codeChangeExplanation()), {type: 'home'})
    const text = tree(explainReducer(s, {type: 'collapse'}))
    expect(text).toContain('▸ Root causes')
  })
})

describe('Header, KeyHints, HelpOverlay, DiffView', () => {
  it('the header shows run, baseline, targets, platforms, both hit rates, duration and what the root causes cost', () => {
    const text = plain(render(<Header explanation={codeChangeExplanation()} width={120} filters="misses only" />).lastFrame())
    expect(text).toContain('run r2 vs r1')
    expect(text).toContain('targets api')
    expect(text).toContain('platforms linux/amd64, linux/arm64')
    expect(text).toContain('hit rate 5/12 (41.7%)')
    expect(text).toMatch(/time-weighted \d+(\.\d)?%/)
    expect(text).toContain('duration 1.22s')
    // the cost of the root causes: context-changed 3 steps 116 ms + cache-unavailable 9 steps 505 ms (the factory)
    expect(text).toContain('2 root causes cost 12 steps, 621ms')
    expect(text).toContain('filter: misses only')
  })

  it('on an 80-column terminal the header still shows what the root causes cost', () => {
    const text = plain(render(<Header explanation={codeChangeExplanation()} width={80} />).lastFrame())
    expect(text.split('\n')[1]).toMatch(/^hit rate 5\/12 \(41\.7%\) · time-weighted \d+(\.\d)?% · 2 root causes cost 12 steps, 621ms/)
  })

  it('the help overlay lists every key of the keymap and of search mode', () => {
    const text = plain(render(<HelpOverlay width={110} height={60} />).lastFrame())
    for (const b of [...KEYMAP, ...SEARCH_KEYMAP]) {
      expect(text).toContain(keyLabel(b))
      expect(text).toContain(b.help)
    }
    for (const k of ['q', 'g', 'm', 'p', '/', '?', 'd', 'tab', 'enter', 'esc']) expect(text).toMatch(new RegExp(`(^|[│ /])${k.replace(/[?/]/g, '\\$&')}[ /]`, 'm'))
  })

  it('key hints show the search prompt while typing, else the main keys', () => {
    expect(plain(render(<KeyHints width={80} searching query="copy" />).lastFrame())).toContain('/copy')
    const hints = plain(render(<KeyHints width={100} searching={false} query="" />).lastFrame())
    expect(hints.startsWith('q quit · ? help')).toBe(true)
    expect(hints).toContain('g root cause')
    expect(hints).toContain('/ search')
    expect(hints).toContain('q quit')
    expect(plain(render(<KeyHints width={80} searching={false} query="" message="no root cause in this run" />).lastFrame())).toContain('no root cause in this run')
  })

  it('the diff view of a RunDiff shows plan and input changes old → new', () => {
    const e = argChangedExplanation()
    const text = plain(render(<DiffView explanation={e} diff={aRunDiff(e)} width={100} height={40} scroll={0} />).lastFrame())
    expect(text).toContain('Diff r1 → r2')
    expect(text).toContain('api  args.NODE_ENV: production → development')
    expect(text).toMatch(/arg\s+NODE_ENV: production → development/)
    expect(text).toContain('hit → miss  RUN npm ci  arg-changed')
    expect(text).toContain('node:20 (linux/amd64): sha256:aaaaaaaaaaaa… unchanged')
  })

  it('without a RunDiff it diffs against the explanation baseline from the evidence', () => {
    const text = plain(render(<DiffView explanation={codeChangeExplanation()} width={100} height={40} scroll={0} />).lastFrame())
    expect(text).toContain('Diff r1 → r2')
    expect(text).toContain('file  modified api/main.txt')
    expect(text).toContain('cache-unavailable: [api linux/arm64 deps 2/4] WORKDIR /app')
    expect(text).toContain('run `bakedoctor diff` for the plan diff')
  })

  it('a diff with no recorded plan says so instead of "none"', () => {
    const e = argChangedExplanation()
    const text = plain(render(<DiffView explanation={e} diff={aRunDiff(e, {plan: undefined})} width={100} height={40} scroll={0} />).lastFrame())
    expect(text).toContain('not known: a run has no recorded plan')
  })
})
