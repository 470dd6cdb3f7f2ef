/**
 * The service's embedded store: one SQLite database (DIR/mia.db, WAL mode, versioned migrations in
 * migrations.ts) holding the audits, their events (stage, progress and log lines, numbered per audit),
 * the tokens (hashes only) and the embedded queue (embedded-queue.ts works on the same connection).
 * Times are ISO 8601 strings in UTC.
 */
import { randomUUID } from 'node:crypto';
import { migrate } from './migrations.js';
import { openSqlite, type SqlDatabase, transaction } from './sqlite-driver.js';
import { hashToken, newToken, type TokenScope } from './tokens.js';

export const AUDIT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/** An audit as the API shows it (GET /api/v1/audits/:id). */
export interface AuditRecord {
  id: string;
  name: string;
  experiment: string | null;
  status: AuditStatus;
  stage: string | null;
  progress: { done: number; total: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The error line of a failed audit. */
  error: string | null;
}

/** One event of an audit: `seq` counts from 1 per audit. */
export interface AuditEvent {
  seq: number;
  at: string;
  kind: 'stage' | 'progress' | 'log' | 'status';
  data: unknown;
}

interface AuditRow {
  id: string;
  name: string;
  experiment: string | null;
  status: AuditStatus;
  stage: string | null;
  done: number;
  total: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

const recordOf = (r: AuditRow): AuditRecord => ({
  id: r.id,
  name: r.name,
  experiment: r.experiment,
  status: r.status,
  stage: r.stage,
  progress: { done: r.done, total: r.total },
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error,
});

export class SqliteStore {
  readonly db: SqlDatabase;

  /** Opens (creating and migrating) the store at `file`. */
  constructor(file: string) {
    this.db = openSqlite(file);
    migrate(this.db, file);
  }

  close(): void {
    this.db.close();
  }

  /** Records a new audit (status queued) and returns it. */
  createAudit(input: { name: string; experiment?: string; config: string; file?: string }): AuditRecord {
    const id = randomUUID();
    this.db
      .prepare(
        'INSERT INTO audits (id, name, experiment, status, config, file, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        input.name,
        input.experiment ?? null,
        'queued',
        input.config,
        input.file ?? 'config.yaml',
        new Date().toISOString(),
      );
    return this.getAudit(id)!;
  }

  getAudit(id: string): AuditRecord | undefined {
    const row = this.db.prepare('SELECT * FROM audits WHERE id = ?').get(id) as AuditRow | undefined;
    return row === undefined ? undefined : recordOf(row);
  }

  /** The config text an audit was submitted with. */
  auditConfig(id: string): string | undefined {
    return this.auditSource(id)?.text;
  }

  /** The config text an audit was submitted with and the file name its errors give. */
  auditSource(id: string): { text: string; file: string } | undefined {
    const row = this.db.prepare('SELECT config, file FROM audits WHERE id = ?').get(id) as
      | { config: string; file: string }
      | undefined;
    return row === undefined ? undefined : { text: row.config, file: row.file };
  }

  /** Audits newest first, optionally of one status / experiment, `limit` from `offset`. */
  listAudits(
    filter: { status?: AuditStatus; experiment?: string; limit?: number; offset?: number } = {},
  ): AuditRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.experiment !== undefined) {
      where.push('experiment = ?');
      params.push(filter.experiment);
    }
    const sql =
      `SELECT * FROM audits ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY created_at DESC, id LIMIT ? OFFSET ?';
    const rows = this.db.prepare(sql).all(...params, filter.limit ?? 50, filter.offset ?? 0) as AuditRow[];
    return rows.map(recordOf);
  }

  /**
   * Changes an audit's status (and its stage, progress or error when given), stamping startedAt on
   * `running` and finishedAt on the final statuses, and records a `status` event.
   */
  setStatus(id: string, status: AuditStatus, error?: string): void {
    const now = new Date().toISOString();
    transaction(this.db, () => {
      const final = status === 'succeeded' || status === 'failed' || status === 'cancelled';
      this.db
        .prepare(
          `UPDATE audits SET status = ?, error = ?,
             started_at = CASE WHEN ? = 'running' THEN COALESCE(started_at, ?) ELSE started_at END,
             finished_at = CASE WHEN ? THEN ? ELSE NULL END
           WHERE id = ?`,
        )
        .run(status, error ?? null, status, now, final ? 1 : 0, now, id);
      this.insertEvent(id, 'status', { status, ...(error !== undefined ? { error } : {}) }, now);
    });
  }

  /** Records a stage or progress change (stored on the audit too) or a log line, as the next event. */
  addEvent(id: string, kind: 'stage' | 'progress' | 'log', data: unknown): void {
    const now = new Date().toISOString();
    transaction(this.db, () => {
      if (kind === 'stage') this.db.prepare('UPDATE audits SET stage = ? WHERE id = ?').run(String(data), id);
      if (kind === 'progress') {
        const p = data as { done: number; total: number };
        this.db.prepare('UPDATE audits SET done = ?, total = ? WHERE id = ?').run(p.done, p.total, id);
      }
      this.insertEvent(id, kind, data, now);
    });
  }

  private insertEvent(id: string, kind: AuditEvent['kind'], data: unknown, at: string): void {
    const row = this.db.prepare('SELECT MAX(seq) AS s FROM events WHERE audit_id = ?').get(id) as {
      s: number | null;
    };
    this.db
      .prepare('INSERT INTO events (audit_id, seq, at, kind, data) VALUES (?, ?, ?, ?, ?)')
      .run(id, (row.s ?? 0) + 1, at, kind, JSON.stringify(data));
  }

  /** The events of an audit after `afterSeq` (0: all), in order. */
  events(id: string, afterSeq = 0): AuditEvent[] {
    const rows = this.db
      .prepare('SELECT seq, at, kind, data FROM events WHERE audit_id = ? AND seq > ? ORDER BY seq')
      .all(id, afterSeq) as { seq: number; at: string; kind: AuditEvent['kind']; data: string }[];
    return rows.map((r) => ({ seq: r.seq, at: r.at, kind: r.kind, data: JSON.parse(r.data) as unknown }));
  }

  /** Deletes an audit with its events and job; false when there was none. */
  deleteAudit(id: string): boolean {
    return Number(this.db.prepare('DELETE FROM audits WHERE id = ?').run(id).changes) > 0;
  }

  /** Creates a token of `scope` and returns it; only its hash is stored. */
  createToken(scope: TokenScope, name: string): string {
    const token = newToken();
    this.db
      .prepare('INSERT INTO tokens (hash, name, scope, created_at) VALUES (?, ?, ?, ?)')
      .run(hashToken(token), name, scope, new Date().toISOString());
    return token;
  }

  /** The scope and name of `token`, or undefined when it is not one of the store's. */
  verifyToken(token: string): { scope: TokenScope; name: string } | undefined {
    const row = this.db.prepare('SELECT scope, name FROM tokens WHERE hash = ?').get(hashToken(token)) as
      | { scope: TokenScope; name: string }
      | undefined;
    // (node:sqlite rows have a null prototype; callers get a plain object)
    return row === undefined ? undefined : { scope: row.scope, name: row.name };
  }

  /** Whether any token exists (a fresh data directory has none). */
  hasTokens(): boolean {
    return this.db.prepare('SELECT 1 AS one FROM tokens LIMIT 1').get() !== undefined;
  }
}
