/**
 * An in-process worker of `mia serve`: takes audits from the embedded queue (service/embedded-queue.ts)
 * under a lease it renews with heartbeats, runs the audit pipeline (audit/pipeline.ts runAudit) into
 * DIR/runs/<id>/, then the report, and records stage, progress and log lines as the audit's events.
 *
 * Outcomes: the audit succeeds; a MiaError (a bad dataset, a config error found late) fails it at once
 * with its one line, since a rerun would fail the same way; any other error (a crash) puts it back in the
 * queue while it has attempts left. A job whose worker died (kill -9) is taken again once its lease has
 * run out, and the pipeline reuses every model and signal file the first attempt finished. A cancelled
 * running audit stops at its next progress step (between models), its files kept.
 */
import { hostname } from 'node:os';
import type { AuditProgress } from '../audit/audit-run.js';
import { runAudit } from '../audit/pipeline.js';
import { isMiaError } from '../errors.js';
import type { JobQueue, LeasedJob, Store } from '../service/store.js';
import type { DataDir } from './data-dir.js';
import { loadSubmittedConfig } from './submitted-config.js';

export interface WorkerOptions {
  store: Store;
  queue: JobQueue;
  dir: DataDir;
  /** How long a lease lasts without a heartbeat, in ms. */
  leaseMs: number;
  /** How often an idle worker looks for a job, in ms. */
  pollMs?: number;
  /** How often a running job reads its audit's status (a cancel), in ms (default 500). */
  cancelPollMs?: number;
  /** Lines for the server's own log (a job taken, a crash). */
  log?: (line: string) => void;
}

/** Why a running audit stopped early: cancelled by a user, or its lease lost to another worker. */
class Stopped extends Error {
  constructor(readonly why: 'cancelled' | 'lost') {
    super(why);
  }
}

let workerCount = 0;

export class AuditWorker {
  /** The worker's name in the queue: host, process and number. */
  readonly id = `${hostname()}:${process.pid}:${++workerCount}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private current: LeasedJob | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly o: WorkerOptions) {}

  /** Starts taking jobs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Lets the next idle poll happen now (a job was just submitted). */
  poke(): void {
    this.wake?.();
  }

  /**
   * Stops taking jobs. A job in progress is given back to the queue (not counted as an attempt) so the
   * next start takes it again at once; the pipeline itself stops with the process.
   */
  async stop(): Promise<void> {
    this.running = false;
    const held = this.current;
    this.current = undefined;
    this.wake?.();
    if (held !== undefined) await this.o.queue.release(held.auditId, this.id);
  }

  /** Resolves when the loop has ended after stop() (an audit in progress is not waited for). */
  async idle(): Promise<void> {
    if (this.current === undefined) await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed: Awaited<ReturnType<JobQueue['claim']>>;
      try {
        claimed = await this.o.queue.claim(this.id, this.o.leaseMs);
      } catch (e) {
        // (the store is closing, or its database is unreachable for a moment: try again later)
        if (!this.running) break;
        this.o.log?.(`worker ${this.id}: cannot take a job: ${(e as Error).message}`);
        claimed = { job: undefined, exhausted: [] };
      }
      const { job, exhausted } = claimed;
      for (const id of exhausted) {
        await this.o.store.setStatus(id, 'failed', 'the audit stopped with its worker on every attempt');
      }
      if (job === undefined) {
        await new Promise<void>((res) => {
          const t = setTimeout(res, this.o.pollMs ?? 500);
          this.wake = () => {
            clearTimeout(t);
            res();
          };
        });
        this.wake = undefined;
        continue;
      }
      this.current = job;
      try {
        await this.runJob(job);
      } catch (e) {
        this.o.log?.(`worker ${this.id}: ${job.auditId}: ${(e as Error).stack ?? String(e)}`);
      }
      this.current = undefined;
    }
  }

  private async runJob(job: LeasedJob): Promise<void> {
    const { store, queue, dir, leaseMs } = this.o;
    const id = job.auditId;
    const audit = await store.getAudit(id);
    const source = await store.auditSource(id);
    if (audit === undefined || source === undefined || audit.status === 'cancelled') {
      await queue.complete(id, this.id);
      return;
    }
    this.o.log?.(`worker ${this.id}: audit ${id} (attempt ${job.attempt} of ${job.maxAttempts})`);
    await store.setStatus(id, 'running');
    // events are written one after another in the order they happen; the pipeline's callbacks are
    // synchronous, so they queue a write and the job awaits the queue before its final status
    let written: Promise<void> = Promise.resolve();
    const record = (kind: 'stage' | 'progress' | 'log', data: unknown) => {
      written = written
        .then(() => store.addEvent(id, kind, data))
        .catch((e: unknown) => {
          // (after stop() the store may be closed while the pipeline finishes its step: lines are dropped)
          if (this.running) this.o.log?.(`worker ${this.id}: ${id}: event lost: ${(e as Error).message}`);
        });
    };
    if (job.attempt > 1) record('log', `attempt ${job.attempt} of ${job.maxAttempts}: resuming`);
    let lost = false;
    let cancelled = false;
    const beat = setInterval(
      () => {
        queue.heartbeat(id, this.id, leaseMs).then(
          (held) => {
            if (!held) lost = true;
          },
          () => undefined, // a missed heartbeat: the lease is long enough for the next one
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    const watch = setInterval(() => {
      store.getAudit(id).then(
        (a) => {
          if (a?.status === 'cancelled') cancelled = true;
        },
        () => undefined,
      );
    }, this.o.cancelPollMs ?? 500);
    let stage: string | undefined;
    const enter = (s: string) => {
      if (s !== stage) record('stage', s);
      stage = s;
    };
    const check = () => {
      if (lost || !this.running) throw new Stopped('lost');
      if (cancelled) throw new Stopped('cancelled');
    };
    try {
      const loaded = loadSubmittedConfig(source.text, source.file, dir);
      const runDir = dir.runDir(id);
      await runAudit(loaded, {
        logger: { info: (line) => this.running && record('log', line) },
        logDir: runDir,
        onProgress: (p: AuditProgress) => {
          check();
          enter(p.stage);
          if (p.total > 0) record('progress', { done: p.done, total: p.total });
        },
      });
      check();
      if (loaded.config.report.enabled) {
        enter('report');
        const { writeReport } = await import('../report/write-report.js');
        const r = await writeReport(runDir);
        for (const w of r.warnings) record('log', `report: ${w}`);
      }
      await written;
      if ((await store.getAudit(id))?.status === 'cancelled') throw new Stopped('cancelled');
      const p = (await store.getAudit(id))?.progress;
      if (p !== undefined && p.total > 0) record('progress', { done: p.total, total: p.total });
      await written;
      await store.setStatus(id, 'succeeded');
      await queue.complete(id, this.id);
    } catch (e) {
      await written;
      if (e instanceof Stopped) {
        // cancelled: the status says so already; lost: another worker has it, or the server stops
        if (e.why === 'cancelled') await queue.complete(id, this.id);
        return;
      }
      if (isMiaError(e)) {
        await store.setStatus(id, 'failed', `error ${e.oneLine()}`);
        await queue.complete(id, this.id);
        return;
      }
      const line = `crash: ${(e as Error).message ?? String(e)}`.split('\n')[0]!;
      await store.addEvent(id, 'log', line);
      const next = await queue.fail(id, this.id);
      if (next === 'retry') await store.setStatus(id, 'queued');
      else if (next === 'failed') await store.setStatus(id, 'failed', line);
      throw e;
    } finally {
      clearInterval(beat);
      clearInterval(watch);
    }
  }
}
