import {chmodSync, closeSync, existsSync, mkdirSync, openSync, rmdirSync, rmSync, statSync} from 'node:fs'
import path from 'node:path'
import {nodeCrypto} from '../../domain/lazy-crypto.js'
import {createRequire} from 'node:module'
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
 * migrate once). A new index is created 0600 in a 0700 directory: it may hold build args; an
 * existing one is tightened to that. A fault (empty, damaged, read-only, disk full) is a UsageError
 * that says what happened and what to do; an index this call created and could not finish is removed.
 */
export async function openDatabase(file: string, options: {create?: boolean; readonly?: boolean; salt?: string} = {}): Promise<Database> {
  const exists = existsSync(file)
  if (!exists && !options.create) {
    throw new UsageError(`no index at ${file}`, {fix: 'run `bakedoctor ingest FILE` or `bakedoctor build` first, or point --db / BAKEDOCTOR_DB at an existing index'})
  }
  const created: string[] = []
  if (!exists) {
    const dir = path.dirname(file)
    try {
      if (!existsSync(dir)) {
        mkdirSync(dir, {recursive: true, mode: 0o700})
        created.push(dir)
      }
      closeSync(openSync(file, 'a', 0o600))
      created.unshift(file)
      chmodSync(file, 0o600)
    } catch (error) {
      removeCreated(created)
      throw indexFault(file, error) ?? error
    }
  } else {
    tightenPermissions(file)
    if (options.readonly && statSync(file).size === 0) {
      throw new UsageError(`the index ${file} is empty (0 bytes): it holds no runs`, {fix: EMPTY_FIX})
    }
  }
  indexInUse = file
  // required, not imported: an ESM import of this CommonJS package makes Node lex it and its
  // re-exports for their names first (~14 M instructions of every command that opens the index)
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3
  let db: Database | undefined
  try {
    db = new Sqlite(file, {readonly: options.readonly ?? false, fileMustExist: true, ...nativeBinding()})
    db.pragma('busy_timeout = 30000')
    if (!options.readonly) {
      // a file created just now holds nothing yet: its switch to WAL (a rollback-journalled write of
      // the header) need not wait for the disk (~15 ms of fsyncs on a busy disk, every first ingest)
      if (!exists) db.pragma('synchronous = OFF')
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = OFF')
    migrate(db, file, options.readonly ?? false, options.salt)
  } catch (error) {
    db?.close()
    if (created.length) removeCreated([`${file}-wal`, `${file}-shm`, ...created])
    if (error instanceof UsageError) throw error
    throw indexFault(file, error) ?? new UsageError(`cannot open the index ${file}: ${(error as Error).message}`, {fix: DAMAGED_FIX, cause: error})
  }
  return db
}

/**
 * better-sqlite3's compiled addon, named directly: without it the package asks `bindings`, which
 * tries a dozen paths (a stat and a thrown error each, ~2 ms of every command that opens the index).
 * Where the addon is not at the usual place (another build layout), `bindings` still finds it.
 */
function nativeBinding(): {nativeBinding?: string} {
  const require = createRequire(import.meta.url)
  const addon = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node')
  return existsSync(addon) ? {nativeBinding: addon} : {}
}

const DAMAGED_FIX = 'move the file away (a new index is created on the next ingest or build) or point --db elsewhere; `sqlite3 FILE .recover` may save its runs'
const EMPTY_FIX = 'delete the empty file (or run `bakedoctor ingest FILE` to initialise it), or point --db at the right index'

/** the index the process opened last: index faults surfacing later (a damaged page read by a query) name it */
let indexInUse: string | undefined

/**
 * SQLite's fault codes in words: what happened to the index and what to do. Undefined for errors
 * that are not index faults. Used at open and by the command layer for faults that surface later.
 */
export function indexFault(file: string | undefined, error: unknown): UsageError | undefined {
  const code = String((error as {code?: unknown})?.code ?? '')
  const where = file ?? indexInUse ?? 'the index'
  const message = (error as Error)?.message ?? String(error)
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new UsageError(`the index ${where} is damaged or not a bakedoctor index (${message})`, {fix: DAMAGED_FIX, cause: error})
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || (code.startsWith('SQLITE_CANTOPEN') && existsSync(where))) {
    return new UsageError(`the index ${where} cannot be written: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied or a read-only file'} (${message}); SQLite writes its -wal and -shm files next to the index even to read it`, {
      fix: 'make the index and its directory writable by this user, or copy the index somewhere writable and point --db at the copy',
      cause: error,
    })
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EFBIG' || code.startsWith('SQLITE_IOERR')) {
    return new UsageError(`could not write the index ${where}: the disk is full or the file size limit was reached (${message}); nothing was recorded`, {
      fix: 'free disk space (or raise the file size limit) and run the command again, or point --db at another disk',
      cause: error,
    })
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new UsageError(`cannot open the index ${where} (${message})`, {fix: 'check that the directory exists and is writable, or point --db elsewhere', cause: error})
  }
  return undefined
}

/** An index is private: 0600 file, and 0700 for the default `.bakedoctor` directory (never a user's own --db directory). */
function tightenPermissions(file: string): void {
  try {
    const st = statSync(file)
    if (st.isFile() && (st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(file, st.mode & 0o700)
    const dir = path.dirname(file)
    if (path.basename(dir) === '.bakedoctor') {
      const d = statSync(dir)
      if ((d.mode & 0o077) !== 0 && d.uid === process.getuid?.()) chmodSync(dir, d.mode & 0o700)
    }
  } catch {
    // best effort: a file we cannot chmod is reported by the open that follows
  }
}

function removeCreated(paths: string[]): void {
  for (const p of paths) {
    try {
      rmSync(p, {force: true, recursive: false})
    } catch {
      try {
        rmdirSync(p)
      } catch {
        // left behind: nothing more to do
      }
    }
  }
}

function migrate(db: Database, file: string, readonly: boolean, salt?: string): void {
  const current = db.pragma('user_version', {simple: true}) as number
  if (current > SCHEMA_VERSION) {
    throw new UsageError(`the index ${file} has schema version ${current}, newer than this bakedoctor understands (${SCHEMA_VERSION})`, {
      fix: 'upgrade bakedoctor, or use another --db',
    })
  }
  if (readonly && current === 0) {
    throw new UsageError(`the index ${file} has no bakedoctor tables: it is empty or was never initialised`, {fix: EMPTY_FIX})
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
      db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run('secret_salt', salt ?? newSecretSalt())
    }
  })
  apply.immediate()
}

/**
 * A new index's salt for secret markers: random, or `BAKEDOCTOR_SECRET_SALT` (a CI secret shared by
 * every runner) so that markers of runs recorded on different machines and shared through team
 * history compare: the same secret gives the same marker on every runner.
 */
export function newSecretSalt(): string {
  const shared = process.env.BAKEDOCTOR_SECRET_SALT
  if (shared !== undefined && shared !== '') {
    if (shared.length < 16) throw new UsageError('BAKEDOCTOR_SECRET_SALT is too short (fewer than 16 characters)', {fix: 'use a long random value, e.g. `openssl rand -hex 32`, stored as a CI secret'})
    return shared
  }
  return nodeCrypto().randomBytes(32).toString('hex')
}
