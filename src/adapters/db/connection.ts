import type BetterSqlite3 from 'better-sqlite3'
import {Redactor} from '../../domain/redact/policy.js'
import type {Database} from './open.js'

/**
 * An open index and its prepared statements, shared by the store's readers and writers: preparing
 * costs more than running a one-row insert, so every statement is prepared once per connection.
 */
export class IndexConnection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>()

  constructor(readonly db: Database, readonly file: string) {}

  /** A prepared statement, prepared once per connection. */
  sql(text: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(text)
    if (!stmt) this.statements.set(text, (stmt = this.db.prepare(text)))
    return stmt
  }

  /** Salt for hashing secret-looking values; random per index, never leaves it. */
  secretSalt(): string {
    const row = this.sql('SELECT value FROM settings WHERE key = ?').get('secret_salt') as {value: string} | undefined
    return row?.value ?? ''
  }

  /** The redaction policy with this index's salt (issue #13): what enters the index passes through it. */
  redactor(known: Iterable<string> = []): Redactor {
    return new Redactor({salt: this.secretSalt(), known})
  }

  close(): void {
    this.statements.clear()
    this.db.close()
  }
}
