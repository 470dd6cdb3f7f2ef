/**
 * The embedded queue: one row per audit in the store's `jobs` table, taken by workers under a lease.
 * A worker that takes a job holds it until `lease_until` (milliseconds since the epoch) and extends it
 * with heartbeats; a job whose lease ran out (its worker crashed or hung) is ready again and the next
 * `claim` takes it, counting another attempt. A job is taken at most `max_attempts` times: `fail` with
 * attempts left puts it back, and `claim` gives up on a job whose lease expired on its last attempt
 * (reported in `exhausted`). Every change is one IMMEDIATE transaction, so two workers never take the
 * same job.
 */
import type { SqlDatabase } from './sqlite-driver.js';
import { transaction } from './sqlite-driver.js';
import type { ClaimResult, JobQueue, JobState, QueueStats } from './store.js';

export type { ClaimResult, LeasedJob } from './store.js';

interface JobRow {
  audit_id: string;
  attempts: number;
  max_attempts: number;
}

export class EmbeddedQueue implements JobQueue {
  readonly kind = 'embedded';

  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds the job of `auditId`, to be taken at most `maxAttempts` times. */
  async enqueue(auditId: string, maxAttempts: number): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO jobs (audit_id, state, attempts, max_attempts, enqueued_at) VALUES (?, ?, 0, ?, ?)',
      )
      .run(auditId, 'queued', maxAttempts, this.now());
  }

  /**
   * Leases the oldest ready job (queued, or leased with an expired lease and attempts left) to
   * `worker` for `leaseMs`, and records the worker as seen.
   */
  async claim(worker: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.now();
    return transaction(this.db, () => {
      this.db
        .prepare('INSERT INTO workers (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = ?')
        .run(worker, now, now);
      const dead = this.db
        .prepare(
          "SELECT audit_id FROM jobs WHERE state = 'leased' AND lease_until < ? AND attempts >= max_attempts",
        )
        .all(now) as { audit_id: string }[];
      for (const d of dead) {
        this.db
          .prepare("UPDATE jobs SET state = 'done', lease_owner = NULL WHERE audit_id = ?")
          .run(d.audit_id);
      }
      const row = this.db
        .prepare(
          `SELECT audit_id, attempts, max_attempts FROM jobs
           WHERE state = 'queued' OR (state = 'leased' AND lease_until < ? AND attempts < max_attempts)
           ORDER BY enqueued_at, audit_id LIMIT 1`,
        )
        .get(now) as JobRow | undefined;
      const exhausted = dead.map((d) => d.audit_id);
      if (row === undefined) return { job: undefined, exhausted };
      this.db
        .prepare(
          "UPDATE jobs SET state = 'leased', attempts = attempts + 1, lease_owner = ?, lease_until = ? WHERE audit_id = ?",
        )
        .run(worker, now + leaseMs, row.audit_id);
      return {
        job: { auditId: row.audit_id, attempt: row.attempts + 1, maxAttempts: row.max_attempts },
        exhausted,
      };
    });
  }

  /** Extends `worker`'s lease of `auditId` by `leaseMs`; false when the worker no longer holds it. */
  async heartbeat(auditId: string, worker: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const r = this.db
      .prepare("UPDATE jobs SET lease_until = ? WHERE audit_id = ? AND state = 'leased' AND lease_owner = ?")
      .run(now + leaseMs, auditId, worker);
    this.db.prepare('UPDATE workers SET seen_at = ? WHERE id = ?').run(now, worker);
    return Number(r.changes) > 0;
  }

  /** Marks the job finished (succeeded, failed for good, or cancelled); false when `worker` lost it. */
  async complete(auditId: string, worker: string): Promise<boolean> {
    const r = this.db
      .prepare(
        "UPDATE jobs SET state = 'done', lease_owner = NULL WHERE audit_id = ? AND state = 'leased' AND lease_owner = ?",
      )
      .run(auditId, worker);
    return Number(r.changes) > 0;
  }

  /**
   * A failed attempt: the job goes back to the queue when it has attempts left (returns 'retry'),
   * else it is finished (returns 'failed'). Returns 'lost' when `worker` no longer held it.
   */
  async fail(auditId: string, worker: string): Promise<'retry' | 'failed' | 'lost'> {
    return transaction(this.db, () => {
      const row = this.db
        .prepare(
          "SELECT attempts, max_attempts FROM jobs WHERE audit_id = ? AND state = 'leased' AND lease_owner = ?",
        )
        .get(auditId, worker) as { attempts: number; max_attempts: number } | undefined;
      if (row === undefined) return 'lost';
      const retry = row.attempts < row.max_attempts;
      this.db
        .prepare('UPDATE jobs SET state = ?, lease_owner = NULL, lease_until = NULL WHERE audit_id = ?')
        .run(retry ? 'queued' : 'done', auditId);
      return retry ? 'retry' : 'failed';
    });
  }

  /**
   * Gives a held job back without counting the attempt (a server stopping cleanly): it is queued again
   * for the next worker. False when `worker` no longer held it.
   */
  async release(auditId: string, worker: string): Promise<boolean> {
    const r = this.db
      .prepare(
        "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), lease_owner = NULL, lease_until = NULL WHERE audit_id = ? AND state = 'leased' AND lease_owner = ?",
      )
      .run(auditId, worker);
    return Number(r.changes) > 0;
  }

  /** Removes a job that no worker holds yet (a cancelled queued audit); false when it was leased or gone. */
  async withdraw(auditId: string): Promise<boolean> {
    const r = this.db
      .prepare("UPDATE jobs SET state = 'done' WHERE audit_id = ? AND state = 'queued'")
      .run(auditId);
    return Number(r.changes) > 0;
  }

  /** The state of `auditId`'s job: queued, leased (a worker holds it), done, or undefined when it has none. */
  async state(auditId: string): Promise<JobState | undefined> {
    const row = this.db.prepare('SELECT state FROM jobs WHERE audit_id = ?').get(auditId) as
      | { state: JobState }
      | undefined;
    return row?.state;
  }

  /** Counts of jobs by state, and the workers seen in the last `withinMs`. */
  async stats(withinMs = 60_000): Promise<QueueStats> {
    const counts = this.db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as {
      state: string;
      n: number;
    }[];
    const n = (s: string) => Number(counts.find((c) => c.state === s)?.n ?? 0);
    const workers = this.db
      .prepare('SELECT id FROM workers WHERE seen_at >= ? ORDER BY id')
      .all(this.now() - withinMs) as { id: string }[];
    return { queued: n('queued'), leased: n('leased'), workers: workers.map((w) => w.id) };
  }
}
