import type {GateResult} from '../domain/gate/types.js'
import {writeReportFile} from './write-report-file.js'

export const GATE_FORMATS = ['text', 'json', 'markdown', 'junit', 'github', 'codequality']

/** The gate report in one of GATE_FORMATS. */
export async function renderGateReport(format: string, result: GateResult): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(result, null, 2)
    case 'markdown':
      return (await import('./gate-markdown.js')).renderGateMarkdown(result)
    case 'junit':
      return (await import('./gate-junit.js')).renderGateJunit(result)
    case 'github':
      return (await import('./annotations.js')).renderGithubAnnotations(result.rootCauses, {headline: {text: result.headline, failed: !result.passed}})
    case 'codequality':
      return (await import('./annotations.js')).renderCodeQuality(result.rootCauses)
    default:
      return (await import('./gate-text.js')).renderGateText(result)
  }
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
