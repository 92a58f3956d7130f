/**
 * The interactive explain view. Import lazily (`await import('../ui/render.js')`): ink costs ~330 ms.
 * `ExplainApp` is the one root: it owns the reducer and the only call to exit().
 */
import {Box, render, useApp} from 'ink'
import {useEffect, useMemo, useReducer} from 'react'
import type {RunDiff} from '../domain/diff/types.js'
import type {Explanation} from '../domain/explain/types.js'
import {DetailPane} from './components/DetailPane.js'
import {DiffView} from './components/DiffView.js'
import {Header} from './components/Header.js'
import {HelpOverlay} from './components/HelpOverlay.js'
import {KeyHints} from './components/KeyHints.js'
import {Pane, paneInner} from './components/Pane.js'
import {StepTree} from './components/StepTree.js'
import {useKeymap} from './hooks/use-keymap.js'
import {useTerminalSize} from './hooks/use-terminal-size.js'
import {computeLayout} from './layout.js'
import {detailLines} from './lines/detail-lines.js'
import {diffLines} from './lines/diff-lines.js'
import {stepLabel, wrapLines} from './lines/text.js'
import {
  createExplainState,
  explainReducer,
  selectFilterSummary,
  selectRootOf,
  selectRow,
  selectVisibleRows,
  type View,
} from './state/explain-state.js'

export interface ExplainAppProps {
  readonly explanation: Explanation
  readonly diff?: RunDiff
  /** open in the diff view (the `diff` command) */
  readonly initialView?: View
}

export function ExplainApp({explanation, diff, initialView}: ExplainAppProps) {
  const {exit} = useApp()
  const size = useTerminalSize()
  const layout = computeLayout(size.columns, size.rows)
  const treeRows = paneInner(layout.tree.height)
  const [state, dispatch] = useReducer(explainReducer, explanation, (e) => createExplainState(e, {viewport: treeRows, view: initialView}))
  useKeymap(dispatch)

  useEffect(() => {
    if (state.quit) exit()
  }, [state.quit, exit])
  useEffect(() => {
    dispatch({type: 'resize', viewport: treeRows})
  }, [treeRows])

  const row = selectRow(state)
  const root = selectRootOf(state)

  // Tell the reducer how far the panes can scroll, so k after many j's comes straight back.
  const detailLineCount = useMemo(() => wrapLines(detailLines({explanation, row, root}), layout.detail.width - 2).length, [explanation, row, root, layout.detail.width])
  const diffLineCount = useMemo(() => wrapLines(diffLines(explanation, diff), layout.width - 2).length, [explanation, diff, layout.width])
  const detailMax = detailLineCount - paneInner(layout.detail.height)
  const diffMax = diffLineCount - paneInner(layout.body)
  useEffect(() => {
    dispatch({type: 'bounds', detailMax, diffMax})
  }, [detailMax, diffMax])
  const visible = useMemo(() => selectVisibleRows(state), [state.rows, state.scrollTop, state.viewport])
  const filters = selectFilterSummary(state)
  const steps = explanation.steps

  let body
  if (state.help) {
    body = <HelpOverlay width={layout.width} height={layout.body} />
  } else if (state.view === 'diff') {
    body = (
      <Pane title="Diff — d or esc returns to the steps" width={layout.width} height={layout.body} focused>
        <DiffView explanation={explanation} diff={diff} width={layout.width - 2} height={paneInner(layout.body)} scroll={state.diffScroll} />
      </Pane>
    )
  } else {
    const shownSteps = state.rows.filter((r) => r.kind === 'step' && !r.inRoots).length
    const detailTitle = row?.kind === 'step' ? `Detail — ${stepLabel(steps[row.step]!)}` : 'Detail'
    body = (
      <Box flexDirection={layout.sideBySide ? 'row' : 'column'}>
        <Pane title={`Steps (${shownSteps} of ${steps.length} shown)`} width={layout.tree.width} height={layout.tree.height} focused={state.focus === 'tree'}>
          <StepTree rows={visible} cursor={state.cursor} steps={steps} width={layout.tree.width - 2} height={treeRows} focused={state.focus === 'tree'} />
        </Pane>
        <Pane title={detailTitle} width={layout.detail.width} height={layout.detail.height} focused={state.focus === 'detail'}>
          <DetailPane explanation={explanation} row={row} root={root} width={layout.detail.width - 2} height={paneInner(layout.detail.height)} scroll={state.detailScroll} />
        </Pane>
      </Box>
    )
  }

  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <Header explanation={explanation} width={layout.width} command={initialView === 'diff' ? 'diff' : 'explain'} />
      {body}
      <KeyHints width={layout.width} searching={state.searching} query={state.filter.query} message={state.message} filters={filters} />
    </Box>
  )
}

export interface RenderExplainOptions {
  explanation: Explanation
  diff?: RunDiff
  initialView?: View
  stdin?: NodeJS.ReadStream
  stdout?: NodeJS.WriteStream
  stderr?: NodeJS.WriteStream
  /** draw on the terminal's alternate screen and restore it on quit, like `less` (default true) */
  alternateScreen?: boolean
}

export interface MountedExplainApp {
  unmount: () => void
  waitUntilExit: () => Promise<unknown>
}

/** Mounts the app and returns at once (for measuring and embedding); `renderExplainApp` waits for quit. */
export function mountExplainApp(options: RenderExplainOptions): MountedExplainApp {
  const stdout = options.stdout ?? process.stdout
  const alt = options.alternateScreen ?? true
  if (alt) stdout.write('\u001B[?1049h')
  const instance = render(<ExplainApp explanation={options.explanation} diff={options.diff} initialView={options.initialView} />, {
    stdout,
    stdin: options.stdin ?? process.stdin,
    stderr: options.stderr ?? process.stderr,
    // q and ctrl+c both go through the keymap → reducer → the root's exit(): one exit site
    exitOnCtrlC: false,
    patchConsole: false,
  })
  let restored = false
  const restore = () => {
    if (alt && !restored) {
      restored = true
      stdout.write('\u001B[?1049l')
    }
  }
  return {
    unmount: () => {
      instance.unmount()
      restore()
    },
    waitUntilExit: async () => {
      try {
        return await instance.waitUntilExit()
      } finally {
        restore()
      }
    },
  }
}

/**
 * Renders the interactive explain view and resolves when the user quits (q / ctrl+c).
 *
 * @example
 * if (shouldUseTui(process.stdout, {json: flags.json, stdin: process.stdin})) {
 *   const {renderExplainApp} = await import('../ui/render.js')
 *   await renderExplainApp({explanation})
 * }
 * // bakedoctor explain · run r2 vs r1 · targets api · platforms linux/amd64, linux/arm64
 * // hit rate 5/18 (27.8%) · time-weighted 12% · duration 1.22s · 2 root causes
 * // ┌Steps (18 of 18 shown)──────────┐┌Detail — [api linux/arm64 deps 2/4] WORKDIR /app┐ …
 */
export async function renderExplainApp(options: RenderExplainOptions): Promise<void> {
  const app = mountExplainApp(options)
  await app.waitUntilExit()
}
