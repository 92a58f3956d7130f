import type {Explanation, Verdict} from '../explain/types.js'
import type {RunTotals} from '../model/run.js'
import type {RunSummary} from '../model/run-summary.js'

/** One run as the report sees it: its row, its totals per target × platform, and its explanation. */
export interface ReportRunInput {
  summary: RunSummary
  /** keyed by target and platform */
  byTargetPlatform: {target: string; platform: string; totals: RunTotals}[]
  explanation: Explanation
}

export interface RatePoint {
  runId: string
  createdAt: number
  hits: number
  cacheable: number
  hitRate: number | null
  timeWeightedHitRate: number | null
}

/** Hit rate over the period of one target on one platform (or of whole runs: target and platform undefined). */
export interface RateSeries {
  target?: string
  platform?: string
  points: RatePoint[]
}

export interface LostByVerdict {
  verdict: Verdict
  /** ms of executed steps this kind of root cause invalidated (the root itself and what descends from it) */
  ms: number
  rootCauses: number
}

export interface LostByStep {
  /** `[api linux/amd64 build 4/6] COPY api/ ./api/` */
  label: string
  /** ms the step spent executing when it missed */
  ms: number
  misses: number
}

export interface RecurringRootCause {
  verdict: Verdict
  /** the steps it rooted (one cause often roots a chain per stage and platform) */
  labels: string[]
  /** the latest run's evidence line */
  summary: string
  advice?: string
  /** runs it was a root cause of, oldest first */
  runs: string[]
  ms: number
}

export interface Report {
  generatedAt: number
  filter: {since?: number; target?: string; branch?: string}
  /** oldest first */
  runs: RunSummary[]
  overall: RateSeries
  series: RateSeries[]
  lostByVerdict: LostByVerdict[]
  lostByStep: LostByStep[]
  recurring: RecurringRootCause[]
  /** the newest run's explanation */
  last?: Explanation
}
