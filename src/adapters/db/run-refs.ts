import {isGlobalId} from '../../domain/history/global-id.js'
import {UsageError} from '../../errors.js'
import type {IndexConnection} from './connection.js'
import {formatRunId, type RunRow} from './rows.js'

/** `latest`, `latest~N`, `rN`, `N`, `branch:NAME` (its latest run), a global id → numeric id. */
export function resolveRunRef(conn: IndexConnection, ref: string): number {
  const trimmed = ref.trim()
  if (trimmed.startsWith('branch:')) {
    const branch = trimmed.slice('branch:'.length)
    const id = latestOnBranch(conn, branch)
    if (id === undefined) throw new UsageError(`no run of branch ${branch} in ${conn.file}`, {fix: 'list the runs with `bakedoctor runs --branch NAME`, or `bakedoctor history pull` the team\'s runs first'})
    return id
  }
  if (isGlobalId(trimmed)) {
    const id = runIdOfGlobalId(conn, trimmed)
    if (id === undefined) throw new UsageError(`no run ${trimmed} in ${conn.file}`, {fix: '`bakedoctor history pull` it first, or list the runs with `bakedoctor runs`'})
    return id
  }
  const latest = /^latest(?:~(\d+))?$/.exec(trimmed)
  if (latest) {
    const offset = Number(latest[1] ?? 0)
    const row = conn.sql('SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?').get(offset) as {id: number} | undefined
    if (!row) throw new UsageError(offset ? `there is no run ${trimmed}: the index holds fewer than ${offset + 1} runs` : 'the index holds no runs yet', {fix: 'ingest or build a run first'})
    return row.id
  }
  const m = /^r?(\d+)$/.exec(trimmed)
  if (!m) throw new UsageError(`"${ref}" is not a run id`, {fix: 'use an id from `bakedoctor runs` (e.g. r12), `latest` or `latest~1`'})
  const id = Number(m[1])
  if (!conn.sql('SELECT 1 FROM runs WHERE id = ?').get(id)) {
    throw new UsageError(`no run ${formatRunId(id)} in ${conn.file}`, {fix: 'list the runs with `bakedoctor runs`'})
  }
  return id
}

/**
 * The run to compare against by default: the previous run of the same targets and platforms (on
 * the same branch first); else one that built the same targets on all of this run's platforms;
 * else, for a first build on a platform, the previous run of the same targets. A run whose
 * platform is unknown prefers runs whose platform is unknown too.
 */
export function findBaseline(conn: IndexConnection, id: number): number | undefined {
  const row = conn.sql('SELECT targets, platforms, git_branch, baseline_global_id FROM runs WHERE id = ?').get(id) as Pick<RunRow, 'targets' | 'platforms' | 'git_branch' | 'baseline_global_id'> | undefined
  if (!row) return undefined
  // a run pulled from team history: the baseline it was explained against where it ran, when pulled too
  if (row.baseline_global_id) {
    const recorded = runIdOfGlobalId(conn, row.baseline_global_id)
    if (recorded !== undefined) return recorded
  }
  const platformCount = (JSON.parse(row.platforms) as string[]).length
  const covers = `NOT EXISTS (SELECT 1 FROM json_each(?) p WHERE p.value NOT IN (SELECT value FROM json_each(runs.platforms)))`
  const candidates: [string, unknown[]][] = [
    ['SELECT id FROM runs WHERE id < ? AND targets = ? AND platforms = ? AND git_branch IS ? ORDER BY id DESC LIMIT 1', [id, row.targets, row.platforms, row.git_branch]],
    ['SELECT id FROM runs WHERE id < ? AND targets = ? AND platforms = ? ORDER BY id DESC LIMIT 1', [id, row.targets, row.platforms]],
  ]
  if (platformCount > 0) {
    candidates.push(
      [`SELECT id FROM runs WHERE id < ? AND targets = ? AND ${covers} AND git_branch IS ? ORDER BY id DESC LIMIT 1`, [id, row.targets, row.platforms, row.git_branch]],
      [`SELECT id FROM runs WHERE id < ? AND targets = ? AND ${covers} ORDER BY id DESC LIMIT 1`, [id, row.targets, row.platforms]],
    )
  }
  candidates.push(
    ['SELECT id FROM runs WHERE id < ? AND targets = ? AND git_branch IS ? ORDER BY id DESC LIMIT 1', [id, row.targets, row.git_branch]],
    ['SELECT id FROM runs WHERE id < ? AND targets = ? ORDER BY id DESC LIMIT 1', [id, row.targets]],
  )
  for (const [sql, params] of candidates) {
    const hit = conn.sql(sql).get(...params) as {id: number} | undefined
    if (hit) return hit.id
  }
  return undefined
}

/** Latest run of a branch (gate `--baseline branch:NAME`). */
export function latestOnBranch(conn: IndexConnection, branch: string, beforeId?: number): number | undefined {
  const row = conn.sql('SELECT id FROM runs WHERE git_branch = ? AND id < ? ORDER BY id DESC LIMIT 1').get(branch, beforeId ?? Number.MAX_SAFE_INTEGER) as {id: number} | undefined
  return row?.id
}

export function runIdOfGlobalId(conn: IndexConnection, globalId: string): number | undefined {
  return (conn.sql('SELECT id FROM runs WHERE global_id = ?').get(globalId) as {id: number} | undefined)?.id
}

export function runCount(conn: IndexConnection): number {
  return (conn.sql('SELECT count(*) AS n FROM runs').get() as {n: number}).n
}
