import type {Step} from './run.js'

/**
 * A step that never started and was not cached: the build failed or was cancelled before it
 * ran (events.md: no `started`). It is "not run": out of the hit-rate totals, and no verdict.
 */
export function neverRan(step: Pick<Step, 'cached' | 'started' | 'completed'>): boolean {
  return !step.cached && !step.completed && step.started === undefined
}
