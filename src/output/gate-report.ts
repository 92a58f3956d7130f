import {appendFile, writeFile} from 'node:fs/promises'
import type {GateResult} from '../domain/gate/types.js'
import {UsageError} from '../errors.js'
import {redactOutput} from '../lib/redact.js'

export const GATE_FORMATS = ['text', 'json', 'markdown', 'junit']

/** The gate report in one of GATE_FORMATS. */
export async function renderGateReport(format: string, result: GateResult): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(result, null, 2)
    case 'markdown':
      return (await import('./gate-markdown.js')).renderGateMarkdown(result)
    case 'junit':
      return (await import('./gate-junit.js')).renderGateJunit(result)
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
  if (options.output) await write(options.output, report.endsWith('\n') ? report : report + '\n', false, '--output')
  if (options.summaryFile) await write(options.summaryFile, (await renderGateReport('markdown', result)) + '\n', true, '--summary-file')
  return options.output ? renderGateReport('text', result) : report
}

async function write(file: string, text: string, append: boolean, flag: string): Promise<void> {
  try {
    await (append ? appendFile : writeFile)(file, redactOutput(text))
  } catch (error) {
    throw new UsageError(`cannot write ${flag} ${file}: ${(error as Error).message}`, {fix: 'check that the directory exists and is writable'})
  }
}
