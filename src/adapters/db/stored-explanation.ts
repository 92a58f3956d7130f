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
  } catch {
    return undefined
  }
}

/**
 * The stored explanation's JSON when it is current for `key`; undefined otherwise. `part`: the whole
 * explanation (`body`), or what a gate reads of it (`gate_view`: only the root-cause steps).
 */
export function readStoredExplanation(conn: IndexConnection, key: StoredExplanationKey, part: 'body' | 'gate_view' = 'body'): string | undefined {
  const generation = indexGeneration(conn)
  if (generation === undefined) return undefined
  const row = conn.sql(`SELECT ${part} AS json FROM stored_explanation WHERE run_id = ? AND baseline_id IS ? AND generation = ? AND version = ?`)
    .get(key.runId, key.baselineId ?? null, generation, key.version) as {json: string | null} | undefined
  return row?.json ?? undefined
}

/**
 * The gate's totals per group of the run (JSON), stored with its explanation, when current: they
 * depend on the run alone, so any baseline will do.
 */
export function readStoredGateGroups(conn: IndexConnection, key: Omit<StoredExplanationKey, 'baselineId'>): string | undefined {
  const generation = indexGeneration(conn)
  if (generation === undefined) return undefined
  const row = conn.sql('SELECT gate_groups FROM stored_explanation WHERE run_id = ? AND generation = ? AND version = ?')
    .get(key.runId, generation, key.version) as {gate_groups: string | null} | undefined
  return row?.gate_groups ?? undefined
}

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
