import {IndexStore, type RunSummary} from '../adapters/db/index-store.js'
import {resolveDbPath} from '../adapters/db/open.js'
import type {Run, RunTotals} from '../domain/model/run.js'
import {computeTotals, totalsBy} from '../domain/model/totals.js'

import type {RunDetail} from '../domain/results.js'

export type {RunDetail}

export interface ListRunsOptions {
  db?: string
  cwd: string
  limit?: number
  target?: string
  branch?: string
}

export async function listRuns(options: ListRunsOptions): Promise<{runs: RunSummary[]; db: string}> {
  const db = resolveDbPath(options)
  const store = await IndexStore.open(db, {readonly: true})
  try {
    return {runs: store.listRuns(options), db}
  } finally {
    store.close()
  }
}

/** One run with its steps and totals (overall, per target, per platform, per target × platform). */
export async function showRun(options: {db?: string; cwd: string; run: string}): Promise<RunDetail> {
  const store = await IndexStore.open(resolveDbPath(options), {readonly: true})
  try {
    const id = store.resolveRunRef(options.run)
    const run = store.getRun(id)
    return describeRun(run, store.lastExecutedLookup(id))
  } finally {
    store.close()
  }
}

export function describeRun(run: Run, lastExecuted?: Parameters<typeof computeTotals>[1]): RunDetail {
  const obj = (m: Map<string, RunTotals>) => Object.fromEntries(m)
  return {
    run,
    totals: computeTotals(run.steps, lastExecuted),
    byTarget: obj(totalsBy(run.steps, (s) => s.target ?? 'default', lastExecuted)),
    byPlatform: obj(totalsBy(run.steps, (s) => s.platform ?? 'default', lastExecuted)),
    byTargetPlatform: obj(totalsBy(run.steps, (s) => `${s.target ?? 'default'} ${s.platform ?? 'default'}`, lastExecuted)),
  }
}
