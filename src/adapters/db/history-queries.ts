import {nodeCrypto} from '../../domain/lazy-crypto.js'
import {UsageError} from '../../errors.js'
import type {IndexConnection} from './connection.js'
import {formatRunId, type RecordedRunFacts, type RunRow} from './rows.js'

/** What team history (push and pull) asks of the index. */

/**
 * Names this index's secret salt without revealing it (a hash of it): runs whose secret markers
 * were made with another salt cannot be compared secret by secret.
 */
export function saltId(conn: IndexConnection): string {
  return nodeCrypto().hash('sha256', `bakedoctor salt id\u0000${conn.secretSalt()}`, 'hex').slice(0, 16)
}

/** A run's global id, and the baseline it was recorded with when it was pulled. */
export function historyFacts(conn: IndexConnection, id: number): {globalId: string; baselineGlobalId?: string; saltId?: string} {
  const row = conn.sql('SELECT global_id, baseline_global_id, salt_id FROM runs WHERE id = ?').get(id) as Pick<RunRow, 'global_id' | 'baseline_global_id' | 'salt_id'> | undefined
  if (!row?.global_id) throw new UsageError(`no run ${formatRunId(id)}`)
  return {globalId: row.global_id, baselineGlobalId: row.baseline_global_id ?? undefined, saltId: row.salt_id ?? undefined}
}

/** Every global id in the index (pull fetches only the others). */
export function globalIds(conn: IndexConnection): Set<string> {
  return new Set((conn.sql('SELECT global_id FROM runs WHERE global_id IS NOT NULL').all() as Array<{global_id: string}>).map((r) => r.global_id))
}

/** The runs in id order with what history push needs to pick them, oldest first. */
export function runsForHistory(conn: IndexConnection, options: {branch?: string; since?: number} = {}): Array<{id: number; globalId: string; createdAt: number; branch?: string; origin?: string}> {
  const rows = conn.sql('SELECT id, global_id, created_at, git_branch, origin FROM runs WHERE global_id IS NOT NULL ORDER BY id').all() as Array<Pick<RunRow, 'id' | 'global_id' | 'created_at' | 'git_branch' | 'origin'>>
  return rows
    .filter((r) => (options.branch === undefined || r.git_branch === options.branch) && (options.since === undefined || r.created_at >= options.since))
    .map((r) => ({id: r.id, globalId: r.global_id as string, createdAt: r.created_at, branch: r.git_branch ?? undefined, origin: r.origin ?? undefined}))
}

/** The stored totals of a run (as computed when it was saved, or as recorded where it ran). */
export function storedTotals(conn: IndexConnection, id: number): RecordedRunFacts['totals'] {
  const row = conn.sql('SELECT cacheable, hits, served_in_run, spent_ms, saved_ms, time_weighted FROM runs WHERE id = ?').get(id) as Pick<RunRow, 'cacheable' | 'hits' | 'served_in_run' | 'spent_ms' | 'saved_ms' | 'time_weighted'> | undefined
  if (!row) throw new UsageError(`no run ${formatRunId(id)}`)
  return {cacheable: row.cacheable, hits: row.hits, servedInRun: row.served_in_run, spentMs: row.spent_ms, savedMs: row.saved_ms, timeWeighted: row.time_weighted}
}
