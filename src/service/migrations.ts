/**
 * The store's schema as versioned migrations, in SQLite's dialect (`sql`, SqliteStore) and Postgres's
 * (`pg`, PgStore: the same tables and columns, BIGINT for the millisecond times). Each entry runs once,
 * in order, in its own transaction; `schema_migrations` records the versions applied. A migration is never edited after it ships: a
 * change is a new entry. A database written by a newer mia-audit (a version above the last one here)
 * is refused rather than used.
 */
import { MiaError } from '../errors.js';
import { type SqlDatabase, transaction } from './sqlite-driver.js';

export interface Migration {
  version: number;
  /** What it changes, in words. */
  summary: string;
  /** SQLite */
  sql: string;
  /** Postgres */
  pg: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    summary: 'audits, their events, tokens (hashes only), the embedded queue',
    sql: `
CREATE TABLE audits (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  experiment TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  stage TEXT,
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  error TEXT
);
CREATE INDEX audits_by_status ON audits (status, created_at);
CREATE INDEX audits_by_experiment ON audits (experiment, created_at);
CREATE TABLE events (
  audit_id TEXT NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (audit_id, seq)
);
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('admin', 'read-only', 'worker')),
  created_at TEXT NOT NULL
);
CREATE TABLE jobs (
  audit_id TEXT PRIMARY KEY REFERENCES audits (id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('queued', 'leased', 'done')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  enqueued_at INTEGER NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, enqueued_at);
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  seen_at INTEGER NOT NULL
);`,
    pg: `
CREATE TABLE audits (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  experiment TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  stage TEXT,
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  error TEXT
);
CREATE INDEX audits_by_status ON audits (status, created_at);
CREATE INDEX audits_by_experiment ON audits (experiment, created_at);
CREATE TABLE events (
  audit_id TEXT NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (audit_id, seq)
);
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('admin', 'read-only', 'worker')),
  created_at TEXT NOT NULL
);
CREATE TABLE jobs (
  audit_id TEXT PRIMARY KEY REFERENCES audits (id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('queued', 'leased', 'done')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  enqueued_at BIGINT NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, enqueued_at);
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  seen_at BIGINT NOT NULL
);`,
  },
  {
    version: 2,
    summary: 'the file name a config was submitted as (its errors name it, as `mia audit FILE` does)',
    sql: `ALTER TABLE audits ADD COLUMN file TEXT NOT NULL DEFAULT 'config.yaml';`,
    pg: `ALTER TABLE audits ADD COLUMN file TEXT NOT NULL DEFAULT 'config.yaml';`,
  },
];

/**
 * The migrations a store at schema version `current` (0: none applied) still needs, in order. Throws
 * E_IO for a store written by a newer mia-audit (a version above the last one here), at `where`.
 */
export function pendingMigrations(current: number, where: string): Migration[] {
  const last = MIGRATIONS.at(-1)?.version ?? 0;
  if (current > last) {
    throw new MiaError('E_IO', 'the store was written by a newer mia-audit', {
      where,
      expected: `schema version ≤ ${last}`,
      found: String(current),
    });
  }
  return MIGRATIONS.filter((m) => m.version > current);
}

/**
 * Brings `db` to the last version of MIGRATIONS and returns the versions it applied now (empty when it
 * was up to date). Throws E_IO for a database newer than this code.
 */
export function migrate(db: SqlDatabase, where: string): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
  );
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const applied: number[] = [];
  for (const m of pendingMigrations(row.v ?? 0, where)) {
    transaction(db, () => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        m.version,
        new Date().toISOString(),
      );
    });
    applied.push(m.version);
  }
  return applied;
}
