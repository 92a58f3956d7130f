import type {Advice, VerdictRule} from '../rule.js'
import {argInDockerfileTemplate} from './arg-in-dockerfile.js'
import {argChangedAdvice, argExpandedIntoInstruction, argFromMetadata, argInChangedInstruction, argRecorded} from './arg-changed.js'
import {baseImageChangedAdvice, baseImageMoved, baseImageRecorded} from './base-image-changed.js'
import {cacheUnavailable, cacheUnavailableAdvice} from './cache-unavailable.js'
import {contextChangedAdvice, contextCopyOnWorkingCache, contextRecorded} from './context-changed.js'
import {definitionChanged} from './definition-changed.js'
import {definitionContextCopy} from './definition-context.js'
import {definitionUnchanged} from './definition-unchanged.js'
import {failed, failedAdvice} from './failed.js'
import {instructionChanged, instructionChangedAdvice} from './instruction-changed.js'
import {newStep, newStepAdvice} from './new-step.js'
import {noCache, noCacheAdvice} from './no-cache.js'
import {platformChanged, platformChangedAdvice} from './platform-changed.js'
import {stepRemoved, stepRemovedAdvice} from './step-removed.js'
import {upstreamInvalidated, upstreamInvalidatedAdvice} from './upstream-invalidated.js'

/** Exactly one per missed cacheable step (docs/architecture.md, "Verdicts"). */
export type Verdict =
  | 'new-step'
  | 'instruction-changed'
  | 'arg-changed'
  | 'base-image-changed'
  | 'context-changed'
  | 'platform-changed'
  | 'upstream-invalidated'
  | 'cache-unavailable'
  | 'no-cache'
  | 'failed'
  | 'step-removed'

/**
 * The verdict rules in precedence order: the first that decides gives a missed step its verdict.
 * What the step itself did comes first, then whether it can be compared at all, then a missed parent
 * (a cascade; its own changes are still listed as evidence), then what changed — exact recorded
 * inputs before what the events only suggest — and, when nothing did, the cache itself.
 */
export const PRECEDENCE: readonly VerdictRule<Verdict>[] = [
  failed,
  noCache,
  platformChanged,
  newStep,
  definitionUnchanged,
  upstreamInvalidated,
  stepRemoved,
  definitionChanged,
  definitionContextCopy,
  argInChangedInstruction,
  argExpandedIntoInstruction,
  argInDockerfileTemplate,
  instructionChanged,
  baseImageMoved,
  baseImageRecorded,
  argRecorded,
  contextRecorded,
  argFromMetadata,
  contextCopyOnWorkingCache,
  cacheUnavailable,
]

/** Without a baseline only what a step itself did can be said: the first recorded run is not blamed. */
export const WITHOUT_BASELINE: readonly VerdictRule<Verdict>[] = [failed, noCache]

/** Advice per verdict kind: a kind without an entry does not compile. */
export const ADVICE: Record<Verdict, Advice> = {
  'new-step': newStepAdvice,
  'instruction-changed': instructionChangedAdvice,
  'arg-changed': argChangedAdvice,
  'base-image-changed': baseImageChangedAdvice,
  'context-changed': contextChangedAdvice,
  'platform-changed': platformChangedAdvice,
  'upstream-invalidated': upstreamInvalidatedAdvice,
  'cache-unavailable': cacheUnavailableAdvice,
  'no-cache': noCacheAdvice,
  failed: failedAdvice,
  'step-removed': stepRemovedAdvice,
}
