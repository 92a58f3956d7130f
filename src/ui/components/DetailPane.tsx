import type {Explanation, StepExplanation} from '../../domain/explain/types.js'
import {detailLines} from '../lines/detail-lines.js'
import {wrapLines} from '../lines/text.js'
import type {Row} from '../state/step-tree.js'
import {LineList} from './LineList.js'

export interface DetailPaneProps {
  readonly explanation: Explanation
  readonly row?: Row
  /** root-cause step of the selected cascade */
  readonly root?: StepExplanation
  readonly width: number
  readonly height: number
  readonly scroll: number
}

/** Verdict, evidence (old → new, files, root of a cascade), advice, Dockerfile line and last log lines. */
export function DetailPane({explanation, row, root, width, height, scroll}: DetailPaneProps) {
  const lines = wrapLines(detailLines({explanation, row, root}), width)
  return <LineList lines={lines} width={width} height={height} scroll={scroll} />
}
