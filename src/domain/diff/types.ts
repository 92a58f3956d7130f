import type {Explanation, Verdict} from '../explain/types.js'

/** One attribute of one target that differs between two plans (or two runs' recorded plans). */
export interface PlanChange {
  target: string
  /** `args.NODE_ENV`, `platforms`, `tags`, `cache-from`, `dockerfile`, `context`, `target` … */
  attribute: string
  old?: string
  new?: string
}

/** A recorded-input difference of one step slot (from `StepInputs` components). */
export interface InputChange {
  key: string
  /** where, for humans: `[api linux/amd64 deps 4/4]`, `api build-arg` */
  place: string
  /** for an instruction change: the word diff (`{+added+}`, `[-removed-]`) */
  diff?: string
  kind: 'file' | 'arg' | 'env' | 'base-image' | 'instruction' | 'platform' | 'from-stage' | 'mount'
  name: string
  old?: string
  new?: string
}

export interface StepTransition {
  key: string
  label: string
  from: 'hit' | 'miss' | 'absent'
  to: 'hit' | 'miss' | 'absent'
  verdict?: Verdict
  summary?: string
}

export interface TimingRow {
  key: string
  label: string
  oldMs?: number
  newMs?: number
}

export interface RunDiff {
  a: {id?: string; createdAt: number; targets: string[]; platforms: string[]; durationMs: number; hitRate: number | null}
  b: {id?: string; createdAt: number; targets: string[]; platforms: string[]; durationMs: number; hitRate: number | null}
  /** undefined when either run has no recorded plan */
  plan?: PlanChange[]
  planNote?: string
  inputs: InputChange[]
  /** base image digests seen in FROM names / metadata */
  baseImages: {ref: string; platform?: string; old?: string; new?: string}[]
  steps: StepTransition[]
  added: string[]
  removed: string[]
  timing: {slowest: TimingRow[]; totalOldMs: number; totalNewMs: number}
  /** explain(b against a): verdicts and root causes of b's misses */
  explanation: Explanation
}
