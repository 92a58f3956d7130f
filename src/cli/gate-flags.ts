import {Flags} from './oclif.js'
import {THRESHOLDS} from '../domain/gate/rule-registry.js'
import type {ThresholdFlag} from '../domain/gate/types.js'
import type {GateRuleInput} from '../services/gate.js'

// apart from ./flags.ts: only the commands that gate load the gate rules to declare their flags

const thresholdFlag = (description: string) => Flags.string({description})

/**
 * Gate thresholds: `gate` and `build` (which gates every run it records) take the same ones: one
 * flag per threshold the gate rules declare (domain/gate/rule-registry.ts), and `--baseline`.
 */
export const gateThresholdFlags = {
  ...(Object.fromEntries(THRESHOLDS.map((t) => [t.flag, thresholdFlag(t.description)])) as Record<ThresholdFlag, ReturnType<typeof thresholdFlag>>),
  baseline: Flags.string({description: 'baseline for --max-drop: a run (r12, latest~1) or branch:NAME (its latest run) [default: the previous run of the same targets]'}),
}

export function gateRulesOf(flags: {[F in ThresholdFlag]?: string} & {baseline?: string}): GateRuleInput {
  const rules: GateRuleInput = Object.fromEntries(THRESHOLDS.map((t) => [t.name, flags[t.flag]]))
  return {...rules, baseline: flags.baseline}
}
