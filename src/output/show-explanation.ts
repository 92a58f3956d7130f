import type {RunDiff} from '../domain/diff/types.js'
import type {Explanation} from '../domain/explain/types.js'

/** `width`: the terminal's, when the text goes to one (text formats fit it; piped output is never cut) */
type Render<T> = (value: T, options: {all?: boolean; width?: number}) => Promise<string>

/** `--format` of `explain` (and `build --explain`): name → renderer. A new format is a renderer file plus one line here. */
export const EXPLANATION_FORMATS: Record<string, Render<Explanation>> = {
  text: async (ex, options) => (await import('./explain-text.js')).renderExplanationText(ex, options),
  markdown: async (ex) => (await import('./explain-text.js')).renderExplanationMarkdown(ex),
  github: async (ex) => {
    const {placedCauses, renderGithubAnnotations} = await import('./annotations.js')
    return renderGithubAnnotations(placedCauses(ex))
  },
  codequality: async (ex) => {
    const {placedCauses, renderCodeQuality} = await import('./annotations.js')
    return renderCodeQuality(placedCauses(ex))
  },
}

/** `--format` of `diff`. */
export const DIFF_FORMATS: Record<string, Render<RunDiff>> = {
  text: async (diff, options) => (await import('./diff-text.js')).renderDiffText(diff, options),
  markdown: async (diff) => (await import('./diff-text.js')).renderDiffMarkdown(diff),
}

/**
 * What `explain`, `diff` and `build --explain` show: on a terminal the interactive view (the `d`
 * view shows the diff when there is one), else the report in the chosen format through `out`.
 */
export async function showExplanation(
  shown: {explanation: Explanation; diff?: RunDiff; initialView?: 'diff'},
  options: {tui: boolean; format?: string; all?: boolean; width?: number; out: (text: string) => void},
): Promise<void> {
  const format = options.format ?? 'text'
  if (options.tui) {
    const [{renderExplainApp}, {redactOutputValue}] = await Promise.all([import('../ui/render.js'), import('../lib/redact.js')])
    // the TUI draws outside the command's out(): the same output redaction, applied to what it is given
    await renderExplainApp(redactOutputValue(shown))
  } else if (shown.initialView === 'diff') {
    options.out(await DIFF_FORMATS[format]!(shown.diff!, options))
  } else {
    options.out(await EXPLANATION_FORMATS[format]!(shown.explanation, options))
  }
}
