import type {IndexConnection} from './connection.js'

/** A registry cache manifest as fetched (`cache check`), kept with the run it was checked for. */
export function saveCacheSnapshot(conn: IndexConnection, ref: string, body: unknown, runId?: number): void {
  conn.sql('INSERT INTO cache_snapshots (ref, fetched_at, run_id, body) VALUES (?, ?, ?, ?)').run(ref, Date.now(), runId ?? null, JSON.stringify(body))
}
