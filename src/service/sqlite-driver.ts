/**
 * The SQLite connection of the service's store: better-sqlite3 (a native addon built from source by
 * node-gyp at install), and Node's own `node:sqlite` when the addon cannot be loaded (it is built for
 * one Node ABI; `npx node@24` on a node_modules built by Node 20 finds it but cannot load it). Both
 * expose the small synchronous surface below; the store uses positional `?` parameters only, which
 * both accept the same way. The database is put in WAL mode with a busy timeout, so readers never
 * block the writer and a second connection waits instead of failing.
 */
import { createRequire } from 'node:module';
import { MiaError } from '../errors.js';

/** One prepared statement. */
export interface SqlStatement {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** The connection the store uses. */
export interface SqlDatabase {
  /** Which library opened it: 'better-sqlite3' or 'node:sqlite'. */
  readonly driver: string;
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

const require = createRequire(import.meta.url);

type BetterSqlite = new (
  file: string,
  options?: { timeout?: number },
) => SqlDatabase & { pragma(s: string): unknown };

type NodeSqlite = { DatabaseSync: new (file: string, options?: { timeout?: number }) => SqlDatabase };

/**
 * Opens (creating when absent) the SQLite database at `file` in WAL mode with a 5 s busy timeout.
 * Throws E_IO when neither library can open it.
 */
export function openSqlite(file: string): SqlDatabase {
  let db: SqlDatabase;
  let driver: string;
  try {
    const Database = require('better-sqlite3') as BetterSqlite;
    db = new Database(file, { timeout: 5000 });
    driver = 'better-sqlite3';
  } catch (first) {
    let sqlite: NodeSqlite;
    try {
      sqlite = require('node:sqlite') as NodeSqlite;
    } catch {
      throw new MiaError('E_IO', `cannot open the store: ${(first as Error).message.split('\n')[0]}`, {
        where: file,
      });
    }
    db = new sqlite.DatabaseSync(file, { timeout: 5000 });
    driver = 'node:sqlite';
  }
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  return Object.assign(db, { driver }) as SqlDatabase;
}

/** Runs `fn` inside one IMMEDIATE transaction (the write lock is taken at BEGIN); rolls back on a throw. */
export function transaction<T>(db: SqlDatabase, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}
