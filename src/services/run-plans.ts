import {IndexStore} from '../adapters/db/index-store.js'
import {resolveDbPath} from '../adapters/db/open.js'
import type {Plan} from '../domain/bake/plan.js'
import {UsageError} from '../errors.js'

/** The plan `build` recorded with a run (`plan diff r3 r4`). */
export async function loadPlanForRun(options: {db?: string; cwd?: string; runId: string}): Promise<Plan> {
  const store = await IndexStore.open(resolveDbPath({db: options.db, cwd: options.cwd}), {readonly: true})
  try {
    const id = store.resolveRunRef(options.runId)
    const run = store.getRun(id, {logs: 'none'})
    const plan = store.getRunPlan(run)
    if (!plan) {
      throw new UsageError(`run ${run.id} has no recorded plan (runs recorded by \`ingest\` carry none)`, {fix: 'compare runs recorded by `bakedoctor build`, or pass bake files / --rev REV1 --rev REV2'})
    }
    return plan
  } finally {
    store.close()
  }
}
