import type {IndexConnection} from './connection.js'

/**
 * The stored explanation (issue #17): the latest run's explanation, computed right after it was
 * recorded, so that `explain` and a failing `gate` read it back instead of reading two runs and
 * explaining them again. It is used only while it is certainly what explaining now would give:
 *
 * - the same run and baseline;
 * - the same index: `index_generation.n`, which triggers bump on every write to any table an
 *   explanation reads (migration 8), equals the generation it was computed at — any later ingest,
 *   `history pull`, cache snapshot or scrub makes it stale, whatever code path wrote;
 * - the same code: `version` names the build of bakedoctor that computed it (explanation-version.ts).
 *
 * One row: only an explanation computed at the current generation can be current, and every write
 * changes the generation, so an older one could never be used again (and would cost index space).
 */
export interface StoredExplanationKey {
  runId: number
  baselineId: number | undefined
  version: string
}

/** What is stored, as JSON: the explanation, the gate's per-group totals of the run, the explanation with only its root-cause steps. */
export interface StoredExplanationParts {
  body: string
  gateGroups?: string
  gateView?: string
}

/** The generation of the index now; undefined for an index older than migration 8 (opened read-only: not migrated). */
export function indexGeneration(conn: IndexConnection): number | undefined {
  try {
    return (conn.sql('SELECT n FROM index_generation').get() as {n: number} | undefined)?.n
  } catch (error) {
    // only the missing table means "older index"; a damaged one is reported as such by the caller
    if (/no such table/.test((error as Error).message)) return undefined
    throw error
  }
}

/**
 * One part of the stored row, as JSON, when it is current for `key`; undefined otherwise. `body`: the
 * whole explanation; `gate_view`: the explanation with only its root-cause steps; `gate_groups`: the
 * run's totals per group, which depend on the run alone (any baseline will do: `baselineId` is not compared).
 */
export function readStoredExplanation(conn: IndexConnection, key: StoredExplanationKey, part: StoredPart = 'body'): string | undefined {
  const generation = indexGeneration(conn)
  if (generation === undefined) return undefined
  const sameBaseline = part === 'gate_groups' ? '' : 'AND baseline_id IS ?'
  const params = part === 'gate_groups' ? [key.runId, generation, key.version] : [key.runId, generation, key.version, key.baselineId ?? null]
  const row = conn.sql(`SELECT ${part} AS json FROM stored_explanation WHERE run_id = ? AND generation = ? AND version = ? ${sameBaseline}`)
    .get(...params) as {json: string | null} | undefined
  return row?.json ?? undefined
}

export type StoredPart = 'body' | 'gate_view' | 'gate_groups'

/**
 * Stores `stored` (the explanation for `key`, and what a gate reads of it) computed from the index as it was at
 * `generationRead` (read before anything else was). Skipped (false) when another writer changed the
 * index since: what was computed may already be stale.
 */
export function writeStoredExplanation(conn: IndexConnection, key: StoredExplanationKey, generationRead: number, stored: StoredExplanationParts): boolean {
  const write = conn.db.transaction(() => {
    if (indexGeneration(conn) !== generationRead) return false
    conn.sql('INSERT OR REPLACE INTO stored_explanation (only, run_id, baseline_id, generation, version, body, gate_groups, gate_view) VALUES (1, ?, ?, ?, ?, ?, ?, ?)')
      .run(key.runId, key.baselineId ?? null, generationRead, key.version, stored.body, stored.gateGroups ?? null, stored.gateView ?? null)
    return true
  })
  return write.immediate()
}

/** Drops the stored explanation (its text may hold what a scrub just removed from the index). */
export function dropStoredExplanation(conn: IndexConnection): void {
  if (indexGeneration(conn) !== undefined) conn.sql('DELETE FROM stored_explanation').run()
}
