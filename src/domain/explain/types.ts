import type {Run, RunTotals, Step} from '../model/run.js'

/** Exactly one per missed cacheable step (design.md §4). */
export type Verdict =
  | 'new-step'
  | 'instruction-changed'
  | 'arg-changed'
  | 'base-image-changed'
  | 'context-changed'
  | 'platform-changed'
  | 'upstream-invalidated'
  | 'cache-unavailable'
  | 'no-cache'
  | 'failed'

/** Evidence behind a verdict: old → new values, files, the root of a cascade. JSON-friendly. */
export interface Evidence {
  /** one line for humans, e.g. `NODE_ENV: production → development` */
  summary: string
  /** ARG/ENV changes; secret values appear as "changed", never the value */
  args?: {name: string; old?: string; new?: string; secret?: boolean}[]
  /** context files of COPY/ADD */
  files?: {path: string; change: 'added' | 'removed' | 'modified'}[]
  baseImage?: {ref: string; old?: string; new?: string}
  instruction?: {old: string; new: string; diff?: string}
  platforms?: {run: string[]; baseline: string[]}
  /** key (StepId) of the root-cause step a cascade descends from */
  root?: string
  cache?: {reasons: string[]}
  error?: {message: string; logTail: string[]}
  /** what the verdict could not see (e.g. inputs not recorded) instead of guessing */
  missing?: string[]
}

export interface StepExplanation {
  /** stable key within the explanation: `target|platform|stage|index|kind` */
  key: string
  target?: string
  platform?: string
  stage?: string
  index?: number
  total?: number
  instruction: string
  cached: boolean
  servedInRun: boolean
  durationMs: number
  /** undefined for hits (unless flagged suspicious) */
  verdict?: Verdict
  /** true when this step is a root cause (not a cascade) */
  root: boolean
  /** key of the root-cause step this miss comes down to (its own key for a root cause) */
  rootCause?: string
  evidence?: Evidence
  advice?: string
  /** a hit although its recorded inputs changed (design.md §4 "hits that should not be") */
  suspiciousHit?: string
  /** the matching baseline step's key, when matched */
  baselineKey?: string
  /** for root causes: how many steps / ms it invalidated downstream (itself included) */
  invalidated?: {steps: number; ms: number}
  dockerfileLine?: number
  logTail: string[]
  error?: string
}

export interface RootCause {
  key: string
  verdict: Verdict
  label: string
  summary: string
  advice?: string
  invalidatedSteps: number
  invalidatedMs: number
}

export interface Explanation {
  run: {id?: string; targets: string[]; platforms: string[]; status: Run['status']; durationMs: number; createdAt: number}
  baseline?: {id?: string; targets: string[]; platforms: string[]; createdAt: number}
  totals: RunTotals
  /** root causes first, ordered by seconds invalidated */
  rootCauses: RootCause[]
  /** every cacheable step of the run (hits and misses), in target/platform/stage/index order */
  steps: StepExplanation[]
  /** steps in the baseline that this run no longer has */
  removedSteps: {key: string; instruction: string}[]
  notes: string[]
}

export type {Step}
