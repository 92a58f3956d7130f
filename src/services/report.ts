import {IndexStore} from '../adapters/db/index-store.js'
import {resolveDbPath} from '../adapters/db/open.js'
import {buildReport} from '../domain/report/build-report.js'
import {parseSince} from '../domain/report/since.js'
import type {Report, ReportRunInput} from '../domain/report/types.js'
import {totalsBy} from '../domain/model/totals.js'
import {explainWithStore} from './explain.js'

export interface ReportOptions {
  db?: string
  cwd: string
  since?: string
  target?: string
  branch?: string
  /** newest runs considered (default 200) */
  limit?: number
  now?: number
}

/**
 * `bakedoctor report`: the runs of the period (same filters as `runs`), each with its totals per
 * target × platform and its explanation against its own baseline, folded into one report.
 */
export async function buildRunReport(options: ReportOptions): Promise<Report> {
  const now = options.now ?? Date.now()
  const since = options.since !== undefined ? parseSince(options.since, now) : undefined
  const store = await IndexStore.open(resolveDbPath(options), {readonly: true})
  try {
    const summaries = store.listRuns({limit: options.limit ?? 200, target: options.target, branch: options.branch}).filter((r) => since === undefined || r.createdAt >= since)
    const inputs: ReportRunInput[] = []
    for (const summary of summaries) {
      const id = store.resolveRunRef(summary.id)
      const groups = totalsBy(store.getRun(id).steps, (s) => `${s.target ?? 'default'}\u0000${s.platform ?? 'default'}`, store.lastExecutedLookup(id))
      const byTargetPlatform = [...groups].map(([key, totals]) => {
        const [target, platform] = key.split('\u0000') as [string, string]
        return {target, platform, totals}
      }).filter((g) => options.target === undefined || g.target === options.target)
      inputs.push({summary, byTargetPlatform, explanation: await explainWithStore(store, {run: summary.id})})
    }
    return buildReport(inputs, {generatedAt: now, filter: {since, target: options.target, branch: options.branch}})
  } finally {
    store.close()
  }
}
