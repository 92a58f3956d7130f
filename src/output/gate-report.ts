import type {GateResult} from '../domain/gate/types.js'
import {writeReportFile} from './write-report-file.js'

/** `--format` of `gate`: name → renderer. A new format is a renderer file plus one line here. */
export const GATE_FORMATS: Record<string, (result: GateResult) => Promise<string>> = {
  text: async (result) => (await import('./gate-text.js')).renderGateText(result),
  json: async (result) => JSON.stringify(result, null, 2),
  markdown: async (result) => (await import('./gate-markdown.js')).renderGateMarkdown(result),
  junit: async (result) => (await import('./gate-junit.js')).renderGateJunit(result),
  github: async (result) => (await import('./annotations.js')).renderGithubAnnotations(result.rootCauses, {headline: {text: result.headline, failed: !result.passed}}),
  codequality: async (result) => (await import('./annotations.js')).renderCodeQuality(result.rootCauses),
}

/** The gate report in one of GATE_FORMATS (text for a name it does not know). */
export async function renderGateReport(format: string, result: GateResult): Promise<string> {
  return (GATE_FORMATS[format] ?? GATE_FORMATS.text!)(result)
}

/**
 * The gate's report for stdout; with `output`, the report goes to that file and stdout gets the
 * text report; with `summaryFile`, a markdown report is appended to it (`$GITHUB_STEP_SUMMARY`).
 */
export async function presentGate(result: GateResult, options: {format: string; output?: string; summaryFile?: string}): Promise<string> {
  const report = await renderGateReport(options.format, result)
  if (options.output) await writeReportFile(options.output, report.endsWith('\n') ? report : report + '\n', {flag: '--output'})
  if (options.summaryFile) await writeReportFile(options.summaryFile, (await renderGateReport('markdown', result)) + '\n', {append: true, flag: '--summary-file'})
  return options.output ? renderGateReport('text', result) : report
}
