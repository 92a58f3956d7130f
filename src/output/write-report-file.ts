import {appendFile, writeFile} from 'node:fs/promises'
import {UsageError} from '../errors.js'
import {redactOutput} from '../lib/redact.js'

/**
 * A report written to a file (`gate --output`, `--summary-file`, …), through the output redaction
 * like stdout. Presenters that write files call this, so a new format is redacted without asking.
 */
export async function writeReportFile(file: string, text: string, options: {append?: boolean; flag: string}): Promise<void> {
  try {
    await (options.append ? appendFile : writeFile)(file, redactOutput(text))
  } catch (error) {
    throw new UsageError(`cannot write ${options.flag} ${file}: ${(error as Error).message}`, {fix: 'check that the directory exists and is writable'})
  }
}
