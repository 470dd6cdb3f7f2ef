/** Small pieces over node-postgres shared by the Postgres store and queue: transactions, a safe URL. */
import type pg from 'pg';

/** A client of the pool, or the pool itself: what a query runs on. */
export type PgQueryable = Pick<pg.PoolClient, 'query'>;

/** `url` without its password, for error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'the --database URL';
  }
}

/** Runs `fn` in one transaction on a client of `pool`; rolls back on a throw. */
export async function pgTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
