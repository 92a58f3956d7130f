import type {RunDiff} from '../domain/diff/types.js'
import type {Explanation} from '../domain/explain/types.js'
import {redactOutputValue} from '../lib/redact.js'

/**
 * What `explain`, `diff` and `build --explain` show: on a terminal the interactive view (the `d`
 * view shows the diff when there is one), else the text or markdown report through `out`.
 */
export async function showExplanation(
  shown: {explanation: Explanation; diff?: RunDiff; initialView?: 'diff'},
  options: {tui: boolean; format?: string; all?: boolean; out: (text: string) => void},
): Promise<void> {
  if (options.tui) {
    const {renderExplainApp} = await import('../ui/render.js')
    // the TUI draws outside the command's out(): the same output redaction, applied to what it is given
    await renderExplainApp(redactOutputValue(shown))
  } else if (shown.initialView === 'diff') {
    const {renderDiffText, renderDiffMarkdown} = await import('./diff-text.js')
    options.out(options.format === 'markdown' ? renderDiffMarkdown(shown.diff!) : renderDiffText(shown.diff!))
  } else {
    const {renderExplanationText, renderExplanationMarkdown} = await import('./explain-text.js')
    options.out(options.format === 'markdown' ? renderExplanationMarkdown(shown.explanation) : renderExplanationText(shown.explanation, {all: options.all}))
  }
}
