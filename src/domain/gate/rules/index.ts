import type {GateRule} from '../rule.js'
import {hitRate} from './hit-rate.js'
import {maxDrop} from './max-drop.js'
import {timeSavedRate} from './time-saved-rate.js'

/** The gate's rules, in report order: a new rule is a file and one entry here. */
export const GATE_RULES = [hitRate, timeSavedRate, maxDrop] as const satisfies readonly GateRule[]

/** `hit-rate`: hits / cacheable; `time-saved-rate`: seconds saved / (saved + spent); `max-drop`: points lost vs a baseline run. */
export type RuleKind = (typeof GATE_RULES)[number]['kind']
