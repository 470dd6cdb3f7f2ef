/**
 * `mia serve --redis URL`: the scaled mode's pieces in the server process — the BullMQ queue the
 * routes add flows to (service/scaled-queue.ts), the runner of the parent jobs (scaled-runner.ts) and
 * the progress of an audit as its workers upload their models (worker-routes.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { plannedModelIds } from '../audit/model-job.js';
import { checkRedis, redisConnection, ScaledQueue } from '../service/scaled-queue.js';
import { ScaledRunner } from './scaled-runner.js';
import type { ScaledJobs, ServiceContext } from './service-context.js';
import { loadSubmittedConfig } from './submitted-config.js';

export interface ScaledMode {
  jobs: ScaledJobs;
  /** Starts running parent jobs on `ctx`. */
  start(ctx: ServiceContext): void;
  close(): Promise<void>;
}

/** Connects to the Redis of `url` (resolves once it answers; E_SERVER when it does not: checkRedis). */
export async function startScaled(
  url: string,
  o: { workers?: number; maxAttempts?: number; log?: (line: string) => void },
  lockMs: number,
): Promise<ScaledMode> {
  await checkRedis(url);
  const redis = redisConnection(url);
  const queue = new ScaledQueue(redis, { attempts: o.maxAttempts ?? 3, backoffMs: 1000 });
  let runner: ScaledRunner | undefined;
  let context: ServiceContext | undefined;
  const jobs: ScaledJobs = {
    submit: (id, models) => queue.submit(id, models),
    withdraw: (id) => queue.withdraw(id),
    stats: () => queue.stats(),
    busy: (id) => runner?.busy.has(id) ?? false,
    onModelUploaded: async (id) => {
      if (context === undefined) return;
      const source = await context.store.auditSource(id);
      if (source === undefined) return;
      const total =
        plannedModelIds(loadSubmittedConfig(source.text, source.file, context.dir).config).length + 1;
      let done = 0;
      try {
        done = readdirSync(join(context.dir.runDir(id), 'signals')).filter((f) => f.endsWith('.npz')).length;
      } catch {
        // no signals folder yet
      }
      if ((await context.store.getAudit(id))?.stage !== 'models') {
        await context.store.addEvent(id, 'stage', 'models');
      }
      await context.store.addEvent(id, 'progress', { done, total });
    },
  };
  return {
    jobs,
    start(ctx) {
      context = ctx;
      runner = new ScaledRunner(ctx, queue, {
        concurrency: Math.max(1, o.workers ?? 1),
        lockMs,
        ...(o.log !== undefined ? { log: o.log } : {}),
      });
    },
    async close() {
      await runner?.close();
      await queue.close();
      redis.disconnect();
    },
  };
}
