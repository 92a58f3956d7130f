import type {GateBaseline, GateGroup, RuleKind, RuleResult, Setting, ThresholdName} from './types.js'

/**
 * A gate rule: one figure of a group of steps checked against a threshold. Rules are listed in
 * `GATE_RULES` (rules/index.ts); each is checked on every group its scope selects. A rule whose
 * figure is unknown is skipped with the reason, never passed silently and never failed for want of data.
 */
export interface GateRule {
  kind: RuleKind
  /** the setting holding its threshold (flag, config file, per target / platform) */
  threshold: ThresholdName
  check(group: GateGroup, context: GateRuleContext): RuleResult
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
export function ruleBase(kind: RuleKind, g: GateGroup, {label, required}: GateRuleContext): Pick<RuleResult, 'id' | 'kind' | 'scope' | 'target' | 'platform' | 'label' | 'required'> {
  const base: Pick<RuleResult, 'id' | 'kind' | 'scope' | 'target' | 'platform' | 'label' | 'required'> = {
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
