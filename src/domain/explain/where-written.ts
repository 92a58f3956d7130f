import type {Run, Step} from '../model/run.js'
import {recordedLine} from './dockerfile-template.js'

/**
 * The Dockerfile line a step is written on: the line `build` recorded with its inputs, else
 * provenance's source map, else the Dockerfile recorded with the run (`ingest --dockerfile`),
 * matched by stage and index. Undefined when none of them says: a line is never guessed.
 */
export function stepWrittenAt(s: Step, run: Pick<Run, 'metadata'>): {file: string; line: number} | undefined {
  if (s.stepInputs?.line !== undefined) return {file: s.stepInputs.dockerfile ?? 'Dockerfile', line: s.stepInputs.line}
  if (s.provenance?.location) return {file: s.provenance.location.file, line: s.provenance.location.startLine}
  const recorded = run.metadata?.dockerfile
  const line = recorded && !s.internal && s.index !== undefined ? recordedLine(recorded.text, s) : undefined
  return line === undefined ? undefined : {file: recorded!.file, line}
}
