/**
 * Keybindings as data: key name → action. The help overlay and the key hints
 * are rendered from this same table, so a binding cannot exist without being documented.
 * IMPORTANT: a new action needs a case in `explainReducer` (state/explain-state.ts) too.
 */
import type {ExplainAction} from './state/explain-state.js'

/** The parts of ink's `Key` we read (kept structural so this module never imports ink). */
export interface KeyFlags {
  upArrow?: boolean
  downArrow?: boolean
  leftArrow?: boolean
  rightArrow?: boolean
  pageUp?: boolean
  pageDown?: boolean
  home?: boolean
  end?: boolean
  return?: boolean
  escape?: boolean
  tab?: boolean
  backspace?: boolean
  delete?: boolean
  ctrl?: boolean
  meta?: boolean
  shift?: boolean
}

export interface Binding {
  /** key names as `keyName` returns them; the first is the one shown in hints */
  keys: string[]
  action: ExplainAction
  /** what the key does, for the help overlay */
  help: string
  /** shown in the one-line key hints at the bottom */
  hint?: string
}

export const KEYMAP: readonly Binding[] = [
  {keys: ['down', 'j'], action: {type: 'move', delta: 1}, help: 'next row (scrolls the detail pane when it has focus)', hint: 'move'},
  {keys: ['up', 'k'], action: {type: 'move', delta: -1}, help: 'previous row (scrolls the detail pane when it has focus)'},
  {keys: ['pagedown'], action: {type: 'page', dir: 1}, help: 'one page down'},
  {keys: ['pageup'], action: {type: 'page', dir: -1}, help: 'one page up'},
  {keys: ['home'], action: {type: 'home'}, help: 'first row'},
  {keys: ['end'], action: {type: 'end'}, help: 'last row'},
  {keys: ['enter', 'right', 'l'], action: {type: 'expand'}, help: 'expand a group; on a step, open its detail', hint: 'open'},
  {keys: ['left', 'h'], action: {type: 'collapse'}, help: 'collapse a group, or go to the parent group'},
  {keys: ['g'], action: {type: 'jumpToRoot'}, help: 'jump to the root cause of the selected upstream-invalidated step', hint: 'root cause'},
  {keys: ['m'], action: {type: 'toggleMissesOnly'}, help: 'show misses only / all steps', hint: 'misses'},
  {keys: ['p'], action: {type: 'cyclePlatform'}, help: 'cycle the platform filter (all → each platform → all)', hint: 'platform'},
  {keys: ['/'], action: {type: 'startSearch'}, help: 'search steps (type, enter keeps the filter, esc cancels)', hint: 'search'},
  {keys: ['tab'], action: {type: 'toggleFocus'}, help: 'switch focus between the step tree and the detail pane', hint: 'pane'},
  {keys: ['d'], action: {type: 'toggleDiff'}, help: 'toggle the diff view (plan and input changes against the baseline)', hint: 'diff'},
  {keys: ['?'], action: {type: 'toggleHelp'}, help: 'show / hide this help', hint: 'help'},
  {keys: ['escape'], action: {type: 'back'}, help: 'close help / diff / search, back to the tree'},
  {keys: ['q', 'ctrl+c'], action: {type: 'quit'}, help: 'quit', hint: 'quit'},
]

/** Keys while typing a search query: text goes into the query, these keys act. */
export const SEARCH_KEYMAP: readonly Binding[] = [
  {keys: ['enter'], action: {type: 'endSearch', keep: true}, help: 'keep the search filter'},
  {keys: ['escape'], action: {type: 'endSearch', keep: false}, help: 'cancel the search'},
  {keys: ['backspace'], action: {type: 'searchBackspace'}, help: 'delete a character'},
  {keys: ['down'], action: {type: 'move', delta: 1}, help: 'next row'},
  {keys: ['up'], action: {type: 'move', delta: -1}, help: 'previous row'},
  {keys: ['ctrl+c'], action: {type: 'quit'}, help: 'quit'},
]

/** Names a key press the way the keymap spells it: `down`, `enter`, `ctrl+c`, `j`, `?`. */
export function keyName(input: string, key: KeyFlags): string | undefined {
  if (key.upArrow) return 'up'
  if (key.downArrow) return 'down'
  if (key.leftArrow) return 'left'
  if (key.rightArrow) return 'right'
  if (key.pageUp) return 'pageup'
  if (key.pageDown) return 'pagedown'
  if (key.home) return 'home'
  if (key.end) return 'end'
  if (key.return) return 'enter'
  if (key.escape) return 'escape'
  if (key.tab) return 'tab'
  // many terminals send DEL (0x7f) for backspace, which ink reports as `delete`
  if (key.backspace || key.delete) return 'backspace'
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`
  if (key.meta) return undefined
  return input === '' ? undefined : input
}

/** The action for a key press, given whether a search query is being typed. */
export function actionFor(input: string, key: KeyFlags, mode: {searching: boolean}): ExplainAction | undefined {
  const name = keyName(input, key)
  if (name === undefined) return undefined
  const table = mode.searching ? SEARCH_KEYMAP : KEYMAP
  const hit = table.find((b) => b.keys.includes(name))
  if (hit) return hit.action
  if (mode.searching && !key.ctrl && !key.meta && isPrintable(input)) return {type: 'searchInput', text: input}
  return undefined
}

function isPrintable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return text.length > 0 && !/[\u0000-\u001f\u007f]/.test(text)
}

/** `↓/j` style label for a binding. */
export function keyLabel(binding: Binding): string {
  const pretty: Record<string, string> = {down: '↓', up: '↑', left: '←', right: '→', enter: 'enter', escape: 'esc', pagedown: 'pgdn', pageup: 'pgup'}
  return binding.keys.map((k) => pretty[k] ?? k).join('/')
}
