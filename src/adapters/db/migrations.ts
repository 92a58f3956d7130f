/**
 * Content-addressed tables: a row inserted there changes nothing until a row of another table refers
 * to it (and that insert bumps the generation), so inserts into them need no trigger (~1.3 µs per row
 * saved on a first ingest's thousands of new texts and definitions). Updates and deletes bump.
 */
export const INSERT_NEEDS_NO_BUMP: ReadonlySet<string> = new Set(['texts', 'step_defs'])

/** the tables that are not read by an explanation (migration 8's own): no triggers */
export const GENERATION_TABLES: ReadonlySet<string> = new Set(['index_generation', 'stored_explanation'])

/** Triggers that bump the index generation on every write to `tables` (a migration adding a table adds its own). */
function generationTriggers(tables: readonly string[]): string {
  const ops = ['INSERT', 'UPDATE', 'DELETE'] as const
  return tables.flatMap((table) => ops.filter((op) => !(op === 'INSERT' && INSERT_NEEDS_NO_BUMP.has(table))).map((op) =>
    `CREATE TRIGGER generation_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} BEGIN UPDATE index_generation SET n = n + 1; END;`)).join('\n  ')
}

/**
 * Forward-only schema migrations (docs/architecture.md, "The index"): version N+1 is `MIGRATIONS[N]`, applied in one
 * transaction together with `PRAGMA user_version = N+1`.
 *
 * Layout (kept small on purpose — issue: ≤ 100 bytes per step per run for years of history):
 * - `texts`: content-addressed strings (instructions, names, errors, log tails, input components);
 *   a text seen in a thousand runs is stored once.
 * - `step_defs`: one row per distinct step identity (target + vertex name; the parsed parts kept
 *   as columns for queries). Runs of the same bake reuse the same defs.
 * - `run_steps`: one narrow WITHOUT ROWID row per step per run: def id, flag bits, duration, start
 *   offset, 32-byte digest, input ordinals, optional error/log text ids.
 * - `step_inputs`: fingerprint + content-addressed components, only for steps whose inputs were seen.
 * - `run_steps_executed` (migration 2): partial index over executed steps only, for the
 *   time-weighted hit rate's "cost when it last ran" lookup.
 * - `step_provenance` (migration 4): the builder's definition of a step (SLSA provenance): the
 *   canonical definition JSON and the Dockerfile location are texts (content-addressed, so a
 *   definition repeated in every run of a 2,400-step bake is stored once); per step per run only
 *   ids, the 32-byte lineage hash and parent ordinals.
 * - `index_generation`, `stored_explanation` (migration 8): see stored-explanation.ts; a table added
 *   later gets its generation triggers in its own migration (`generationTriggers`).
 * IMPORTANT: if you add a column to run_steps, also update `RunWriter.insertSteps` (run-writer.ts) and `RunReader.readRun` (run-reader.ts).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE texts (id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, body TEXT NOT NULL);
  CREATE TABLE step_defs (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL DEFAULT '',
    name_id INTEGER NOT NULL REFERENCES texts(id),
    platform TEXT, stage TEXT, idx INTEGER, total INTEGER,
    kind TEXT NOT NULL,
    instruction_id INTEGER NOT NULL REFERENCES texts(id),
    internal INTEGER NOT NULL, cacheable INTEGER NOT NULL,
    UNIQUE (name_id, target)
  );
  CREATE TABLE plans (hash TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    started_at REAL, finished_at REAL, duration_ms REAL NOT NULL,
    status TEXT NOT NULL, error TEXT,
    source TEXT NOT NULL, source_file TEXT,
    targets TEXT NOT NULL, platforms TEXT NOT NULL, labels TEXT NOT NULL,
    git_commit TEXT, git_branch TEXT,
    plan_hash TEXT REFERENCES plans(hash),
    metadata TEXT,
    skipped_lines INTEGER NOT NULL DEFAULT 0,
    cacheable INTEGER NOT NULL, hits INTEGER NOT NULL, served_in_run INTEGER NOT NULL,
    spent_ms REAL NOT NULL, saved_ms REAL NOT NULL, time_weighted REAL, step_count INTEGER NOT NULL
  );
  CREATE INDEX runs_branch ON runs (git_branch, id);
  CREATE TABLE run_steps (
    run_id INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    def_id INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    start_ms INTEGER,
    digest BLOB,
    inputs TEXT,
    error_id INTEGER,
    log_id INTEGER,
    PRIMARY KEY (run_id, ord)
  ) WITHOUT ROWID;
  CREATE INDEX run_steps_def ON run_steps (def_id, run_id);
  CREATE TABLE step_inputs (
    run_id INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    components_id INTEGER NOT NULL,
    dockerfile TEXT,
    line INTEGER,
    PRIMARY KEY (run_id, ord)
  ) WITHOUT ROWID;
  CREATE TABLE cache_snapshots (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    run_id INTEGER,
    body TEXT NOT NULL
  );
  CREATE INDEX cache_snapshots_ref ON cache_snapshots (ref, fetched_at);
  `,
  // 2: the only query by definition is "what did this step cost when it last executed" (the
  // time-weighted hit rate). A partial index over executed steps (flags: completed, not cached)
  // that carries the duration (and the flags, so it covers the query) answers it from the index
  // alone, and is a fraction of the size of the full (def_id, run_id) index it replaces (most
  // steps of most runs are cache hits).
  `
  DROP INDEX run_steps_def;
  CREATE INDEX run_steps_executed ON run_steps (def_id, run_id, duration_ms, flags) WHERE flags & 5 = 4;
  `,
  // 3: team history (issue 18). Every run gets a global id (its registry tag: creation time, then 64
  // random bits) that stays the same on every machine; local ids (r12) stay short. `origin` is the
  // history ref a pulled run came from (NULL: recorded here); `baseline_global_id` is the baseline the
  // run was explained against where it was recorded, so a pulled run is explained against the same one.
  `
  ALTER TABLE runs ADD COLUMN global_id TEXT;
  ALTER TABLE runs ADD COLUMN origin TEXT;
  ALTER TABLE runs ADD COLUMN baseline_global_id TEXT;
  UPDATE runs SET global_id = coalesce(strftime('%Y%m%dt%H%M%S', created_at / 1000, 'unixepoch'), '00000000t000000') || '-' || lower(hex(randomblob(8)));
  CREATE UNIQUE INDEX runs_global_id ON runs (global_id);
  `,
  // 4: per-step definitions from SLSA provenance (issue 16). Runs ingested from events only have no rows.
  `
  CREATE TABLE step_provenance (
    run_id INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    step_id TEXT NOT NULL,
    definition_id INTEGER NOT NULL,
    location_id INTEGER,
    lineage BLOB NOT NULL,
    reads_context INTEGER NOT NULL,
    parents TEXT,
    PRIMARY KEY (run_id, ord)
  ) WITHOUT ROWID;
  `,
  // 5: team history (issue 18): the salt id (a hash naming the secret salt) of the index a pulled run
  // was recorded in; NULL for runs recorded here. Secret markers of runs with different salts do not compare.
  `
  ALTER TABLE runs ADD COLUMN salt_id TEXT;
  `,
  // 6: what the memory limits cut from a run (issue 13), a JSON array of sentences; NULL when nothing
  `
  ALTER TABLE runs ADD COLUMN cut_by_limits TEXT;
  `,
  // 7: the sha256 of the ingested file (or stdin), so that the same capture ingested twice is
  // recognised ("already recorded as r3") instead of counted as a second run.
  `
  ALTER TABLE runs ADD COLUMN source_sha256 TEXT;
  CREATE INDEX runs_source_sha256 ON runs (source_sha256) WHERE source_sha256 IS NOT NULL;
  `,
  // 8: the stored explanation (issue #17, stored-explanation.ts). `index_generation.n` counts every
  // write to the tables an explanation is read from, by trigger, so that no write path (today's or
  // a later one) can leave a stored explanation looking current; one row of `stored_explanation`
  // holds the latest run's explanation (and what a gate reads of it: the run's per-group totals, the
  // explanation with only its root-cause steps) with the generation it was computed at.
  `
  CREATE TABLE index_generation (only INTEGER PRIMARY KEY CHECK (only = 1), n INTEGER NOT NULL);
  INSERT INTO index_generation VALUES (1, 0);
  CREATE TABLE stored_explanation (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    run_id INTEGER NOT NULL, baseline_id INTEGER, generation INTEGER NOT NULL, version TEXT NOT NULL, body TEXT NOT NULL,
    gate_groups TEXT, gate_view TEXT
  );
  ${generationTriggers(['settings', 'texts', 'step_defs', 'plans', 'runs', 'run_steps', 'step_inputs', 'cache_snapshots', 'step_provenance'])}
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length
