import {nodeCrypto} from '../../domain/lazy-crypto.js'
import type {IndexConnection} from './connection.js'

/** The texts table key: the first 16 bytes of the sha256 of the body (one-shot: no Hash object per text). */
export function textHash(body: string): Buffer {
  return nodeCrypto().hash('sha256', body, 'buffer').subarray(0, 16)
}

/**
 * The content-addressed `texts` table (names, instructions, errors, log tails, components): a text
 * seen in a thousand runs is stored once. Both directions are cached per store (rows never change
 * once written, except by `scrubStoredSecrets`, which forgets the ids).
 */
export class TextTable {
  private readonly ids = new Map<string, number>()
  private readonly bodies = new Map<number, string>()

  constructor(private readonly conn: IndexConnection) {}

  /** The id of a text, stored when new. */
  idOf(body: string): number {
    const cached = this.ids.get(body)
    if (cached !== undefined) return cached
    const hash = textHash(body)
    const found = this.conn.sql('SELECT id FROM texts WHERE hash = ?').get(hash) as {id: number} | undefined
    const id = found ? found.id : Number(this.conn.sql('INSERT INTO texts (hash, body) VALUES (?, ?)').run(hash, body).lastInsertRowid)
    if (this.ids.size > 50_000) this.ids.clear()
    this.ids.set(body, id)
    return id
  }

  /** A text by id (undefined when missing, as a LEFT JOIN would give). */
  bodyOf(id: number): string | undefined {
    let body = this.bodies.get(id)
    if (body === undefined) {
      body = (this.conn.sql('SELECT body FROM texts WHERE id = ?').get(id) as {body: string} | undefined)?.body
      if (body === undefined) return undefined
      if (this.bodies.size > 50_000) this.bodies.clear()
      this.bodies.set(id, body)
    }
    return body
  }

  /** After a rollback or a rewrite of the table: the cached ids may name rows that are gone. */
  forgetIds(): void {
    this.ids.clear()
  }
}
