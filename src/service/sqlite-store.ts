/**
 * The service's embedded store: one SQLite database (DIR/mia.db, WAL mode, versioned migrations in
 * migrations.ts) holding the audits, their events (stage, progress and log lines, numbered per audit),
 * the tokens (hashes only) and the embedded queue (embedded-queue.ts works on the same connection).
 * Times are ISO 8601 strings in UTC.
 */
import { randomUUID } from 'node:crypto';
import { EmbeddedQueue } from './embedded-queue.js';
import { migrate } from './migrations.js';
import { openSqlite, type SqlDatabase, transaction } from './sqlite-driver.js';
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

export type { AuditEvent, AuditRecord, AuditStatus } from './store.js';
export { AUDIT_STATUSES } from './store.js';

export class SqliteStore implements Store {
  readonly db: SqlDatabase;
  readonly kind: string;

  /** Opens (creating and migrating) the store at `file`. */
  constructor(file: string) {
    this.db = openSqlite(file);
    migrate(this.db, file);
    this.kind = `sqlite (${this.db.driver})`;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  openQueue(now: () => number = Date.now): JobQueue {
    return new EmbeddedQueue(this.db, now);
  }

  /** Records a new audit (status queued) and returns it. */
  async createAudit(input: NewAudit): Promise<AuditRecord> {
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
    return this.auditRow(id)!;
  }

  async getAudit(id: string): Promise<AuditRecord | undefined> {
    return this.auditRow(id);
  }

  private auditRow(id: string): AuditRecord | undefined {
    const row = this.db.prepare('SELECT * FROM audits WHERE id = ?').get(id) as AuditRow | undefined;
    return row === undefined ? undefined : auditRecordOf(row);
  }

  /** The config text an audit was submitted with. */
  async auditConfig(id: string): Promise<string | undefined> {
    return (await this.auditSource(id))?.text;
  }

  /** The config text an audit was submitted with and the file name its errors give. */
  async auditSource(id: string): Promise<{ text: string; file: string } | undefined> {
    const row = this.db.prepare('SELECT config, file FROM audits WHERE id = ?').get(id) as
      | { config: string; file: string }
      | undefined;
    return row === undefined ? undefined : { text: row.config, file: row.file };
  }

  /** Audits newest first, optionally of one status / experiment, `limit` from `offset`. */
  async listAudits(filter: AuditFilter = {}): Promise<AuditRecord[]> {
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
    return rows.map(auditRecordOf);
  }

  /**
   * Changes an audit's status (and its stage, progress or error when given), stamping startedAt on
   * `running` and finishedAt on the final statuses, and records a `status` event.
   */
  async setStatus(id: string, status: AuditStatus, error?: string): Promise<void> {
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
  async addEvent(id: string, kind: 'stage' | 'progress' | 'log', data: unknown): Promise<void> {
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
  async events(id: string, afterSeq = 0): Promise<AuditEvent[]> {
    const rows = this.db
      .prepare('SELECT seq, at, kind, data FROM events WHERE audit_id = ? AND seq > ? ORDER BY seq')
      .all(id, afterSeq) as { seq: number; at: string; kind: AuditEvent['kind']; data: string }[];
    return rows.map((r) => ({ seq: r.seq, at: r.at, kind: r.kind, data: JSON.parse(r.data) as unknown }));
  }

  /** Deletes an audit with its events and job; false when there was none. */
  async deleteAudit(id: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM audits WHERE id = ?').run(id).changes) > 0;
  }

  /** Creates a token of `scope` and returns it; only its hash is stored. */
  async createToken(scope: TokenScope, name: string): Promise<string> {
    const token = newToken();
    this.db
      .prepare('INSERT INTO tokens (hash, name, scope, created_at) VALUES (?, ?, ?, ?)')
      .run(hashToken(token), name, scope, new Date().toISOString());
    return token;
  }

  /** The scope and name of `token`, or undefined when it is not one of the store's. */
  async verifyToken(token: string): Promise<{ scope: TokenScope; name: string } | undefined> {
    const row = this.db.prepare('SELECT scope, name FROM tokens WHERE hash = ?').get(hashToken(token)) as
      | { scope: TokenScope; name: string }
      | undefined;
    // (node:sqlite rows have a null prototype; callers get a plain object)
    return row === undefined ? undefined : { scope: row.scope, name: row.name };
  }

  /** Whether any token exists (a fresh data directory has none). */
  async hasTokens(): Promise<boolean> {
    return this.db.prepare('SELECT 1 AS one FROM tokens LIMIT 1').get() !== undefined;
  }
}
