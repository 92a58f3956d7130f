import type {RunStatus, RunTotals} from '../model/run.js'
import type {RootCause, Verdict} from '../explain/types.js'
import type {GATE_RULES, RuleKind} from './rules/index.js'

/**
 * The CI gate (docs/architecture.md: "Steps, identity and the hit rate", "Gate rules", "Presenters, results and errors"). Pure types: the rules, where each
 * threshold came from, and the typed result every presenter (text, markdown, JUnit, --json) renders.
 * Rates in settings and rules are PERCENT (0–100), as users write them (`--min-hit-rate 80`);
 * rates inside `RunTotals` stay fractions (0–1).
 */

/** Which groups of steps a rate rule is checked on. */
export type GateScope = 'overall' | 'target' | 'platform' | 'target-platform'
export const GATE_SCOPES: readonly GateScope[] = ['overall', 'target', 'platform', 'target-platform']

/** The kinds of GATE_RULES (rules/index.ts): `hit-rate`, `time-saved-rate`, `max-drop`. */
export type {RuleKind}

/** Where a setting came from, echoed in every report. */
export type SettingSource =
  | {kind: 'flag'; flag: string}
  | {kind: 'config'; file: string; path: string}
  | {kind: 'default'}

export interface Setting<T> {
  value: T
  source: SettingSource
}

/** The settings keys of the rules' thresholds (`minHitRate`, …), as the rules declare them. */
export type ThresholdName = (typeof GATE_RULES)[number]['threshold']['name']
/** Their flags without dashes (`min-hit-rate`, …). */
export type ThresholdFlag = (typeof GATE_RULES)[number]['threshold']['flag']

/** The numeric thresholds (percent or points) that can be set globally or per target / platform. */
export type ThresholdSet = {[N in ThresholdName]?: Setting<number>}

/** Threshold values as a config file or flags give them. */
export type ThresholdValues = {[N in ThresholdName]?: number}

/** Per-target overrides may hold per-platform overrides of their own (`targets.api.platforms["linux/arm64"]`). */
export type TargetOverride = ThresholdSet & {
  platforms: Record<string, ThresholdSet>
}

/** Everything the gate checks, merged from flags, the config file and defaults. */
export type GateSettings = ThresholdSet & {
  /** `RUN`, `latest~1`, `branch:NAME`; undefined = the previous run of the same targets (when maxDrop is set) */
  baseline?: Setting<string>
  per: Setting<GateScope[]>
  allowEmpty: Setting<boolean>
  /** a drop rule whose baseline is missing is skipped instead of stopping the gate (exit 2) */
  allowMissingBaseline: Setting<boolean>
  targets: Record<string, TargetOverride>
  platforms: Record<string, ThresholdSet>
}

/** What a config file says (`bakedoctor.config.json` `gate` key, or package.json `bakedoctor.gate`). */
export type GateFileConfig = ThresholdValues & {
  baseline?: string
  per?: GateScope[]
  allowEmpty?: boolean
  allowMissingBaseline?: boolean
  targets?: Record<string, ThresholdValues & {platforms?: Record<string, ThresholdValues>}>
  platforms?: Record<string, ThresholdValues>
}

export interface LoadedConfig {
  /** absolute path of the file read */
  file: string
  /** JSON path prefix of the gate section inside it: `gate` or `bakedoctor.gate` */
  prefix: string
  gate: GateFileConfig
  /** `history`: the team history repository (`history push/pull` REF default) */
  history?: string
}

/** A group of cacheable steps with its totals. */
export interface GateGroup {
  scope: GateScope
  target?: string
  platform?: string
  totals: RunTotals
}

export type RuleStatus = 'pass' | 'fail' | 'skip'

export interface RuleResult {
  /** stable id, e.g. `hit-rate:target-platform:api:linux/arm64` */
  id: string
  kind: RuleKind
  scope: GateScope
  target?: string
  platform?: string
  /** `linux/arm64 hit rate` */
  label: string
  status: RuleStatus
  /** the measured value in percent (rate, or points dropped); null when unknown */
  actual: number | null
  /** `>=` for rates, `<=` for a drop */
  comparison: '>=' | '<='
  required: Setting<number>
  hits?: number
  cacheable?: number
  servedInRun?: number
  savedMs?: number
  spentMs?: number
  /** max-drop: the baseline's rate and this run's rate, percent */
  baselineRate?: number | null
  rate?: number | null
  /** `linux/arm64 hit rate 0/9 (0%) < 80%` */
  message: string
}

/** An applied threshold, for the report's echo. */
export interface AppliedThreshold {
  name: ThresholdFlag | 'baseline' | 'per' | 'allow-empty' | 'allow-missing-baseline'
  /** `all`, `target api`, `platform linux/arm64`, `target api, platform linux/arm64` */
  appliesTo: string
  value: string
  source: SettingSource
}

export interface GateRootCause extends RootCause {
  target?: string
  platform?: string
}

/** `not-evaluable`: a rule could not be judged (no baseline, or no figure for any rule): exit 2, never a silent pass */
export type GateOutcome = 'pass' | 'fail' | 'build-failed' | 'empty' | 'not-evaluable'

export interface GateBaseline {
  /** as asked for (`branch:main`, `r12`), or `previous run` */
  ref: string
  source: SettingSource
  /** the run compared against, when one was found */
  id?: string
  branch?: string
  /** why there is no baseline (drop rules are then skipped) */
  missing?: string
}

export interface GateResult {
  outcome: GateOutcome
  passed: boolean
  /** one sentence: what happened */
  headline: string
  /** for `not-evaluable`: what to do so the rules can be judged */
  fix?: string
  run: {id: string; status: RunStatus; error?: string; targets: string[]; platforms: string[]; createdAt: number; branch?: string; commit?: string}
  /** --target / --platform: the gate looked at these steps only */
  filter: {target?: string; platform?: string}
  totals: RunTotals
  baseline?: GateBaseline
  thresholds: AppliedThreshold[]
  rules: RuleResult[]
  /** for a failing gate: the top root causes of the misses in the failing groups */
  rootCauses: GateRootCause[]
  /** how many root causes the explanation found for those groups in all */
  rootCauseCount: number
  notes: string[]
}

export type {RootCause, Verdict}
