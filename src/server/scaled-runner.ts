/**
 * The server's side of the scaled mode (`mia serve --redis`): a BullMQ worker on the parent queue
 * (service/scaled-queue.ts) that runs, once an audit's model jobs have finished, the rest of the
 * pipeline in DIR/runs/<id>/ — dataset, signals, attacks, results, report. runAudit reuses every model
 * and signal file the workers uploaded (worker-routes.ts recorded them in the run's manifest), so it
 * trains nothing itself unless a file is missing or damaged. It also follows both queues' events: a
 * model job that failed for good (its error line, or its worker dying on every attempt) fails the audit
 * with that line, and a retried one is logged.
 */
import { Job, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import type { AuditProgress } from '../audit/audit-run.js';
import { runAudit } from '../audit/pipeline.js';
import { isMiaError } from '../errors.js';
import type { Engine } from '../models/engine.js';
import type { BackendPreference } from '../models/engines/names.js';
import {
  AUDITS_QUEUE,
  type AuditJobData,
  MODELS_QUEUE,
  type ModelJobData,
  type ScaledQueue,
} from '../service/scaled-queue.js';
import type { ServiceContext } from './service-context.js';
import { loadSubmittedConfig } from './submitted-config.js';

export interface ScaledRunnerOptions {
  /** Parent jobs run at the same time. */
  concurrency: number;
  /** BullMQ's lock of a job in progress, in ms (renewed at half of it; expired: the job is stalled). */
  lockMs: number;
  createEngine?: (backend: BackendPreference) => Promise<Engine>;
  log?: (line: string) => void;
}

class Cancelled extends Error {}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Runs parent jobs and follows the queues' events until close(). */
export class ScaledRunner {
  private readonly worker: Worker<AuditJobData>;
  private readonly events: QueueEvents[];
  /** Audits whose parent job runs here now: uploads for them are refused (one writer per run directory). */
  readonly busy = new Set<string>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly queue: ScaledQueue,
    private readonly o: ScaledRunnerOptions,
  ) {
    const connection = queue.connection;
    this.worker = new Worker<AuditJobData>(AUDITS_QUEUE, (job) => this.runParent(job), {
      connection,
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      maxStalledCount: queue.retry.attempts - 1,
    });
    this.worker.on('error', (e) => o.log?.(`scaled runner: ${e.message}`));
    const audits = new QueueEvents(AUDITS_QUEUE, { connection });
    const models = new QueueEvents(MODELS_QUEUE, { connection });
    this.events = [audits, models];
    audits.on('failed', ({ jobId, failedReason }) => {
      void this.parentFailed(jobId, failedReason);
    });
    models.on('failed', ({ jobId, failedReason }) => {
      void this.modelFailed(jobId, failedReason);
    });
  }

  /**
   * Stops taking parent jobs without waiting for the one in progress (as the embedded workers stop):
   * its lock is no longer renewed, so BullMQ gives it to the next server that runs, which resumes it.
   */
  async close(): Promise<void> {
    await Promise.all([this.worker.close(true), ...this.events.map((e) => e.close())]);
  }

  private async failAudit(id: string, line: string): Promise<void> {
    const a = await this.ctx.store.getAudit(id);
    if (a === undefined || FINAL.has(a.status)) return;
    await this.ctx.store.setStatus(id, 'failed', line);
  }

  /** A parent job failed: by its own error, or because a child failed for good (that child's line). */
  private async parentFailed(id: string, reason: string): Promise<void> {
    const job = await Job.fromId<AuditJobData>(this.queue.audits, id);
    const failed = job === undefined ? {} : await job.getFailedChildrenValues();
    const first = Object.entries(failed)[0];
    if (first === undefined) return this.failAudit(id, reason.split('\n')[0]!);
    const modelId = first[0].slice(first[0].lastIndexOf('.') + 1);
    return this.failAudit(id, `model ${modelId}: ${String(first[1]).split('\n')[0]}`);
  }

  /**
   * A model job failed for good (BullMQ's queue events report only the last failure; its worker logs
   * each retried one): the audit fails with its line.
   */
  private async modelFailed(jobId: string, reason: string): Promise<void> {
    const job = await Job.fromId<ModelJobData>(this.queue.models, jobId);
    if (job === undefined || (await job.getState()) !== 'failed') return;
    await this.failAudit(job.data.auditId, `model ${job.data.modelId}: ${reason.split('\n')[0]}`);
  }

  /** The parent job: the pipeline over the uploaded models, then the report. */
  private async runParent(job: Job<AuditJobData>): Promise<void> {
    const { store, dir } = this.ctx;
    const id = job.data.auditId;
    const audit = await store.getAudit(id);
    const source = await store.auditSource(id);
    if (audit === undefined || source === undefined || audit.status === 'cancelled') return;
    this.busy.add(id);
    let poll: NodeJS.Timeout | undefined;
    try {
      if (audit.status !== 'running') await store.setStatus(id, 'running');
      if (job.attemptsMade > 0) await store.addEvent(id, 'log', `attempt ${job.attemptsMade + 1}: resuming`);
      let stage: string | undefined;
      let shown = audit.progress.done;
      const runDir = dir.runDir(id);
      const loaded = loadSubmittedConfig(source.text, source.file, dir);
      const lines: Promise<void>[] = [];
      // a cancel is read from the store between steps (a throw from onProgress stops the pipeline there)
      let cancelled = false;
      poll = setInterval(() => {
        void Promise.resolve(store.getAudit(id)).then((a) => {
          cancelled = a?.status === 'cancelled';
        });
      }, 500);
      await runAudit(loaded, {
        logger: { info: (line) => void lines.push(Promise.resolve(store.addEvent(id, 'log', line))) },
        logDir: runDir,
        waitLock: true,
        ...(this.o.createEngine !== undefined ? { createEngine: this.o.createEngine } : {}),
        onProgress: (p: AuditProgress) => {
          if (p.stage !== stage) void store.addEvent(id, 'stage', p.stage);
          stage = p.stage;
          // (the models the workers uploaded were counted already: progress only moves on)
          if (p.total > 0 && p.done >= shown)
            void store.addEvent(id, 'progress', { done: p.done, total: p.total });
          shown = Math.max(shown, p.done);
          if (cancelled) throw new Cancelled();
        },
      });
      if ((await store.getAudit(id))?.status === 'cancelled') throw new Cancelled();
      if (loaded.config.report.enabled) {
        await store.addEvent(id, 'stage', 'report');
        const { writeReport } = await import('../report/write-report.js');
        const r = await writeReport(runDir);
        for (const w of r.warnings) await store.addEvent(id, 'log', `report: ${w}`);
      }
      await Promise.all(lines);
      const p = (await store.getAudit(id))?.progress;
      if (p !== undefined && p.total > 0)
        await store.addEvent(id, 'progress', { done: p.total, total: p.total });
      await store.setStatus(id, 'succeeded');
    } catch (e) {
      if (e instanceof Cancelled) return;
      if (isMiaError(e)) {
        const line = `error ${e.oneLine()}`;
        await store.setStatus(id, 'failed', line);
        throw new UnrecoverableError(line);
      }
      await store.addEvent(id, 'log', `crash: ${(e as Error).message ?? String(e)}`.split('\n')[0]!);
      throw e;
    } finally {
      clearInterval(poll);
      this.busy.delete(id);
    }
  }
}
