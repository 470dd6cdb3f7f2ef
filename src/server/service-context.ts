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
}
