import type {GateRule} from '../rule.js'
import {hitRate} from './hit-rate.js'
import {maxDrop} from './max-drop.js'
import {timeSavedRate} from './time-saved-rate.js'

/** The gate's rules, in report order. */
export const GATE_RULES: readonly GateRule[] = [hitRate, timeSavedRate, maxDrop]
