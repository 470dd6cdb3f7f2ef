/** Shared pieces of the service tests: a small audit config, a started service, requests with a token. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningService, type ServeOptions, startService } from '../../src/server/service.js';

/** A small reference-mode audit on synthetic data (a few seconds); `epochs` sets how long each model trains. */
export function tinyConfig(epochs = 2, report = true): string {
  return `run:
  seed: 5
data:
  dataset: synthetic
  audit_size: 300
  population_size: 100
  validation_size: 50
  synthetic: {shape: [16], classes: 4, noise: 2}
target:
  architecture: {name: mlp, params: {hidden: "32"}}
  epochs: ${epochs}
  batch_size: 20
audit:
  reference_models: 3
  attacks: [rmia, loss]
  slices: [entire]
report:
  enabled: ${report}
`;
}

export interface TestService extends RunningService {
  admin: string;
  /** fetch on the service with the admin token (or `token`, or none with token: null). */
  call(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
}

/** Starts a service on a free port of 127.0.0.1 in a new temp data directory. */
export async function startTestService(o: Partial<ServeOptions> = {}): Promise<TestService> {
  const data = o.data ?? mkdtempSync(join(tmpdir(), 'mia-serve-'));
  const s = await startService({ data, port: 0, workers: 1, leaseMs: 5000, ...o });
  const admin = readFileSync(join(s.dataDir, 'admin-token'), 'utf8').trim();
  const call = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token, headers, ...rest } = init;
    const t = token === undefined ? admin : token;
    return fetch(`${s.url}${path}`, {
      ...rest,
      headers: { ...(t !== null ? { authorization: `Bearer ${t}` } : {}), ...(headers as object) },
      signal: AbortSignal.timeout(30_000),
    });
  };
  return Object.assign(s, { admin, call });
}

/** Polls the audit until it has finished (or `ms` passed); returns it. */
export async function waitFinished(
  s: TestService,
  id: string,
  ms = 90_000,
): Promise<{ status: string; error: string | null }> {
  const t0 = Date.now();
  for (;;) {
    const a = (await (await s.call(`/api/v1/audits/${id}`)).json()) as {
      status: string;
      error: string | null;
    };
    if (['succeeded', 'failed', 'cancelled'].includes(a.status)) return a;
    if (Date.now() - t0 > ms) throw new Error(`audit ${id} still ${a.status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A port of 127.0.0.1 that is free now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
