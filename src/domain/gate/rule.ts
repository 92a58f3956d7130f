import type {GateBaseline, GateGroup, RuleKind, RuleResult, Setting, ThresholdName} from './types.js'

/**
 * A gate rule: one figure of a group of steps checked against a threshold. Rules are listed in
 * `GATE_RULES` (rules/index.ts); each is checked on every group its scope selects. A rule whose
 * figure is unknown is skipped with the reason, never passed silently and never failed for want of data.
 */
export interface GateRule<K extends string = string> {
  /** names the rule in results (`hit-rate:overall`) */
  kind: K
  /** the setting holding its threshold (flag, config file, per target / platform) */
  threshold: ThresholdName
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
