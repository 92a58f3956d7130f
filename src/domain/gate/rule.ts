import type {GateBaseline, GateGroup, RuleKind, RuleResult, Setting} from './types.js'

/**
 * The setting a rule's threshold is read from, declared by the rule itself: the settings and config
 * key (`minHitRate`, also per target / platform in bakedoctor.config.json), the flag of `gate` and
 * `build` (`--min-hit-rate`), what its values mean. Flags, help, the config schema and the report's
 * echo are made from these declarations (rule-registry.ts): a new threshold is declared here only.
 */
export interface GateThreshold<N extends string = string, F extends string = string> {
  /** settings and config key: `minHitRate` */
  name: N
  /** flag name without dashes: `min-hit-rate` */
  flag: F
  /** `percent`: a rate the figure must reach (`>= 80%`); `points`: percentage points it may lose (`<= 5 points`) */
  unit: 'percent' | 'points'
  /** the flag's help */
  description: string
}

/**
 * A gate rule: one figure of a group of steps checked against a threshold. Rules are listed in
 * `GATE_RULES` (rules/index.ts); each is checked on every group its scope selects. A rule whose
 * figure is unknown is skipped with the reason, never passed silently and never failed for want of data.
 * Its kind, threshold name and flag are literal types (`GateRule<'hit-rate', 'minHitRate', 'min-hit-rate'>`):
 * the settings, config and flag types are derived from them.
 */
export interface GateRule<K extends string = string, N extends string = string, F extends string = string> {
  /** names the rule in results (`hit-rate:overall`) */
  kind: K
  /** what it measures, as reports name it: `hit rate` */
  title: string
  /** the setting holding its threshold (flag, config file, per target / platform) */
  threshold: GateThreshold<N, F>
  /**
   * what the gate must load for it: `baseline`, a baseline run (a missing one stops the gate unless
   * allowed); `executionHistory`, what each hit cost when it last executed
   */
  needs?: {baseline?: boolean; executionHistory?: boolean}
  check(group: GateGroup, context: GateRuleContext): RuleResult & {kind: K}
}

export interface GateRuleContext {
  /** how reports name the group: `overall`, `target api`, `linux/arm64` */
  label: string
  required: Setting<number>
  /** the baseline for drop rules: the run found (with its groups, same filter) or why there is none */
  baseline?: {info: GateBaseline; groups?: GateGroup[]}
}

/** Tolerance for float comparisons of percentages. */
export const EPS = 1e-9

/** The fields every rule result has. */
export function ruleBase<K extends RuleKind>(kind: K, g: GateGroup, {label, required}: GateRuleContext): Pick<RuleResult, 'id' | 'scope' | 'target' | 'platform' | 'label' | 'required'> & {kind: K} {
  const base: Pick<RuleResult, 'id' | 'scope' | 'target' | 'platform' | 'label' | 'required'> & {kind: K} = {
    id: [kind, g.scope, g.target, g.platform].filter((p) => p !== undefined).join(':'),
    kind, scope: g.scope, label, required,
  }
  if (g.target !== undefined) base.target = g.target
  if (g.platform !== undefined) base.platform = g.platform
  return base
}

/** `55.6%`, `0%` (one decimal, like the other reports) */
export function pct(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-'
  return `${Math.round(value * 10) / 10}%`
}
