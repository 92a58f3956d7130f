/**
 * The explain view-model: a pure reducer over cursor, expansion, filters, focus and overlays, plus
 * selectors. Tested without ink (docs/architecture.md, "Folders"). The visible rows are kept in the state and
 * rebuilt only when expansion or filters change, so moving the cursor over 2,400 steps stays O(1).
 */
import type {Explanation, StepExplanation} from '../../domain/explain/types.js'
import {
  ancestorsOf,
  buildModel,
  buildRows,
  defaultExpanded,
  rootRowId,
  ROOTS_GROUP_ID,
  stepRowId,
  type ExplainModel,
  type Row,
  type RowFilter,
} from './step-tree.js'
import {actionFor, type KeyFlags} from '../keymap.js'

export type Pane = 'tree' | 'detail'
export type View = 'explain' | 'diff'

export interface ExplainState {
  readonly model: ExplainModel
  readonly expanded: ReadonlySet<string>
  readonly filter: Readonly<RowFilter>
  /** typing a search query (`/` … enter/esc) */
  readonly searching: boolean
  /** the query before `/` was pressed, restored by esc */
  readonly queryBefore: string
  readonly rows: readonly Row[]
  /** index into rows */
  readonly cursor: number
  /** first visible row of the tree pane */
  readonly scrollTop: number
  /** rows the tree pane can show (set by `resize`) */
  readonly viewport: number
  /** first visible line of the detail pane */
  readonly detailScroll: number
  /** first visible line of the diff view */
  readonly diffScroll: number
  /** largest useful detailScroll / diffScroll (set by `bounds` from what the panes hold) */
  readonly detailMax: number
  readonly diffMax: number
  readonly focus: Pane
  readonly help: boolean
  readonly view: View
  /** set by `quit`; the app root turns it into exit() */
  readonly quit: boolean
  /** a one-line note for the user, e.g. "no root cause for a hit" */
  readonly message?: string
}

export type ExplainAction =
  | {type: 'move'; delta: number}
  | {type: 'page'; dir: 1 | -1}
  | {type: 'home'}
  | {type: 'end'}
  | {type: 'expand'}
  | {type: 'collapse'}
  | {type: 'toggleMissesOnly'}
  | {type: 'cyclePlatform'}
  | {type: 'startSearch'}
  | {type: 'searchInput'; text: string}
  | {type: 'searchBackspace'}
  | {type: 'endSearch'; keep: boolean}
  | {type: 'toggleFocus'}
  | {type: 'toggleHelp'}
  | {type: 'toggleDiff'}
  | {type: 'jumpToRoot'}
  | {type: 'back'}
  | {type: 'quit'}
  | {type: 'resize'; viewport: number}
  /** how far the detail pane and the diff view can scroll (lines beyond one screen) */
  | {type: 'bounds'; detailMax: number; diffMax: number}
  /** a raw key press, resolved through the keymap against the current state (search mode or not) */
  | {type: 'key'; input: string; key: KeyFlags}

export interface CreateOptions {
  /** tree pane height in rows (default 20) */
  viewport?: number
  /** start in the diff view */
  view?: View
}

/** Initial state: root causes listed first, cursor on the first root cause (or the first row). */
export function createExplainState(explanation: Explanation, options: CreateOptions = {}): ExplainState {
  const model = buildModel(explanation)
  const expanded = defaultExpanded(model)
  const filter: RowFilter = {missesOnly: false, query: ''}
  const rows = buildRows(model, expanded, filter)
  const firstRoot = rows.findIndex((r) => r.kind === 'step' && r.inRoots)
  return {
    model,
    expanded,
    filter,
    searching: false,
    queryBefore: '',
    rows,
    cursor: firstRoot >= 0 ? firstRoot : 0,
    scrollTop: 0,
    viewport: Math.max(1, options.viewport ?? 20),
    detailScroll: 0,
    diffScroll: 0,
    detailMax: Number.POSITIVE_INFINITY,
    diffMax: Number.POSITIVE_INFINITY,
    focus: 'tree',
    help: false,
    view: options.view ?? 'explain',
    quit: false,
  }
}

export function explainReducer(state: ExplainState, action: ExplainAction): ExplainState {
  const s = state.message === undefined ? state : {...state, message: undefined}
  switch (action.type) {
    case 'move':
      if (s.view === 'diff' && !s.searching) return {...s, diffScroll: bound(s.diffScroll + action.delta, s.diffMax)}
      if (s.focus === 'detail' && !s.searching) return {...s, detailScroll: bound(s.detailScroll + action.delta, s.detailMax)}
      return moveTo(s, s.cursor + action.delta)
    case 'page':
      if (s.view === 'diff' && !s.searching) return {...s, diffScroll: bound(s.diffScroll + action.dir * s.viewport, s.diffMax)}
      if (s.focus === 'detail' && !s.searching) return {...s, detailScroll: bound(s.detailScroll + action.dir * s.viewport, s.detailMax)}
      return moveTo(s, s.cursor + action.dir * Math.max(1, s.viewport - 1))
    case 'home':
      return moveTo(s, 0)
    case 'end':
      return moveTo(s, s.rows.length - 1)
    case 'expand':
      return expand(s)
    case 'collapse':
      return collapse(s)
    case 'toggleMissesOnly':
      return refilter(s, {...s.filter, missesOnly: !s.filter.missesOnly})
    case 'cyclePlatform': {
      const list = s.model.platforms
      if (list.length === 0) return {...s, message: 'no platforms to filter by'}
      const at = s.filter.platform === undefined ? -1 : list.indexOf(s.filter.platform)
      const next = at + 1 < list.length ? list[at + 1] : undefined
      return refilter(s, {...s.filter, platform: next})
    }
    case 'startSearch':
      return {...s, searching: true, queryBefore: s.filter.query, focus: 'tree', help: false}
    case 'searchInput':
      if (!s.searching) return s
      return refilter(s, {...s.filter, query: s.filter.query + action.text})
    case 'searchBackspace':
      if (!s.searching) return s
      return refilter(s, {...s.filter, query: s.filter.query.slice(0, -1)})
    case 'endSearch': {
      if (!s.searching) return s
      const done = {...s, searching: false}
      return action.keep ? done : refilter(done, {...s.filter, query: s.queryBefore})
    }
    case 'toggleFocus':
      return {...s, focus: s.focus === 'tree' ? 'detail' : 'tree'}
    case 'toggleHelp':
      return {...s, help: !s.help}
    case 'toggleDiff':
      return {...s, view: s.view === 'diff' ? 'explain' : 'diff', help: false, diffScroll: 0}
    case 'jumpToRoot':
      return jumpToRoot(s)
    case 'back':
      if (s.searching) return explainReducer(s, {type: 'endSearch', keep: false})
      if (s.help) return {...s, help: false}
      if (s.view === 'diff') return {...s, view: 'explain'}
      if (s.focus === 'detail') return {...s, focus: 'tree'}
      return s
    case 'quit':
      return {...s, quit: true}
    case 'key': {
      // Resolved here, not in the input hook: keys typed faster than React re-renders must see the
      // state the previous key produced (`/` then `b` must type a `b`, not run a command).
      const presses = splitPresses(action.input, action.key)
      if (presses.length > 1) return presses.reduce((acc, p) => explainReducer(acc, {type: 'key', ...p}), state)
      const next = actionFor(action.input, action.key, {searching: s.searching})
      return next ? explainReducer(state, next) : state
    }
    case 'bounds': {
      const detailMax = Math.max(0, action.detailMax)
      const diffMax = Math.max(0, action.diffMax)
      if (detailMax === s.detailMax && diffMax === s.diffMax) return state
      return {...s, detailMax, diffMax, detailScroll: bound(s.detailScroll, detailMax), diffScroll: bound(s.diffScroll, diffMax)}
    }
    case 'resize': {
      const viewport = Math.max(1, Math.floor(action.viewport))
      if (viewport === s.viewport) return s
      return {...s, viewport, scrollTop: clampScroll(s.cursor, s.scrollTop, viewport, s.rows.length)}
    }
  }
}

// ---------------------------------------------------------------- selectors

export function selectRow(state: ExplainState): Row | undefined {
  return state.rows[state.cursor]
}

/** The step under the cursor (a root-cause row and its tree row select the same step). */
export function selectStep(state: ExplainState): StepExplanation | undefined {
  const row = selectRow(state)
  return row?.kind === 'step' ? state.model.explanation.steps[row.step] : undefined
}

/** The rows the tree pane shows, with their absolute indexes. */
export function selectVisibleRows(state: ExplainState): {row: Row; index: number}[] {
  const out: {row: Row; index: number}[] = []
  const end = Math.min(state.rows.length, state.scrollTop + state.viewport)
  for (let i = state.scrollTop; i < end; i++) out.push({row: state.rows[i]!, index: i})
  return out
}

/** The root-cause step a cascade descends from, when the selected step is one. */
export function selectRootOf(state: ExplainState): StepExplanation | undefined {
  const step = selectStep(state)
  const key = step?.evidence?.root
  if (key === undefined || key === step?.key) return undefined
  const i = state.model.stepIndex.get(key)
  return i === undefined ? undefined : state.model.explanation.steps[i]
}

/** Human words for the active filters, e.g. `misses only · linux/arm64 · "copy"`. */
export function selectFilterSummary(state: ExplainState): string {
  const parts: string[] = []
  if (state.filter.missesOnly) parts.push('misses only')
  if (state.filter.platform !== undefined) parts.push(`platform ${state.filter.platform}`)
  if (state.filter.query !== '') parts.push(`search "${state.filter.query}"`)
  return parts.join(' · ')
}

// ---------------------------------------------------------------- helpers

const bound = (value: number, max: number) => Math.max(0, Math.min(value, max))

/**
 * ink hands a burst of keys that arrived in one read (fast typing, a paste, `tmux send-keys j j`)
 * to the handler as one string: split it back into single presses.
 */
function splitPresses(input: string, key: KeyFlags): {input: string; key: KeyFlags}[] {
  if (input.length <= 1 || key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return [{input, key}]
  return [...input].map((ch) => {
    if (ch === '\r' || ch === '\n') return {input: '', key: {return: true}}
    if (ch === '\t') return {input: '', key: {tab: true}}
    if (ch === '\u007F' || ch === '\b') return {input: '', key: {backspace: true}}
    return {input: ch, key: {}}
  })
}

function clampScroll(cursor: number, scrollTop: number, viewport: number, total: number): number {
  let top = scrollTop
  if (cursor < top) top = cursor
  if (cursor >= top + viewport) top = cursor - viewport + 1
  return Math.max(0, Math.min(top, Math.max(0, total - viewport)))
}

function moveTo(s: ExplainState, index: number): ExplainState {
  const cursor = Math.max(0, Math.min(index, s.rows.length - 1))
  if (cursor === s.cursor && s.rows.length > 0) return s
  return {...s, cursor: Math.max(0, cursor), detailScroll: 0, scrollTop: clampScroll(Math.max(0, cursor), s.scrollTop, s.viewport, s.rows.length)}
}

/** Rebuilds rows and keeps the cursor on the same row when it is still visible, else near where it was. */
function relayout(s: ExplainState, expanded: ReadonlySet<string>, filter: RowFilter, preferId?: string): ExplainState {
  const current = s.rows[s.cursor]
  const rows = buildRows(s.model, expanded, filter)
  let cursor = -1
  for (const id of [preferId, current?.id]) {
    if (id === undefined) continue
    cursor = rows.findIndex((r) => r.id === id)
    if (cursor >= 0) break
  }
  if (cursor < 0 && current?.kind === 'step') {
    // the same step under the other heading (root-cause group vs tree)
    const key = s.model.explanation.steps[current.step]!.key
    cursor = rows.findIndex((r) => r.id === stepRowId(key) || r.id === rootRowId(key))
  }
  if (cursor < 0) cursor = Math.min(s.cursor, rows.length - 1)
  cursor = Math.max(0, cursor)
  const detailScroll = rows[cursor]?.id === current?.id ? s.detailScroll : 0
  return {...s, expanded, filter, rows, cursor, detailScroll, scrollTop: clampScroll(cursor, s.scrollTop, s.viewport, rows.length)}
}

function refilter(s: ExplainState, filter: RowFilter): ExplainState {
  return relayout(s, s.expanded, filter)
}

function expand(s: ExplainState): ExplainState {
  const row = s.rows[s.cursor]
  if (!row) return s
  if (row.kind === 'step') return {...s, focus: 'detail'}
  if (!row.expanded) {
    const expanded = new Set(s.expanded)
    expanded.add(row.id)
    return relayout(s, expanded, s.filter, row.id)
  }
  // already open: step into its first child, like a file tree
  const next = s.rows[s.cursor + 1]
  return next && next.depth > row.depth ? moveTo(s, s.cursor + 1) : s
}

function collapse(s: ExplainState): ExplainState {
  if (s.focus === 'detail') return {...s, focus: 'tree'}
  const row = s.rows[s.cursor]
  if (!row) return s
  if (row.kind === 'group' && row.expanded && s.filter.query === '') {
    const expanded = new Set(s.expanded)
    expanded.delete(row.id)
    return relayout(s, expanded, s.filter, row.id)
  }
  // a step, or a closed group: go to the parent heading
  for (let i = s.cursor - 1; i >= 0; i--) {
    const r = s.rows[i]!
    if (r.kind === 'group' && r.depth < row.depth) return moveTo(s, i)
  }
  return s
}

function jumpToRoot(s: ExplainState): ExplainState {
  const step = selectStep(s)
  // a hit has no root cause: jumping to an unrelated one would suggest it has
  if (step && step.cached && !step.suspiciousHit) return {...s, message: 'a hit has no root cause'}
  let target: number | undefined
  if (step?.evidence?.root !== undefined && step.evidence.root !== step.key) target = s.model.stepIndex.get(step.evidence.root)
  else if (step && step.root && !step.cached) target = s.model.stepIndex.get(step.key)
  else target = s.model.roots[0]
  if (target === undefined) {
    return {...s, message: step?.evidence?.root !== undefined ? `root step ${step.evidence.root} is not in this run` : 'no root cause in this run'}
  }
  const key = s.model.explanation.steps[target]!.key
  // Show the root in the tree: open its groups, and drop filters that would hide it.
  const expanded = new Set(s.expanded)
  for (const g of ancestorsOf(s.model, target)) expanded.add(g)
  const filter = {...s.filter}
  const rootStep = s.model.explanation.steps[target]!
  if (filter.platform !== undefined && rootStep.platform !== filter.platform) filter.platform = undefined
  if (filter.missesOnly && rootStep.cached) filter.missesOnly = false
  if (filter.query !== '' && !s.model.haystack[target]!.includes(filter.query.toLowerCase())) filter.query = ''
  const next = relayout({...s, searching: false}, expanded, filter, stepRowId(key))
  return {...next, focus: 'tree', view: 'explain', help: false}
}

export {ROOTS_GROUP_ID}
