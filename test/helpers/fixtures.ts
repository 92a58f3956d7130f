import path from 'node:path'
import {PROJECT_ROOT} from './cli.js'
import {openEventSource} from '../../src/adapters/input/read-events.js'
import {RunFolder, type FoldOptions} from '../../src/domain/steps/fold-run.js'
import type {Run} from '../../src/domain/model/run.js'

export const FIXTURES = path.join(PROJECT_ROOT, 'fixtures')
export const capture = (run: string) => path.join(FIXTURES, 'buildkit-0.11-rawjson', run, 'rawjson.json')
export const bakeCapture = (run: string) => path.join(FIXTURES, 'bake-0.10-rawjson', run, 'rawjson.json')

/** Decodes and folds a capture the way `ingest` does, without the index. */
export async function foldFile(file: string, options: FoldOptions = {}): Promise<Run> {
  const source = await openEventSource(file)
  const folder = new RunFolder({source: source.format, sourceFile: file, ...options})
  for await (const event of source.events) folder.push(event)
  return folder.finish()
}
