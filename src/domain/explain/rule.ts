import type {Run, Step} from '../model/run.js'
import type {Evidence} from './evidence.js'
import type {StepMatch} from './match-steps.js'
import type {RecordedChange} from './recorded-change.js'
import type {RunFacts} from './run-facts.js'

/**
 * A verdict rule: when it applies to a missed cacheable step, and the evidence it names. Rules are
 * tried in the order of `PRECEDENCE` (rules/index.ts); the first that decides wins. `V` is the
 * verdict kind(s) the rule can give: the precedence list only accepts rules whose kinds exist.
 */
export interface VerdictRule<V extends string = string> {
  /** what the rule looks at, for readers and test names: `arg-changed: value expanded into the instruction` */
  readonly name: string
  decide(step: StepContext): Decision<V> | undefined
}

/** A rule's finding. `evidence.root` set means a cascade: the miss comes down to that step. */
export interface Decision<V extends string = string> {
  verdict: V
  evidence: Evidence
}

/** A step's decided verdict, with the root cause it comes down to (its own key for a root cause). */
export interface StepVerdict<V extends string = string> extends Decision<V> {
  root: boolean
  rootKey: string
}

/** One concrete advice line for a verdict, specialised by what the evidence shows. */
export type Advice = (step: Step, evidence: Evidence) => string | undefined

/** Everything a rule may look at for one missed step. Derived facts are computed on first use. */
export interface StepContext {
  readonly step: Step
  /** the baseline step it matched: `same` text, or `changed` (same place and keyword, other text) */
  readonly match: StepMatch | undefined
  /** facts about the run and its baseline, computed once per explanation */
  readonly facts: RunFacts
  /** its Dockerfile-step parents (DAG inputs, else the previous step of its stage) */
  readonly parents: readonly Step[]
  /** what the recorded inputs of the step and its match say changed; undefined when unknown or nothing did */
  readonly recorded: RecordedChange | undefined
  /** the verdict of another step (a parent): undefined for hits, non-cacheable steps and cycles */
  verdictOf(step: Step): StepVerdict | undefined
}

export type {Run, Step}
