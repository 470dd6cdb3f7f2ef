/** What the routes of the API share: the store, the queue, the data directory and the settings. */
import type { JobQueue, Store } from '../service/store.js';
import type { DataDir } from './data-dir.js';

export interface ServiceContext {
  store: Store;
  queue: JobQueue;
  dir: DataDir;
  /** How many times a job is taken before it fails for good (crashes only; a MiaError fails at once). */
  maxAttempts: number;
  /** mia-audit's version, for the health check. */
  version: string;
  /** Called after an audit is queued (wakes idle workers). */
  onSubmit: () => void;
  /** How often an events stream looks for new events, in ms. */
  eventPollMs: number;
  /** The scaled mode (`mia serve --redis`): audits go to BullMQ as flows instead of the embedded queue. */
  scaled?: ScaledJobs;
}

/** The scaled mode's queue as the routes use it (server/service.ts makes it from service/scaled-queue.ts). */
export interface ScaledJobs {
  /** Whether the parent job of an audit runs now: uploads for it are refused (worker-routes.ts). */
  busy(auditId: string): boolean;
  /** Called after a model's signal file was uploaded (progress). */
  onModelUploaded?(auditId: string, modelId: string): void | Promise<void>;
  /** Adds the audit's flow: a child job per model of `modelIds` (may be empty) under its parent job. */
  submit(auditId: string, modelIds: string[]): Promise<void>;
  /** Removes the audit's jobs that no worker holds. */
  withdraw(auditId: string): Promise<void>;
  /** Jobs waiting and in progress, and the names of the workers connected. */
  stats(): Promise<{ queued: number; leased: number; workers: string[] }>;
}
