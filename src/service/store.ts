/**
 * The service's store as an interface: the audits, their events (stage, progress and log lines,
 * numbered per audit), the tokens (hashes only) and the embedded queue's jobs (leases with heartbeats).
 * Every method returns a Promise, so a store may live in-process (SqliteStore, sqlite-store.ts: DIR/mia.db)
 * or on a database server shared by several API processes (PgStore, pg-store.ts). Both pass the same
 * tests (test/service/store.test.ts). Times are ISO 8601 strings in UTC; lease times are milliseconds
 * since the epoch.
 */
import type { TokenScope } from './tokens.js';

export const AUDIT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/** The statuses an audit does not leave. */
export const FINAL_STATUSES: ReadonlySet<AuditStatus> = new Set(['succeeded', 'failed', 'cancelled']);

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

/** A row of the `audits` table, as both stores read it. */
export interface AuditRow {
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

/** The API's view of an `audits` row. */
export const auditRecordOf = (r: AuditRow): AuditRecord => ({
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

/** What a new audit is recorded with. */
export interface NewAudit {
  name: string;
  experiment?: string;
  /** The config text as submitted. */
  config: string;
  /** The file name its errors give (default config.yaml). */
  file?: string;
}

/** A filter of listAudits: one status / experiment, `limit` (default 50) from `offset` (default 0). */
export interface AuditFilter {
  status?: AuditStatus;
  experiment?: string;
  limit?: number;
  offset?: number;
}

export interface Store {
  /** What the health check names: `sqlite (better-sqlite3)`, `postgres`, … */
  readonly kind: string;
  close(): Promise<void>;

  /** Records a new audit (status queued) and returns it. */
  createAudit(input: NewAudit): Promise<AuditRecord>;
  getAudit(id: string): Promise<AuditRecord | undefined>;
  /** The config text an audit was submitted with. */
  auditConfig(id: string): Promise<string | undefined>;
  /** The config text an audit was submitted with and the file name its errors give. */
  auditSource(id: string): Promise<{ text: string; file: string } | undefined>;
  /** Audits newest first (created_at, then id), filtered and paged. */
  listAudits(filter?: AuditFilter): Promise<AuditRecord[]>;
  /**
   * Changes an audit's status (and its error when given), stamping startedAt on the first `running`
   * and finishedAt on the final statuses, and records a `status` event, in one transaction.
   */
  setStatus(id: string, status: AuditStatus, error?: string): Promise<void>;
  /** Records a stage or progress change (stored on the audit too) or a log line, as the next event. */
  addEvent(id: string, kind: 'stage' | 'progress' | 'log', data: unknown): Promise<void>;
  /** The events of an audit after `afterSeq` (0: all), in order. */
  events(id: string, afterSeq?: number): Promise<AuditEvent[]>;
  /** Deletes an audit with its events and job; false when there was none. */
  deleteAudit(id: string): Promise<boolean>;

  /** Creates a token of `scope` and returns it; only its hash is stored. */
  createToken(scope: TokenScope, name: string): Promise<string>;
  /** The scope and name of `token`, or undefined when it is not one of the store's. */
  verifyToken(token: string): Promise<{ scope: TokenScope; name: string } | undefined>;
  /** Whether any token exists (a fresh data directory has none). */
  hasTokens(): Promise<boolean>;

  /** The embedded queue on this store's database; `now` is its clock (ms since the epoch). */
  openQueue(now?: () => number): JobQueue;
}

/** A job as a worker holds it. */
export interface LeasedJob {
  auditId: string;
  /** 1 on the first take, 2 on the second, … */
  attempt: number;
  maxAttempts: number;
}

/** What claim found: the job it leased (if any) and the jobs that ran out of attempts. */
export interface ClaimResult {
  job: LeasedJob | undefined;
  /** Audits whose lease expired on their last attempt: no worker will take them again. */
  exhausted: string[];
}

export type JobState = 'queued' | 'leased' | 'done';

/** Counts of jobs by state, and the workers seen lately. */
export interface QueueStats {
  queued: number;
  leased: number;
  workers: string[];
}

/**
 * A queue of audits taken by workers under a lease (embedded-queue.ts has the rules): a worker holds a
 * job until its lease runs out and extends it with heartbeats; a job whose lease ran out is ready again
 * and counts another attempt; two workers never hold the same job.
 */
export interface JobQueue {
  /** What the health check names: `embedded`, … */
  readonly kind: string;
  /** Adds the job of `auditId`, to be taken at most `maxAttempts` times. */
  enqueue(auditId: string, maxAttempts: number): Promise<void>;
  /** Leases the oldest ready job to `worker` for `leaseMs`, and records the worker as seen. */
  claim(worker: string, leaseMs: number): Promise<ClaimResult>;
  /** Extends `worker`'s lease of `auditId` by `leaseMs`; false when the worker no longer holds it. */
  heartbeat(auditId: string, worker: string, leaseMs: number): Promise<boolean>;
  /** Marks the job finished (succeeded, failed for good, or cancelled); false when `worker` lost it. */
  complete(auditId: string, worker: string): Promise<boolean>;
  /** A failed attempt: 'retry' (queued again), 'failed' (no attempts left) or 'lost' (not held). */
  fail(auditId: string, worker: string): Promise<'retry' | 'failed' | 'lost'>;
  /** Gives a held job back without counting the attempt; false when `worker` no longer held it. */
  release(auditId: string, worker: string): Promise<boolean>;
  /** Removes a job that no worker holds yet; false when it was leased or gone. */
  withdraw(auditId: string): Promise<boolean>;
  /** The state of `auditId`'s job, or undefined when it has none. */
  state(auditId: string): Promise<JobState | undefined>;
  /** Counts of jobs by state, and the workers seen in the last `withinMs` (default 60 s). */
  stats(withinMs?: number): Promise<QueueStats>;
}
