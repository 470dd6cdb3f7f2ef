/**
 * `mia worker` as a library call: a BullMQ worker on the scaled mode's model queue
 * (service/scaled-queue.ts) that needs only the server's URL, a worker token and the Redis. For each
 * model job it fetches the audit's config from the server (and the dataset file when the config names
 * one by data.path; a registered dataset it loads itself, as `mia audit` would), trains the model and
 * computes its signals in a local run directory WORK/<audit>/<model>/ (audit/model-job.ts: the files the
 * single-process pipeline writes for that model), then uploads them to the server (worker-client.ts).
 *
 * Outcomes: the job completes once every file is uploaded; a MiaError (bad data, a config error only the
 * data reveals) fails it at once with its one line (BullMQ's UnrecoverableError: no retry), any other
 * error is retried up to the job's attempts. A worker killed mid-job (kill -9) stops renewing the job's
 * lock: BullMQ's stalled-job check gives the job to another worker (or this one restarted), which trains
 * it again — or, in the same WORK folder, reuses the files the killed attempt finished.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { type LoadedConfig, parseAuditConfig, type ReferenceAudit } from '../audit/config.js';
import { runAuditModel } from '../audit/model-job.js';
import { isMiaError, MiaError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Engine } from '../models/engine.js';
import { createEngine } from '../models/engines/create-engine.js';
import type { BackendPreference } from '../models/engines/names.js';
import { checkRedis, MODELS_QUEUE, type ModelJobData, redisConnection } from '../service/scaled-queue.js';
import { WorkerClient } from './worker-client.js';

export interface ModelWorkerOptions {
  /** The server's URL (http://host:8470). */
  server: string;
  /** A worker token. */
  token: string | undefined;
  /** The Redis of the server's BullMQ (redis://host:6379). */
  redis: string;
  /** Model jobs at the same time (default 1). */
  concurrency?: number;
  /** Where the local run directories are kept (WORK/<audit>/<model>/). */
  work: string;
  /** onnxruntime intra-op threads per model (default: all cores). */
  threads?: number;
  /** BullMQ's lock of a job in progress, in ms: how soon a killed worker's job is taken again. */
  lockMs?: number;
  /** How many times a job whose worker died is taken again before it fails (default 2). */
  maxStalledCount?: number;
  /** Creates the training engine (default: createEngine('auto') with `threads`). */
  createEngine?: (backend: BackendPreference) => Promise<Engine>;
  /** This worker's lines (jobs taken, finished, failed). */
  log?: (line: string) => void;
}

export interface RunningModelWorker {
  /** The worker's name as the server's health check lists it. */
  name: string;
  /** Stops taking jobs; waits for the jobs in progress to finish. */
  close(): Promise<void>;
}

/** Starts the worker (see the file header); resolves once it is connected to Redis. */
export async function startModelWorker(o: ModelWorkerOptions): Promise<RunningModelWorker> {
  const client = new WorkerClient(o.server, o.token);
  await checkRedis(o.redis);
  await client.health(); // E_SERVER now, not at the first job, when the server cannot be reached
  const connection = redisConnection(o.redis);
  const name = `${hostname()}:${process.pid}`;
  const log = o.log ?? (() => {});
  const lockMs = o.lockMs ?? 30_000;
  const worker = new Worker<ModelJobData>(
    MODELS_QUEUE,
    async (job) => {
      try {
        return await runModelJob(job, client, o, name);
      } catch (e) {
        if (isMiaError(e)) {
          const line = `error ${e.oneLine()}`;
          log(`${job.id}: ${line}`);
          throw new UnrecoverableError(line);
        }
        const attempts = job.opts.attempts ?? 1;
        const line = `model ${job.data.modelId}: ${(e as Error).message}`.split('\n')[0]!;
        const next = job.attemptsMade + 1 < attempts ? 'trying again' : 'no attempts left';
        log(`${job.id}: attempt ${job.attemptsMade + 1} of ${attempts} crashed: ${(e as Error).message}`);
        await client
          .log(job.data.auditId, [`${line} (attempt ${job.attemptsMade + 1} of ${attempts}; ${next})`])
          .catch(() => {});
        throw e;
      }
    },
    {
      connection,
      concurrency: o.concurrency ?? 1,
      name,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: o.maxStalledCount ?? 2,
    },
  );
  worker.on('error', (e) => log(`worker: ${e.message}`));
  worker.on('active', (job) => log(`${job.id}: started (attempt ${job.attemptsMade + 1})`));
  worker.on('completed', (job) => log(`${job.id}: done`));
  await worker.waitUntilReady();
  return {
    name,
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}

/** One model job: inputs from the server, the model trained locally, its files uploaded. */
async function runModelJob(
  job: Job<ModelJobData>,
  client: WorkerClient,
  o: ModelWorkerOptions,
  name: string,
): Promise<{ files: number; reused: boolean }> {
  const { auditId, modelId } = job.data;
  const inputs = await client.jobInputs(auditId);
  if (inputs.status !== 'queued' && inputs.status !== 'running') {
    // cancelled (or failed by another model): nothing to do
    return { files: 0, reused: false };
  }
  const loaded = await localConfig(auditId, inputs.config, inputs.file, client, o.work);
  if (loaded.config.mode !== 'reference') {
    throw new MiaError('E_USAGE', 'a model job belongs to a reference-mode audit', { where: inputs.file });
  }
  await client.log(auditId, [`worker ${name}: ${modelId} (attempt ${job.attemptsMade + 1})`]);
  const lines: string[] = [];
  const flush = () => client.log(auditId, lines.splice(0)).catch(() => {});
  const timer = setInterval(flush, 2000);
  let result: Awaited<ReturnType<typeof runAuditModel>>;
  try {
    result = await runAuditModel(loaded as LoadedConfig<ReferenceAudit>, modelId, {
      logDir: join(o.work, auditId, modelId),
      logger: {
        info: (line) => {
          // the model's own lines and the engine it trains on (dataset lines are the server's to say)
          if (/^(\[\d+\/\d+\] |engine: )/.test(line)) lines.push(`${modelId}: ${line}`);
        },
      },
      ...(o.createEngine !== undefined
        ? { createEngine: o.createEngine }
        : o.threads !== undefined
          ? { createEngine: (backend) => createEngine('auto', { backend, threads: o.threads! }) }
          : {}),
    });
  } finally {
    clearInterval(timer);
  }
  const root = join(o.work, auditId, modelId);
  for (const rel of result.files) {
    await client.upload(auditId, rel, new Uint8Array(readFileSync(join(root, rel))));
  }
  lines.push(
    `${modelId}: ${result.files.length} files uploaded${result.reused ? ' (finished earlier)' : ''}`,
  );
  await flush();
  return { files: result.files.length, reused: result.reused };
}

/** The config as the worker runs it: data.path replaced by the dataset file fetched from the server. */
async function localConfig(
  auditId: string,
  text: string,
  file: string,
  client: WorkerClient,
  work: string,
): Promise<LoadedConfig> {
  const first = parseAuditConfig(text, file);
  const path = first.config.data.path;
  if (path === undefined) return first;
  const local = join(work, auditId, 'dataset', basename(path));
  if (!existsSync(local)) writeFileAtomic(local, await client.dataset(auditId));
  return parseAuditConfig(text, file, [`data.path=${JSON.stringify(local)}`]);
}
