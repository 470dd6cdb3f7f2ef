/**
 * The scaled mode's queue: BullMQ on Redis (docs/service.md "Scaled mode"). An audit is a BullMQ flow:
 *
 *   mia-audits   the parent job (id = the audit's id): dataset, signals, attacks, results and report,
 *                run by `mia serve --redis` once every child has finished; it reuses the children's files
 *   mia-models   one child job per planned model (id = `<audit>.<model>`): trains the model and computes
 *                its signals, run by any `mia worker`, which uploads the files to the server
 *
 * An audit whose models cannot be planned before training (the experiments mode, reference_models with
 * `until`) is a parent job without children: the server runs all of it. Retries are BullMQ's: `attempts`
 * per job with a fixed backoff, and a job whose worker died (its lock not renewed) is taken again by
 * BullMQ's stalled-job check, at most `maxStalledCount` times. A child that fails for good fails its
 * parent (failParentOnFailure).
 */
import { type ConnectionOptions, type FlowJob, FlowProducer, Queue, type QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { MiaError } from '../errors.js';

export const AUDITS_QUEUE = 'mia-audits';
export const MODELS_QUEUE = 'mia-models';

/** A parent job's data. */
export interface AuditJobData {
  auditId: string;
}

/** A child job's data: the model of the audit it trains. */
export interface ModelJobData {
  auditId: string;
  modelId: string;
}

/** The id of the child job of model `modelId` of audit `auditId` (BullMQ ids may not hold ':'). */
export const modelJobId = (auditId: string, modelId: string) => `${auditId}.${modelId}`;

/** How the jobs of the scaled mode are retried (shared by the server's and the workers' settings). */
export interface RetryPolicy {
  /** Times a job is tried when it throws (a MiaError fails it at once). */
  attempts: number;
  /** Wait between tries, in ms. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1000 };

/**
 * A connection to the Redis of `url` (redis://[user:password@]host[:port][/db], or rediss://) as BullMQ
 * wants it (no per-request retry limit: a blocking worker waits). E_USAGE for another kind of URL.
 */
export function redisConnection(url: string, where = '--redis'): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MiaError('E_USAGE', 'not a Redis URL', { where, expected: 'redis://host:6379', found: url });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new MiaError('E_USAGE', 'not a Redis URL', { where, expected: 'redis://host:6379', found: url });
  }
  // RESP2 replies, as BullMQ's scripts expect them; the error event keeps a lost Redis from crashing us
  const redis = new Redis(url, { maxRetriesPerRequest: null, protocol: 2, lazyConnect: false } as never);
  redis.on('error', () => {});
  return redis;
}

/**
 * Resolves once the Redis of `url` answers a PING; E_SERVER naming it when it cannot be reached (one
 * try of at most `timeoutMs`, where BullMQ's connections would wait for it for ever). E_USAGE for a URL
 * that is not a Redis one.
 */
export async function checkRedis(url: string, where = '--redis', timeoutMs = 10_000): Promise<void> {
  redisConnection(url, where).disconnect(); // (the URL check)
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    protocol: 2,
  } as never);
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new MiaError('E_SERVER', `cannot reach Redis: ${(e as Error).message}`, { where: url });
  } finally {
    probe.disconnect();
  }
}

/** The server's side of the queue: adds flows, withdraws them, counts jobs. */
export class ScaledQueue {
  readonly audits: Queue<AuditJobData>;
  readonly models: Queue<ModelJobData>;
  private readonly flows: FlowProducer;

  constructor(
    readonly connection: ConnectionOptions,
    readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.audits = new Queue<AuditJobData>(AUDITS_QUEUE, { connection });
    this.models = new Queue<ModelJobData>(MODELS_QUEUE, { connection });
    this.flows = new FlowProducer({ connection });
  }

  /** Adds the flow of audit `auditId`: one child per model of `modelIds` (may be empty) under its parent. */
  async submit(auditId: string, modelIds: readonly string[]): Promise<void> {
    const opts = {
      attempts: this.retry.attempts,
      backoff: { type: 'fixed' as const, delay: this.retry.backoffMs },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    };
    const flow: FlowJob = {
      name: 'audit',
      queueName: AUDITS_QUEUE,
      data: { auditId } satisfies AuditJobData,
      opts: { ...opts, jobId: auditId },
      children: modelIds.map((modelId) => ({
        name: 'model',
        queueName: MODELS_QUEUE,
        data: { auditId, modelId } satisfies ModelJobData,
        opts: { ...opts, jobId: modelJobId(auditId, modelId), failParentOnFailure: true },
      })),
    };
    await this.flows.add(flow);
  }

  /**
   * Removes the jobs of audit `auditId` that no worker holds (a cancelled audit); a job in progress is
   * left to finish its step (its worker and the server read the audit's status before each step).
   */
  async withdraw(auditId: string): Promise<void> {
    try {
      await this.audits.remove(auditId, { removeChildren: true });
    } catch {
      // a child is held by a worker: it stops at its next step, the parent then sees the status
    }
  }

  /** Jobs waiting and in progress over both queues, and the `mia worker` connections that take models. */
  async stats(): Promise<{ queued: number; leased: number; workers: string[] }> {
    const [a, m] = await Promise.all([
      this.audits.getJobCounts('waiting', 'waiting-children', 'delayed', 'active', 'prioritized'),
      this.models.getJobCounts('waiting', 'delayed', 'active', 'prioritized'),
    ]);
    const queued =
      (a.waiting ?? 0) +
      (a['waiting-children'] ?? 0) +
      (a.delayed ?? 0) +
      (a.prioritized ?? 0) +
      (m.waiting ?? 0) +
      (m.delayed ?? 0) +
      (m.prioritized ?? 0);
    // each `mia worker` names its connections (model-worker.ts): `bull:<queue>:w:<name>` in CLIENT LIST
    const names = (await this.models.getWorkers()).map((w) => {
      const raw = String(w.rawname ?? '');
      const at = raw.indexOf(':w:');
      return at >= 0 ? raw.slice(at + 3) : 'unnamed worker';
    });
    const workers = [...new Set(names)].sort();
    return { queued, leased: (a.active ?? 0) + (m.active ?? 0), workers };
  }

  async close(): Promise<void> {
    await Promise.all([this.flows.close(), this.audits.close(), this.models.close()]);
  }
}

export type { QueueEvents };
