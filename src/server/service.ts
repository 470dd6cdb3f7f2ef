/**
 * `mia serve` as a library call: opens the data directory (data-dir.ts) and its store, makes the admin
 * token on a fresh one (DIR/admin-token, mode 600), starts N in-process workers (audit-worker.ts) and the
 * HTTP API (app.ts) on host:port. `close()` stops the workers (a job in progress goes back to the queue
 * for the next start), the server and the store.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { openStore } from '../service/open-store.js';
import { createApp } from './app.js';
import { AuditWorker } from './audit-worker.js';
import { openDataDir } from './data-dir.js';
import { startScaled } from './scaled-mode.js';
import type { ServiceContext } from './service-context.js';

export interface ServeOptions {
  data: string;
  /** A Postgres URL (postgres://…) for a store shared by several servers; DIR/mia.db when absent. */
  database?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  workers?: number;
  /** Largest request body in bytes (default 512 MiB). */
  bodyLimit?: number;
  /** A worker's lease without a heartbeat, in ms (default 60 s): how soon a killed server's job is taken again. */
  leaseMs?: number;
  /** How many times a crashing job is taken (default 3). */
  maxAttempts?: number;
  /** Lines for the server's own log. */
  log?: (line: string) => void;
  /**
   * The scaled mode: the Redis of BullMQ (redis://host:6379). Audits become flows of model jobs for
   * `mia worker` processes; this process runs each audit's parent job (`workers` of them at a time).
   */
  redis?: string;
}

export interface RunningService {
  /** http://host:port */
  url: string;
  dataDir: string;
  /** The admin token's file, when this start made it. */
  adminTokenFile: string | undefined;
  workers: AuditWorker[];
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 512 * 1024 * 1024;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Starts the service (see the file header) and resolves once it listens. */
export async function startService(o: ServeOptions): Promise<RunningService> {
  const dir = openDataDir(o.data);
  const store = await openStore(o.database, dir.db);
  const queue = store.openQueue();
  let adminTokenFile: string | undefined;
  if (!(await store.hasTokens())) {
    const token = await store.createToken('admin', 'admin');
    writeFileSync(dir.adminToken, `${token}\n`, { mode: 0o600 });
    adminTokenFile = dir.adminToken;
  }
  const leaseMs = o.leaseMs ?? 60_000;
  const workers: AuditWorker[] = [];
  const scaled = o.redis !== undefined ? await startScaled(o.redis, o, leaseMs) : undefined;
  const ctx: ServiceContext = {
    store,
    queue,
    dir,
    maxAttempts: o.maxAttempts ?? 3,
    version: packageVersion(),
    onSubmit: () => {
      for (const w of workers) w.poke();
    },
    eventPollMs: 200,
    ...(scaled !== undefined ? { scaled: scaled.jobs } : {}),
  };
  scaled?.start(ctx);
  const app = createApp(ctx, {
    bodyLimit: o.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...(o.log ? { log: o.log } : {}),
  });
  for (let i = 0; scaled === undefined && i < (o.workers ?? 1); i++) {
    workers.push(new AuditWorker({ store, queue, dir, leaseMs, ...(o.log ? { log: o.log } : {}) }));
  }
  const host = o.host ?? '127.0.0.1';
  await app.listen({ host, port: o.port ?? 8470 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : (o.port ?? 8470);
  for (const w of workers) w.start();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    dataDir: dir.root,
    adminTokenFile,
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await app.close();
      await Promise.all(workers.map((w) => w.idle()));
      await scaled?.close();
      await store.close();
    },
  };
}
