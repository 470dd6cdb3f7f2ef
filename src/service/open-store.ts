/**
 * Opens the store a server or `mia token create` was pointed at: a postgres:// (or postgresql://) URL is
 * a PgStore on that database (several API processes may share it), anything else the SQLite file of
 * the data directory. `pg` is loaded only for a Postgres URL.
 */
import { MiaError } from '../errors.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * The store at `database` (a Postgres URL) when given, else SQLite at `sqliteFile`. Throws E_USAGE for
 * a URL of another database, E_IO when the database cannot be opened.
 */
export async function openStore(database: string | undefined, sqliteFile: string): Promise<Store> {
  if (database === undefined || database === '') return new SqliteStore(sqliteFile);
  if (!POSTGRES_URL.test(database)) {
    throw new MiaError('E_USAGE', 'the database must be a Postgres URL', {
      where: '--database',
      expected: 'postgres://user:password@host:5432/db (or leave it out for DIR/mia.db)',
      found: database.replace(/\/\/[^@/]*@/, '//***@'),
    });
  }
  const { PgStore } = await import('./pg-store.js');
  return PgStore.open(database);
}
