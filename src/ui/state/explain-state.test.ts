import {describe, expect, it} from 'vitest'
import {codeChangeExplanation, argChangedExplanation, largeExplanation, anExplanation, aStep} from '../../../test/factories/explanation.js'
import {actionFor, KEYMAP} from '../keymap.js'
import {
  createExplainState,
  explainReducer,
  selectFilterSummary,
  selectRootOf,
  selectRow,
  selectStep,
  selectVisibleRows,
  type ExplainAction,
  type ExplainState,
} from './explain-state.js'

const run = (state: ExplainState, ...actions: ExplainAction[]) => actions.reduce(explainReducer, state)
const ids = (s: ExplainState) => s.rows.map((r) => r.id)
const labels = (s: ExplainState) => s.rows.map((r) => (r.kind === 'group' ? `# ${r.group.label}` : s.model.explanation.steps[r.step]!.instruction))
/** moves the cursor onto the tree row of the step whose instruction starts with `text` */
function cursorTo(s: ExplainState, text: string, platform?: string): ExplainState {
  const i = s.rows.findIndex((r) => {
    if (r.kind !== 'step' || r.inRoots) return false
    const step = s.model.explanation.steps[r.step]!
    return step.instruction.startsWith(text) && (platform === undefined || step.platform === platform)
  })
  if (i < 0) throw new Error(`no row ${text}`)
  return explainReducer(s, {type: 'move', delta: i - s.cursor})
}

describe('initial state', () => {
  it('lists root causes first, then the target → platform → stage tree, cursor on the first root cause', () => {
    // Given the r3-like explanation with two root causes
    const s = createExplainState(codeChangeExplanation())
    // Then the first rows are the root-cause group and its two steps (ordered by time invalidated)
    expect(labels(s).slice(0, 4)).toEqual(['# Root causes', 'WORKDIR /app', 'COPY api/ ./api/', '# api'])
    expect(labels(s)[4]).toBe('# linux/amd64')
    expect(labels(s)[5]).toBe('# deps')
    expect(selectStep(s)?.instruction).toBe('WORKDIR /app')
    expect(selectStep(s)?.platform).toBe('linux/arm64')
  })

  it('expands only groups holding misses for a big run', () => {
    const s = createExplainState(largeExplanation(2400))
    const steps = s.rows.filter((r) => r.kind === 'step')
    expect(steps.length).toBeLessThan(2400)
    const collapsed = s.rows.filter((r) => r.kind === 'group' && !r.expanded)
    expect(collapsed.length).toBeGreaterThan(0)
  })

  it('handles an explanation with no steps', () => {
    const s = createExplainState(anExplanation([]))
    expect(s.rows).toEqual([])
    expect(selectRow(run(s, {type: 'move', delta: 1}, {type: 'expand'}, {type: 'collapse'}, {type: 'jumpToRoot'}))).toBeUndefined()
  })
})

describe('movement (↓ ↑ j k pgup pgdn home end)', () => {
  it('moves one row and clamps at both ends', () => {
    const s0 = createExplainState(codeChangeExplanation())
    const s1 = explainReducer(s0, {type: 'move', delta: 1})
    expect(s1.cursor).toBe(s0.cursor + 1)
    expect(run(s0, {type: 'home'}, {type: 'move', delta: -1}).cursor).toBe(0)
    expect(run(s0, {type: 'end'}, {type: 'move', delta: 1}).cursor).toBe(s0.rows.length - 1)
  })

  it('pages by the viewport and scrolls to keep the cursor visible', () => {
    const s0 = run(createExplainState(codeChangeExplanation(), {viewport: 5}), {type: 'home'})
    const s1 = explainReducer(s0, {type: 'page', dir: 1})
    expect(s1.cursor).toBe(4)
    const s2 = explainReducer(s1, {type: 'move', delta: 3})
    expect(s2.cursor).toBe(7)
    expect(s2.scrollTop).toBe(3)
    expect(selectVisibleRows(s2).map((v) => v.index)).toEqual([3, 4, 5, 6, 7])
    expect(explainReducer(s2, {type: 'page', dir: -1}).cursor).toBe(3)
  })

  it('scrolls the detail pane instead when it has focus', () => {
    const s0 = run(createExplainState(codeChangeExplanation()), {type: 'toggleFocus'})
    const s1 = run(s0, {type: 'move', delta: 2})
    expect(s1.cursor).toBe(s0.cursor)
    expect(s1.detailScroll).toBe(2)
    expect(run(s1, {type: 'move', delta: -5}).detailScroll).toBe(0)
  })

  it('resets the detail scroll when the cursor moves', () => {
    const s = run(createExplainState(codeChangeExplanation()), {type: 'toggleFocus'}, {type: 'move', delta: 3}, {type: 'toggleFocus'}, {type: 'move', delta: 1})
    expect(s.detailScroll).toBe(0)
  })
})

describe('expansion (enter/→ expand, ← collapse)', () => {
  it('collapses a group and re-expands it, keeping the cursor on it', () => {
    const s0 = run(createExplainState(codeChangeExplanation()), {type: 'home'}, {type: 'move', delta: 3})
    expect(selectRow(s0)?.id).toBe('g:t=api')
    const collapsed = explainReducer(s0, {type: 'collapse'})
    expect(collapsed.rows.length).toBe(4)
    expect(selectRow(collapsed)?.id).toBe('g:t=api')
    const expanded = explainReducer(collapsed, {type: 'expand'})
    expect(expanded.rows.length).toBe(s0.rows.length)
    // enter on an open group steps into it
    expect(selectRow(explainReducer(expanded, {type: 'expand'}))?.id).toBe('g:t=api|p=linux/amd64')
  })

  it('← on a step goes to its parent group; enter on a step opens the detail pane', () => {
    const s0 = cursorTo(createExplainState(codeChangeExplanation()), 'COPY shared/lib.txt')
    const opened = explainReducer(s0, {type: 'expand'})
    expect(opened.focus).toBe('detail')
    expect(opened.cursor).toBe(s0.cursor)
    // ← from the detail pane returns to the tree first
    const back = explainReducer(opened, {type: 'collapse'})
    expect(back.focus).toBe('tree')
    const parent = explainReducer(back, {type: 'collapse'})
    expect(selectRow(parent)?.id).toBe('g:t=api|p=linux/amd64|s=build')
  })
})

describe('filters', () => {
  it('m shows misses only and hides hits; m again shows all', () => {
    const s0 = createExplainState(codeChangeExplanation())
    const s1 = explainReducer(s0, {type: 'toggleMissesOnly'})
    const shown = s1.rows.filter((r) => r.kind === 'step').map((r) => s1.model.explanation.steps[(r as {step: number}).step]!)
    expect(shown.length).toBeGreaterThan(0)
    expect(shown.every((st) => !st.cached)).toBe(true)
    // the amd64 deps stage had only hits: its group disappears
    expect(ids(s1)).not.toContain('g:t=api|p=linux/amd64|s=deps')
    expect(selectFilterSummary(s1)).toBe('misses only')
    expect(explainReducer(s1, {type: 'toggleMissesOnly'}).rows.length).toBe(s0.rows.length)
  })

  it('keeps the cursor on the same step when a filter leaves it visible', () => {
    const s0 = cursorTo(createExplainState(codeChangeExplanation()), 'COPY shared/lib.txt')
    const s1 = explainReducer(s0, {type: 'toggleMissesOnly'})
    expect(selectStep(s1)?.key).toBe(selectStep(s0)?.key)
  })

  it('p cycles all → each platform → all', () => {
    const s0 = createExplainState(codeChangeExplanation())
    const a = explainReducer(s0, {type: 'cyclePlatform'})
    expect(a.filter.platform).toBe('linux/amd64')
    expect(a.rows.filter((r) => r.kind === 'step').every((r) => a.model.explanation.steps[(r as {step: number}).step]!.platform === 'linux/amd64')).toBe(true)
    const b = explainReducer(a, {type: 'cyclePlatform'})
    expect(b.filter.platform).toBe('linux/arm64')
    const c = explainReducer(b, {type: 'cyclePlatform'})
    expect(c.filter.platform).toBeUndefined()
    expect(c.rows.length).toBe(s0.rows.length)
  })

  it('/ search: typing filters, backspace edits, enter keeps, esc restores the previous query', () => {
    const s0 = createExplainState(codeChangeExplanation())
    const typing = run(s0, {type: 'startSearch'}, {type: 'searchInput', text: 'b'}, {type: 'searchInput', text: 'u'}, {type: 'searchInput', text: 'n'})
    expect(typing.searching).toBe(true)
    expect(typing.filter.query).toBe('bun')
    const steps = typing.rows.filter((r) => r.kind === 'step').map((r) => typing.model.explanation.steps[(r as {step: number}).step]!.instruction)
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.every((t) => t.toLowerCase().includes('bun'))).toBe(true)
    expect(run(typing, {type: 'searchBackspace'}).filter.query).toBe('bu')
    const kept = explainReducer(typing, {type: 'endSearch', keep: true})
    expect(kept.searching).toBe(false)
    expect(kept.filter.query).toBe('bun')
    expect(selectFilterSummary(kept)).toBe('search "bun"')
    const cancelled = run(kept, {type: 'startSearch'}, {type: 'searchInput', text: 'zzz'}, {type: 'endSearch', keep: false})
    expect(cancelled.filter.query).toBe('bun')
    // text typed outside search mode is ignored
    expect(explainReducer(kept, {type: 'searchInput', text: 'x'}).filter.query).toBe('bun')
  })

  it('search matches verdicts too, and a search with no match shows no rows', () => {
    const s = run(createExplainState(codeChangeExplanation()), {type: 'startSearch'}, {type: 'searchInput', text: 'cache-unavailable'})
    expect(s.rows.some((r) => r.kind === 'step' && s.model.explanation.steps[r.step]!.verdict === 'cache-unavailable')).toBe(true)
    const none = run(s, {type: 'searchInput', text: 'nothing-like-this'})
    expect(none.rows).toEqual([])
    expect(selectStep(none)).toBeUndefined()
  })
})

describe('panes, overlays, views', () => {
  it('tab toggles the focused pane', () => {
    const s = createExplainState(codeChangeExplanation())
    expect(explainReducer(s, {type: 'toggleFocus'}).focus).toBe('detail')
    expect(run(s, {type: 'toggleFocus'}, {type: 'toggleFocus'}).focus).toBe('tree')
  })

  it('? toggles help, d toggles the diff view, esc backs out one level at a time', () => {
    const s = createExplainState(codeChangeExplanation())
    expect(explainReducer(s, {type: 'toggleHelp'}).help).toBe(true)
    expect(run(s, {type: 'toggleHelp'}, {type: 'toggleHelp'}).help).toBe(false)
    expect(explainReducer(s, {type: 'toggleDiff'}).view).toBe('diff')
    expect(run(s, {type: 'toggleDiff'}, {type: 'toggleDiff'}).view).toBe('explain')
    const deep = run(s, {type: 'toggleFocus'}, {type: 'toggleDiff'}, {type: 'toggleHelp'})
    const b1 = explainReducer(deep, {type: 'back'})
    expect([b1.help, b1.view, b1.focus]).toEqual([false, 'diff', 'detail'])
    const b2 = explainReducer(b1, {type: 'back'})
    expect([b2.view, b2.focus]).toEqual(['explain', 'detail'])
    expect(explainReducer(b2, {type: 'back'}).focus).toBe('tree')
  })

  it('q sets quit', () => {
    const s = createExplainState(codeChangeExplanation())
    expect(s.quit).toBe(false)
    expect(explainReducer(s, {type: 'quit'}).quit).toBe(true)
  })

  it('resize changes the viewport and keeps the cursor in view', () => {
    const s0 = run(createExplainState(codeChangeExplanation(), {viewport: 20}), {type: 'end'})
    const s1 = explainReducer(s0, {type: 'resize', viewport: 4})
    expect(s1.viewport).toBe(4)
    expect(s1.cursor).toBeGreaterThanOrEqual(s1.scrollTop)
    expect(s1.cursor).toBeLessThan(s1.scrollTop + 4)
  })
})

describe('g: jump to the root cause', () => {
  it('moves from a cascade step to its root step in the tree', () => {
    const s0 = cursorTo(createExplainState(codeChangeExplanation()), 'RUN cat api', 'linux/amd64')
    expect(selectRootOf(s0)?.instruction).toBe('COPY api/ ./api/')
    const s1 = explainReducer(s0, {type: 'jumpToRoot'})
    const row = selectRow(s1)
    expect(row?.kind === 'step' && !row.inRoots).toBe(true)
    expect(selectStep(s1)?.instruction).toBe('COPY api/ ./api/')
    expect(selectStep(s1)?.platform).toBe('linux/amd64')
  })

  it('opens collapsed groups and drops a platform filter that hides the root', () => {
    // Given the cursor on an arm64 cascade step, then the arm64 deps group collapsed and amd64 filter… impossible
    // together, so: collapse the group holding the root, select a cascade elsewhere, jump.
    const e = codeChangeExplanation()
    let s = createExplainState(e)
    s = cursorTo(s, 'COPY api/')
    s = explainReducer(s, {type: 'collapse'}) // to parent (build)
    s = explainReducer(s, {type: 'collapse'}) // collapse build
    expect(ids(s)).not.toContain(`s:${e.steps[5]!.key}`)
    s = cursorTo(s, 'COPY --from=build')
    s = explainReducer(s, {type: 'jumpToRoot'})
    expect(selectStep(s)?.key).toBe(e.steps[5]!.key)
    expect(s.expanded.has('g:t=api|p=linux/amd64|s=build')).toBe(true)
  })

  it('on a hit it stays put and says a hit has no root cause; with no root cause it leaves a message', () => {
    const s0 = cursorTo(createExplainState(argChangedExplanation()), 'WORKDIR /app')
    const onHit = explainReducer(s0, {type: 'jumpToRoot'})
    expect(selectStep(onHit)?.instruction).toBe('WORKDIR /app')
    expect(onHit.message).toBe('a hit has no root cause')
    const none = createExplainState(anExplanation([aStep({instruction: 'RUN true'})]))
    const after = explainReducer(none, {type: 'jumpToRoot'})
    expect(after.message).toBe('no root cause in this run')
    expect(explainReducer(after, {type: 'move', delta: 0}).message).toBeUndefined()
  })
})

describe('keymap → reducer', () => {
  it('every binding resolves to its action through actionFor', () => {
    const flags: Record<string, object> = {
      down: {downArrow: true}, up: {upArrow: true}, left: {leftArrow: true}, right: {rightArrow: true},
      pagedown: {pageDown: true}, pageup: {pageUp: true}, home: {home: true}, end: {end: true},
      enter: {return: true}, escape: {escape: true}, tab: {tab: true},
    }
    for (const b of KEYMAP) {
      for (const k of b.keys) {
        const action = k === 'ctrl+c' ? actionFor('c', {ctrl: true}, {searching: false}) : actionFor(flags[k] ? '' : k, flags[k] ?? {}, {searching: false})
        expect(action, k).toEqual(b.action)
      }
    }
  })

  it('in search mode letters become query text, and DEL deletes', () => {
    expect(actionFor('q', {}, {searching: true})).toEqual({type: 'searchInput', text: 'q'})
    expect(actionFor('', {delete: true}, {searching: true})).toEqual({type: 'searchBackspace'})
    expect(actionFor('', {return: true}, {searching: true})).toEqual({type: 'endSearch', keep: true})
    expect(actionFor('', {escape: true}, {searching: true})).toEqual({type: 'endSearch', keep: false})
    expect(actionFor('x', {}, {searching: false})).toBeUndefined()
  })
})

describe('raw key presses (the `key` action)', () => {
  it('a burst of keys in one read acts as separate presses', () => {
    const s0 = run(createExplainState(codeChangeExplanation()), {type: 'home'})
    const s1 = explainReducer(s0, {type: 'key', input: 'jjj', key: {}})
    expect(s1.cursor).toBe(3)
    // `/` then text then enter, all in one chunk: searches and keeps the query
    const s2 = explainReducer(s0, {type: 'key', input: '/bundle\r', key: {}})
    expect(s2.searching).toBe(false)
    expect(s2.filter.query).toBe('bundle')
  })

  it('resolves against the current mode: in search, q types a q', () => {
    const s = run(createExplainState(codeChangeExplanation()), {type: 'key', input: '/', key: {}}, {type: 'key', input: 'q', key: {}})
    expect(s.quit).toBe(false)
    expect(s.filter.query).toBe('q')
    expect(explainReducer(s, {type: 'key', input: '', key: {escape: true}}).filter.query).toBe('')
    expect(run(s, {type: 'key', input: '', key: {escape: true}}, {type: 'key', input: 'q', key: {}}).quit).toBe(true)
  })

  it('in the diff view, j scrolls the diff instead of the tree', () => {
    const s0 = run(createExplainState(codeChangeExplanation()), {type: 'toggleDiff'})
    const s1 = explainReducer(s0, {type: 'key', input: 'j', key: {}})
    expect(s1.diffScroll).toBe(1)
    expect(s1.cursor).toBe(s0.cursor)
    expect(run(s1, {type: 'toggleDiff'}, {type: 'toggleDiff'}).diffScroll).toBe(0)
  })
})

describe('scroll bounds', () => {
  it('detail and diff scrolling stop at the bounds the panes report', () => {
    const s0 = run(createExplainState(codeChangeExplanation()), {type: 'bounds', detailMax: 3, diffMax: 1}, {type: 'toggleFocus'})
    const s1 = run(s0, {type: 'move', delta: 1}, {type: 'move', delta: 1}, {type: 'move', delta: 1}, {type: 'move', delta: 1}, {type: 'page', dir: 1})
    expect(s1.detailScroll).toBe(3)
    expect(explainReducer(s1, {type: 'move', delta: -1}).detailScroll).toBe(2)
    const d = run(s0, {type: 'toggleDiff'}, {type: 'page', dir: 1})
    expect(d.diffScroll).toBe(1)
    // a smaller bound (a shorter step selected, a taller pane) pulls the offset back
    expect(explainReducer(s1, {type: 'bounds', detailMax: 1, diffMax: 0}).detailScroll).toBe(1)
  })
})
