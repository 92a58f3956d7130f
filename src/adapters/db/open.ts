import {chmodSync, closeSync, existsSync, mkdirSync, openSync} from 'node:fs'
import path from 'node:path'
import {randomBytes} from 'node:crypto'
import type BetterSqlite3 from 'better-sqlite3'
import {UsageError} from '../../errors.js'
import {MIGRATIONS, SCHEMA_VERSION} from './migrations.js'

export type Database = BetterSqlite3.Database

/**
 * `--db` / `BAKEDOCTOR_DB`, else `.bakedoctor/index.db` next to the bake file (or in `cwd`).
 */
export function resolveDbPath(options: {db?: string; bakeFile?: string; cwd?: string}): string {
  if (options.db) return path.resolve(options.cwd ?? process.cwd(), options.db)
  const base = options.bakeFile ? path.dirname(path.resolve(options.cwd ?? process.cwd(), options.bakeFile)) : (options.cwd ?? process.cwd())
  return path.join(base, '.bakedoctor', 'index.db')
}

/**
 * Opens (creating when asked) the index: WAL, a busy timeout long enough for parallel CI jobs,
 * migrations applied in an IMMEDIATE transaction (re-checked inside it, so concurrent openers
 * migrate once). A new index is created 0600 in a 0700 directory: it may hold build args.
 */
export async function openDatabase(file: string, options: {create?: boolean; readonly?: boolean} = {}): Promise<Database> {
  const exists = existsSync(file)
  if (!exists && !options.create) {
    throw new UsageError(`no index at ${file}`, {fix: 'run `bakedoctor ingest FILE` or `bakedoctor build` first, or point --db / BAKEDOCTOR_DB at an existing index'})
  }
  if (!exists) {
    const dir = path.dirname(file)
    if (!existsSync(dir)) mkdirSync(dir, {recursive: true, mode: 0o700})
    closeSync(openSync(file, 'a', 0o600))
    chmodSync(file, 0o600)
  }
  const {default: Sqlite} = await import('better-sqlite3')
  let db: Database
  try {
    db = new Sqlite(file, {readonly: options.readonly ?? false, fileMustExist: true})
    db.pragma('busy_timeout = 30000')
    if (!options.readonly) {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = OFF')
  } catch (error) {
    throw new UsageError(`cannot open the index ${file}: ${(error as Error).message}`, {
      fix: 'the file is not a bakedoctor index or is damaged; move it away (a new one is created) or point --db elsewhere',
      cause: error,
    })
  }
  try {
    migrate(db, file, options.readonly ?? false)
  } catch (error) {
    db.close()
    if (error instanceof UsageError) throw error
    throw new UsageError(`cannot open the index ${file}: ${(error as Error).message}`, {
      fix: 'the file is not a bakedoctor index or is damaged; move it away (a new one is created) or point --db elsewhere',
      cause: error,
    })
  }
  return db
}

function migrate(db: Database, file: string, readonly: boolean): void {
  const current = db.pragma('user_version', {simple: true}) as number
  if (current > SCHEMA_VERSION) {
    throw new UsageError(`the index ${file} has schema version ${current}, newer than this bakedoctor understands (${SCHEMA_VERSION})`, {
      fix: 'upgrade bakedoctor, or use another --db',
    })
  }
  if (current === SCHEMA_VERSION || readonly) return
  const apply = db.transaction(() => {
    const inside = db.pragma('user_version', {simple: true}) as number
    for (let v = inside; v < SCHEMA_VERSION; v++) {
      const sql = MIGRATIONS[v]
      if (sql === undefined) throw new UsageError(`missing migration to schema version ${v + 1}`)
      db.exec(sql)
      db.pragma(`user_version = ${v + 1}`)
    }
    if (inside === 0) {
      db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run('secret_salt', randomBytes(32).toString('hex'))
    }
  })
  apply.immediate()
}
