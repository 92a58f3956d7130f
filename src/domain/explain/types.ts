import type {Run, RunTotals, Step} from '../model/run.js'
import type {StepDefinition, StepLocation} from '../provenance/types.js'
import type {Evidence} from './evidence.js'
import type {Verdict} from './rules/index.js'

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
  /** never started (the build failed or was cancelled first): no verdict, out of the hit-rate totals */
  notRun?: boolean
  durationMs: number
  /** undefined for hits (unless flagged suspicious) */
  verdict?: Verdict
  /** true when this step is a root cause (not a cascade) */
  root: boolean
  /** key of the root-cause step this miss comes down to (its own key for a root cause) */
  rootCause?: string
  evidence?: Evidence
  advice?: string
  /** a hit although its recorded inputs changed (docs/architecture.md, "Verdicts") */
  suspiciousHit?: string
  /** the matching baseline step's key, when matched */
  baselineKey?: string
  /** for root causes: how many steps / ms it invalidated downstream (itself included) */
  invalidated?: {steps: number; ms: number}
  dockerfileLine?: number
  /** the Dockerfile that line is in (recorded inputs or provenance), when known */
  dockerfile?: string
  /** the step's Dockerfile position and definition, from the build's provenance */
  location?: StepLocation
  definition?: StepDefinition
  /** the step's last output lines when the index kept and the caller read them (JSON: only with `--logs`) */
  logTail?: string[]
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
  /** where the root-cause step is written (recorded inputs or provenance): for PR annotations */
  dockerfile?: {file: string; line: number}
}

export interface Explanation {
  run: {id?: string; targets: string[]; platforms: string[]; status: Run['status']; durationMs: number; createdAt: number}
  baseline?: {id?: string; targets: string[]; platforms: string[]; createdAt: number}
  totals: RunTotals
  /** root causes first, ordered by seconds invalidated */
  rootCauses: RootCause[]
  /** every cacheable step of the run (hits and misses), in the one step order (model/step-order.ts) */
  steps: StepExplanation[]
  /** steps in the baseline that this run no longer has */
  removedSteps: {key: string; instruction: string; label: string}[]
  notes: string[]
  /**
   * Set when the run has no baseline (the first recorded run of its targets): per target × platform,
   * how many cacheable steps executed. Its misses then carry no verdict: there is nothing to compare.
   * Failed and no-cache steps still get theirs.
   */
  firstRun?: {target?: string; platform?: string; executed: number; cacheable: number}[]
}

export type {Evidence, Step, Verdict}
