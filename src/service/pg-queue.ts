/**
 * The embedded queue (embedded-queue.ts has its rules) on Postgres: the same `jobs` and `workers`
 * tables, leases in milliseconds since the epoch. A claim locks the job it takes with FOR UPDATE SKIP
 * LOCKED, so workers of several API processes claiming at the same moment each get a different job
 * (or none) without waiting on one another.
 */
import type pg from 'pg';
import { pgTransaction } from './pg-connection.js';
import type { ClaimResult, JobQueue, JobState, QueueStats } from './store.js';

export class PgQueue implements JobQueue {
  readonly kind = 'embedded';

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number = Date.now,
  ) {}

  async enqueue(auditId: string, maxAttempts: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO jobs (audit_id, state, attempts, max_attempts, enqueued_at) VALUES ($1, $2, 0, $3, $4)',
      [auditId, 'queued', maxAttempts, this.now()],
    );
  }

  async claim(worker: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.now();
    return pgTransaction(this.pool, async (c) => {
      await c.query(
        'INSERT INTO workers (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seen_at = EXCLUDED.seen_at',
        [worker, now],
      );
      const dead = await c.query<{ audit_id: string }>(
        `UPDATE jobs SET state = 'done', lease_owner = NULL
         WHERE audit_id IN (
           SELECT audit_id FROM jobs
           WHERE state = 'leased' AND lease_until < $1 AND attempts >= max_attempts
           FOR UPDATE SKIP LOCKED)
         RETURNING audit_id`,
        [now],
      );
      const row = await c.query<{ audit_id: string; attempts: number; max_attempts: number }>(
        `SELECT audit_id, attempts, max_attempts FROM jobs
         WHERE state = 'queued' OR (state = 'leased' AND lease_until < $1 AND attempts < max_attempts)
         ORDER BY enqueued_at, audit_id COLLATE "C" LIMIT 1
         FOR UPDATE SKIP LOCKED`,
        [now],
      );
      const exhausted = dead.rows.map((d) => d.audit_id).sort();
      const job = row.rows[0];
      if (job === undefined) return { job: undefined, exhausted };
      await c.query(
        `UPDATE jobs SET state = 'leased', attempts = attempts + 1, lease_owner = $1, lease_until = $2
         WHERE audit_id = $3`,
        [worker, now + leaseMs, job.audit_id],
      );
      return {
        job: { auditId: job.audit_id, attempt: job.attempts + 1, maxAttempts: job.max_attempts },
        exhausted,
      };
    });
  }

  async heartbeat(auditId: string, worker: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const r = await this.pool.query(
      "UPDATE jobs SET lease_until = $1 WHERE audit_id = $2 AND state = 'leased' AND lease_owner = $3",
      [now + leaseMs, auditId, worker],
    );
    await this.pool.query('UPDATE workers SET seen_at = $1 WHERE id = $2', [now, worker]);
    return (r.rowCount ?? 0) > 0;
  }

  async complete(auditId: string, worker: string): Promise<boolean> {
    const r = await this.pool.query(
      "UPDATE jobs SET state = 'done', lease_owner = NULL WHERE audit_id = $1 AND state = 'leased' AND lease_owner = $2",
      [auditId, worker],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async fail(auditId: string, worker: string): Promise<'retry' | 'failed' | 'lost'> {
    const r = await this.pool.query<{ state: JobState }>(
      `UPDATE jobs SET state = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'done' END,
         lease_owner = NULL, lease_until = NULL
       WHERE audit_id = $1 AND state = 'leased' AND lease_owner = $2
       RETURNING state`,
      [auditId, worker],
    );
    const row = r.rows[0];
    return row === undefined ? 'lost' : row.state === 'queued' ? 'retry' : 'failed';
  }

  async release(auditId: string, worker: string): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_until = NULL
       WHERE audit_id = $1 AND state = 'leased' AND lease_owner = $2`,
      [auditId, worker],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async withdraw(auditId: string): Promise<boolean> {
    const r = await this.pool.query(
      "UPDATE jobs SET state = 'done' WHERE audit_id = $1 AND state = 'queued'",
      [auditId],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async state(auditId: string): Promise<JobState | undefined> {
    const r = await this.pool.query<{ state: JobState }>('SELECT state FROM jobs WHERE audit_id = $1', [
      auditId,
    ]);
    return r.rows[0]?.state;
  }

  async stats(withinMs = 60_000): Promise<QueueStats> {
    const counts = await this.pool.query<{ state: string; n: string }>(
      'SELECT state, COUNT(*) AS n FROM jobs GROUP BY state',
    );
    const n = (s: string) => Number(counts.rows.find((c) => c.state === s)?.n ?? 0);
    const workers = await this.pool.query<{ id: string }>(
      'SELECT id FROM workers WHERE seen_at >= $1 ORDER BY id COLLATE "C"',
      [this.now() - withinMs],
    );
    return { queued: n('queued'), leased: n('leased'), workers: workers.rows.map((w) => w.id) };
  }
}
