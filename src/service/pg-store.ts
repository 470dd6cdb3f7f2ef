/**
 * The service's store on Postgres (node-postgres, `pg`), for several API processes sharing one database
 * (`mia serve --database postgres://…`). The same tables, migrations (migrations.ts, `pg` dialect) and
 * semantics as SqliteStore: an event's number is taken under a row lock of its audit, so writers in
 * different processes never give two events the same number; migrations run under an advisory lock, so
 * two servers starting on a fresh database apply each one once. The queue is pg-queue.ts.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { MiaError } from '../errors.js';
import { pendingMigrations } from './migrations.js';
import { type PgQueryable, pgTransaction, redactUrl } from './pg-connection.js';
import { PgQueue } from './pg-queue.js';
import {
  type AuditEvent,
  type AuditFilter,
  type AuditRecord,
  type AuditRow,
  type AuditStatus,
  auditRecordOf,
  type JobQueue,
  type NewAudit,
  type Store,
} from './store.js';
import { hashToken, newToken, type TokenScope } from './tokens.js';

/** Any key: the advisory lock migrations run under ("mia-audit" in ASCII, folded to 31 bits). */
const MIGRATION_LOCK = 0x6d696161;

/** Brings the database of `pool` to the last migration; returns the versions applied now. */
async function migratePg(pool: pg.Pool, where: string): Promise<number[]> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await c.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const row = await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const applied: number[] = [];
    for (const m of pendingMigrations(row.rows[0]?.v ?? 0, where)) {
      await c.query('BEGIN');
      try {
        await c.query(m.pg);
        await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          m.version,
          new Date().toISOString(),
        ]);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    c.release();
  }
}

export class PgStore implements Store {
  readonly kind = 'postgres';

  private constructor(readonly pool: pg.Pool) {}

  /**
   * Connects to `url` (postgres://user:password@host:port/db), creating and migrating the tables.
   * Throws E_IO naming the URL (without its password) when the database cannot be reached.
   */
  static async open(url: string, options: { maxConnections?: number } = {}): Promise<PgStore> {
    const where = redactUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
    // an idle client that loses its connection (the server restarts) is dropped, not thrown
    pool.on('error', () => undefined);
    try {
      await migratePg(pool, where);
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof MiaError) throw e;
      throw new MiaError('E_IO', `cannot open the store: ${(e as Error).message.split('\n')[0]}`, {
        where,
        expected: 'a Postgres database that this user may create tables in',
      });
    }
    return new PgStore(pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  openQueue(now: () => number = Date.now): JobQueue {
    return new PgQueue(this.pool, now);
  }

  async createAudit(input: NewAudit): Promise<AuditRecord> {
    const id = randomUUID();
    const r = await this.pool.query<AuditRow>(
      `INSERT INTO audits (id, name, experiment, status, config, file, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        id,
        input.name,
        input.experiment ?? null,
        'queued',
        input.config,
        input.file ?? 'config.yaml',
        new Date().toISOString(),
      ],
    );
    return auditRecordOf(r.rows[0]!);
  }

  async getAudit(id: string): Promise<AuditRecord | undefined> {
    const r = await this.pool.query<AuditRow>('SELECT * FROM audits WHERE id = $1', [id]);
    return r.rows[0] === undefined ? undefined : auditRecordOf(r.rows[0]);
  }

  async auditConfig(id: string): Promise<string | undefined> {
    return (await this.auditSource(id))?.text;
  }

  async auditSource(id: string): Promise<{ text: string; file: string } | undefined> {
    const r = await this.pool.query<{ config: string; file: string }>(
      'SELECT config, file FROM audits WHERE id = $1',
      [id],
    );
    const row = r.rows[0];
    return row === undefined ? undefined : { text: row.config, file: row.file };
  }

  async listAudits(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.experiment !== undefined) {
      params.push(filter.experiment);
      where.push(`experiment = $${params.length}`);
    }
    params.push(filter.limit ?? 50, filter.offset ?? 0);
    const sql =
      `SELECT * FROM audits ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY created_at COLLATE "C" DESC, id COLLATE "C" LIMIT $${params.length - 1} OFFSET $${params.length}`;
    return (await this.pool.query<AuditRow>(sql, params)).rows.map(auditRecordOf);
  }

  async setStatus(id: string, status: AuditStatus, error?: string): Promise<void> {
    const now = new Date().toISOString();
    const final = status === 'succeeded' || status === 'failed' || status === 'cancelled';
    await pgTransaction(this.pool, async (c) => {
      await c.query(
        `UPDATE audits SET status = $1, error = $2,
           started_at = CASE WHEN $1 = 'running' THEN COALESCE(started_at, $3) ELSE started_at END,
           finished_at = CASE WHEN $4 THEN $3 ELSE NULL END
         WHERE id = $5`,
        [status, error ?? null, now, final, id],
      );
      await insertEvent(c, id, 'status', { status, ...(error !== undefined ? { error } : {}) }, now);
    });
  }

  async addEvent(id: string, kind: 'stage' | 'progress' | 'log', data: unknown): Promise<void> {
    const now = new Date().toISOString();
    await pgTransaction(this.pool, async (c) => {
      if (kind === 'stage') await c.query('UPDATE audits SET stage = $1 WHERE id = $2', [String(data), id]);
      if (kind === 'progress') {
        const p = data as { done: number; total: number };
        await c.query('UPDATE audits SET done = $1, total = $2 WHERE id = $3', [p.done, p.total, id]);
      }
      await insertEvent(c, id, kind, data, now);
    });
  }

  async events(id: string, afterSeq = 0): Promise<AuditEvent[]> {
    const r = await this.pool.query<{ seq: number; at: string; kind: AuditEvent['kind']; data: string }>(
      'SELECT seq, at, kind, data FROM events WHERE audit_id = $1 AND seq > $2 ORDER BY seq',
      [id, afterSeq],
    );
    return r.rows.map((e) => ({ seq: e.seq, at: e.at, kind: e.kind, data: JSON.parse(e.data) as unknown }));
  }

  async deleteAudit(id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM audits WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async createToken(scope: TokenScope, name: string): Promise<string> {
    const token = newToken();
    await this.pool.query('INSERT INTO tokens (hash, name, scope, created_at) VALUES ($1, $2, $3, $4)', [
      hashToken(token),
      name,
      scope,
      new Date().toISOString(),
    ]);
    return token;
  }

  async verifyToken(token: string): Promise<{ scope: TokenScope; name: string } | undefined> {
    const r = await this.pool.query<{ scope: TokenScope; name: string }>(
      'SELECT scope, name FROM tokens WHERE hash = $1',
      [hashToken(token)],
    );
    const row = r.rows[0];
    return row === undefined ? undefined : { scope: row.scope, name: row.name };
  }

  async hasTokens(): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM tokens LIMIT 1')).rows.length > 0;
  }
}

/**
 * Records the next event of audit `id` on `c` (inside a transaction): the audit's row is locked first
 * (FOR NO KEY UPDATE, which waits for another writer of the same audit and lets foreign keys through),
 * so MAX(seq) + 1 is never taken twice.
 */
async function insertEvent(
  c: PgQueryable,
  id: string,
  kind: AuditEvent['kind'],
  data: unknown,
  at: string,
): Promise<void> {
  await c.query('SELECT 1 FROM audits WHERE id = $1 FOR NO KEY UPDATE', [id]);
  await c.query(
    `INSERT INTO events (audit_id, seq, at, kind, data)
     VALUES ($1, COALESCE((SELECT MAX(seq) FROM events WHERE audit_id = $1), 0) + 1, $2, $3, $4)`,
    [id, at, kind, JSON.stringify(data)],
  );
}
