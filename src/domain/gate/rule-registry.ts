import type {GateRule, GateThreshold} from './rule.js'
import {GATE_RULES} from './rules/index.js'
import type {RuleKind, ThresholdFlag, ThresholdName} from './types.js'

/**
 * What the rules of `GATE_RULES` declare, for everything that must know every threshold: flags and
 * their help (src/cli/flags.ts), the config keys (config.ts), settings and their echo (settings.ts),
 * what the gate loads (services/gate.ts), report wording (output/gate-*.ts). Adding a rule, with a
 * threshold of its own or not, changes none of them (docs/architecture.md, "Where do I add…").
 */

/** Every threshold, once (rules may share one), in rule order. */
export const THRESHOLDS: readonly GateThreshold<ThresholdName, ThresholdFlag>[] = [
  ...new Map(GATE_RULES.map((r): [string, GateThreshold<ThresholdName, ThresholdFlag>] => [r.threshold.name, r.threshold])).values(),
]

export const THRESHOLD_NAMES: readonly ThresholdName[] = THRESHOLDS.map((t) => t.name)

export function thresholdNamed(name: ThresholdName): GateThreshold<ThresholdName, ThresholdFlag> {
  return THRESHOLDS.find((t) => t.name === name)!
}

export function ruleOf(kind: RuleKind): GateRule<RuleKind, ThresholdName, ThresholdFlag> {
  return GATE_RULES.find((r) => r.kind === kind)!
}

/** The thresholds of the rules that need `what` (a baseline run, the execution history). */
export function thresholdsNeeding(what: keyof NonNullable<GateRule['needs']>): ThresholdName[] {
  return [...new Set(GATE_RULES.filter((r) => r.needs?.[what] === true).map((r) => r.threshold.name))]
}

/** `80%`, `5 points`: a threshold's value as reports echo it. */
export function thresholdValueText(name: ThresholdName, value: number): string {
  return thresholdNamed(name).unit === 'points' ? `${value} points` : `${value}%`
}

/** What a value of the threshold must be, and an example, for error fixes. */
export function thresholdExpectation(name: ThresholdName): {expected: string; example: number} {
  return thresholdNamed(name).unit === 'points'
    ? {expected: 'a number of percentage points from 0 to 100', example: 5}
    : {expected: 'a percentage: a number from 0 to 100', example: 80}
}
