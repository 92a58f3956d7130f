import {nodeCrypto} from '../../domain/lazy-crypto.js'
import {canonicalPlanJson, type Plan} from '../../domain/bake/plan.js'
import type {Redactor} from '../../domain/redact/policy.js'
import type {Run} from '../../domain/model/run.js'
import {dropStoredExplanation} from './stored-explanation.js'
import type {IndexConnection} from './connection.js'
import type {RunRow} from './rows.js'
import {textHash, type TextTable} from './texts.js'

/** The redaction policy version an index's stored contents have been through. */
const REDACTION_VERSION = '1'

/**
 * An index written before the redaction policy may hold secrets in plain text (plans, labels,
 * metadata, step names, logs, errors). On the first open for writing, everything stored goes
 * through the policy once (settings `redaction`), with `secure_delete` on, then a VACUUM and a
 * truncating checkpoint so that the old bytes do not stay in free pages or the WAL. True when
 * anything changed.
 */
export function scrubStoredSecrets(conn: IndexConnection, texts: TextTable, redactor: Redactor): boolean {
  const {db} = conn
  const done = () => (conn.sql('SELECT value FROM settings WHERE key = ?').get('redaction') as {value: string} | undefined)?.value === REDACTION_VERSION
  if (done()) return false
  let changed = 0
  db.pragma('secure_delete = ON')
  const scrub = db.transaction(() => {
    if (done()) return
    const page = db.prepare('SELECT id, body FROM texts WHERE id > ? ORDER BY id LIMIT 1000')
    // the key is the hash of the body: re-keyed too, so it is no test of a guessed plaintext (a
    // body that exists already gets a random key; only a de-duplication is missed)
    const updateText = db.prepare('UPDATE texts SET body = ?, hash = ? WHERE id = ?')
    const hashTaken = db.prepare('SELECT 1 FROM texts WHERE hash = ?')
    for (let last = 0; ; ) {
      const rows = page.all(last) as {id: number; body: string}[]
      if (rows.length === 0) break
      for (const row of rows) {
        const body = redactor.text(row.body)
        if (body !== row.body) {
          const key = textHash(body)
          updateText.run(body, hashTaken.get(key) ? nodeCrypto().randomBytes(16) : key, row.id)
          changed++
        }
      }
      last = rows.at(-1)!.id
    }
    for (const row of db.prepare('SELECT hash, body FROM plans').all() as {hash: string; body: string}[]) {
      const body = canonicalPlanJson(redactor.plan(JSON.parse(row.body) as Plan))
      if (body !== row.body) {
        db.prepare('UPDATE plans SET body = ? WHERE hash = ?').run(body, row.hash)
        changed++
      }
    }
    const runs = db.prepare('SELECT id, labels, metadata, error, source_file FROM runs').all() as Pick<RunRow, 'id' | 'labels' | 'metadata' | 'error' | 'source_file'>[]
    for (const row of runs) {
      const shell: Run = {source: '', createdAt: 0, durationMs: 0, status: 'completed', targets: [], platforms: [], steps: [], skippedLines: 0,
        labels: JSON.parse(row.labels) as Record<string, string>, metadata: row.metadata ? JSON.parse(row.metadata) : undefined, error: row.error ?? undefined, sourceFile: row.source_file ?? undefined}
      const red = redactor.run(shell)
      const next = [JSON.stringify(red.labels), red.metadata ? JSON.stringify(red.metadata) : null, red.error ?? null, red.sourceFile ?? null]
      if (next[0] !== row.labels || next[1] !== row.metadata || next[2] !== row.error || next[3] !== row.source_file) {
        db.prepare('UPDATE runs SET labels = ?, metadata = ?, error = ?, source_file = ? WHERE id = ?').run(...next, row.id)
        changed++
      }
    }
    // the stored explanation is a copy of what was just scrubbed: explained again when next asked
    dropStoredExplanation(conn)
    conn.sql('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run('redaction', REDACTION_VERSION)
  })
  scrub.immediate()
  texts.forgetIds()
  if (changed > 0) {
    try {
      db.exec('VACUUM')
      db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // another process holds the index: the rows are redacted and the freed space was zeroed
      // (secure_delete); only the compaction is skipped
    }
  }
  db.pragma('secure_delete = OFF')
  return changed > 0
}
