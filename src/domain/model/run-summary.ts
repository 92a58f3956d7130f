import type {RunStatus} from './run.js'

/** What `bakedoctor runs` lists: the run row without its steps. */
export interface RunSummary {
  id: string
  createdAt: number
  durationMs: number
  status: RunStatus
  error?: string
  source: string
  sourceFile?: string
  targets: string[]
  platforms: string[]
  labels: Record<string, string>
  git?: {commit?: string; branch?: string}
  cacheable: number
  hits: number
  servedInRun: number
  hitRate: number | null
  timeWeightedHitRate: number | null
  stepCount: number
  planHash?: string
  /** the same on every machine; the run's tag in a history repository */
  globalId?: string
  /** the history ref the run was pulled from; undefined when it was recorded here */
  origin?: string
}
