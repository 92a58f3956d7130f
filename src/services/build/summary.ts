import type {Run} from '../../domain/model/run.js'
import {computeTotals, totalsBy} from '../../domain/model/totals.js'
import type {BuildTargetRun} from './types.js'

/** A recorded run's totals, per target and per platform, for the build summary. */
export function summarize(id: string, run: Run, platform: string | undefined, imageId: string | undefined): BuildTargetRun {
  return {
    id,
    targets: run.targets,
    platform,
    status: run.status,
    error: run.error,
    durationMs: run.durationMs,
    totals: computeTotals(run.steps),
    byTarget: [...totalsBy(run.steps, (s) => s.target ?? '')].map(([target, totals]) => ({target, totals})),
    byPlatform: [...totalsBy(run.steps, (s) => s.platform ?? platform ?? '')].map(([p, totals]) => ({platform: p, totals})),
    imageId,
    stepsWithInputs: run.steps.filter((s) => s.stepInputs).length,
  }
}
