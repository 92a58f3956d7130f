import {IndexStore} from '../adapters/db/index-store.js'
import {resolveDbPath} from '../adapters/db/open.js'
import {diffRuns as diffDomain} from '../domain/diff/diff-runs.js'
import type {RunDiff} from '../domain/diff/types.js'

/** `bakedoctor diff A B`: both runs (and their plans, when recorded) from the index. */
export async function diffRuns(options: {db?: string; cwd: string; a: string; b: string}): Promise<RunDiff> {
  const store = await IndexStore.open(resolveDbPath(options), {readonly: true})
  try {
    const a = store.getRun(store.resolveRunRef(options.a), {logs: 'none'})
    const b = store.getRun(store.resolveRunRef(options.b), {logs: 'none'})
    return diffDomain(a, b, {a: store.getRunPlan(a), b: store.getRunPlan(b)})
  } finally {
    store.close()
  }
}
