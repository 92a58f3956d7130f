import type {RunDiff} from '../../domain/diff/types.js'
import type {Explanation} from '../../domain/explain/types.js'
import {diffLines} from '../lines/diff-lines.js'
import {wrapLines} from '../lines/text.js'
import {LineList} from './LineList.js'

export interface DiffViewProps {
  readonly explanation: Explanation
  readonly diff?: RunDiff
  readonly width: number
  readonly height: number
  readonly scroll: number
}

/** Plan and input changes of a RunDiff, or of the explanation against its baseline. */
export function DiffView({explanation, diff, width, height, scroll}: DiffViewProps) {
  return <LineList lines={wrapLines(diffLines(explanation, diff), width)} width={width} height={height} scroll={scroll} />
}
