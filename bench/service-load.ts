// Benchmark: the service under load (issue 12: "100 small audits submitted concurrently: all finish, 0
// lost or duplicated, p50/p99 API latency while loaded printed"; "API overhead per audit submission and
// status poll: a few milliseconds"). Starts an embedded `mia serve` (startService: SQLite store, the
// embedded queue, --workers in-process workers) on 127.0.0.1 in a temp data directory; first the
// baseline on the idle server, side by side in the same run: one audit run alone, then its status polled
// and a submission timed with no job running. Then --audits small audits (a 400-sample synthetic config:
// 300 audit + 100 population samples, three reference models, --epochs) are submitted at once, and every
// audit's status is polled until it has finished. Prints the submission and poll latencies (p50 / p99 /
// max) idle and loaded with their ratio, the wall time and audits per minute, and the counts: finished,
// failed, lost (submitted but not listed or not finished) and duplicated (listed twice, or run more
// than once: more than one `running` status event, or a second attempt).
//
// Run: node --import tsx bench/service-load.ts [--audits 100] [--workers 2] [--epochs 2]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MiaClient } from '../src/client/mia-client.js';
import { startService } from '../src/server/service.js';

/** The small audit every submission runs: 400 synthetic samples, three reference models. */
export function smallAuditConfig(seed: number, epochs: number): string {
  return `run:
  seed: ${seed}
data:
  dataset: synthetic
  audit_size: 300
  population_size: 100
  validation_size: 50
  synthetic: {shape: [16], classes: 4, noise: 2}
target:
  architecture: {name: mlp, params: {hidden: "16"}}
  epochs: ${epochs}
  batch_size: 50
audit:
  reference_models: 3
  attacks: [rmia, loss]
  slices: [entire]
report:
  enabled: false
`;
}

export interface LoadOptions {
  audits: number;
  workers: number;
  epochs: number;
  /** Status polls of the idle baseline. */
  idlePolls?: number;
  log?: (line: string) => void;
}

/** Latencies in ms: p50, p99, max and how many. */
export interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  submitted: number;
  succeeded: number;
  failed: number;
  /** Submitted but missing from the list, or not finished. */
  lost: number;
  /** Listed more than once, or run more than once (a second `running` event or attempt). */
  duplicated: number;
  wallSeconds: number;
  idle: { submit: Latency; poll: Latency };
  loaded: { submit: Latency; poll: Latency };
}

/** The nearest-rank percentile `p` (0..100) of `xs`. */
function latency(xs: number[]): Latency {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
  return { n: s.length, p50: at(50), p99: at(99), max: s.at(-1) ?? 0 };
}

async function timed<T>(into: number[], f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  into.push(performance.now() - t0);
  return out;
}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Runs the load (see the file header) on a fresh service and returns the counts and latencies. */
export async function runServiceLoad(o: LoadOptions): Promise<LoadResult> {
  const data = mkdtempSync(join(tmpdir(), 'mia-load-'));
  const s = await startService({ data, port: 0, workers: o.workers, leaseMs: 30_000 });
  try {
    const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
    const client = new MiaClient(s.url, token);
    const log = o.log ?? (() => undefined);

    // the baseline: one audit alone, then the idle server
    const first = await client.submit(smallAuditConfig(1, o.epochs), { file: 'idle.yaml' });
    const t1 = performance.now();
    while (!FINAL.has((await client.get(first)).status)) await new Promise((r) => setTimeout(r, 50));
    log(`one audit alone: ${((performance.now() - t1) / 1000).toFixed(2)} s`);
    const idlePoll: number[] = [];
    for (let i = 0; i < (o.idlePolls ?? 200); i++) await timed(idlePoll, () => client.get(first));
    const idleSubmit: number[] = [];
    // (each cancelled at once, and its job let go, before the next: nothing runs while one is timed)
    for (let i = 0; i < 20; i++) {
      const id = await timed(idleSubmit, () =>
        client.submit(smallAuditConfig(1, o.epochs), { file: 'idle.yaml' }),
      );
      await client.cancel(id);
      while ((await client.health()).queue.leased > 0) await new Promise((r) => setTimeout(r, 20));
    }

    // the load: every audit submitted at once, every one polled until it has finished
    const submitMs: number[] = [];
    const pollMs: number[] = [];
    const t0 = performance.now();
    const ids = await Promise.all(
      Array.from({ length: o.audits }, (_, i) =>
        timed(submitMs, () =>
          client.submit(smallAuditConfig(100 + i, o.epochs), { file: `load-${i}.yaml`, experiment: 'load' }),
        ),
      ),
    );
    log(`${o.audits} audits submitted in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    const finals = await Promise.all(
      ids.map(async (id) => {
        for (;;) {
          const a = await timed(pollMs, () => client.get(id));
          if (FINAL.has(a.status)) return a;
          await new Promise((r) => setTimeout(r, 250));
        }
      }),
    );
    const wallSeconds = (performance.now() - t0) / 1000;

    // the counts, from the server's own list and each audit's events
    const listed: string[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await client.list({ experiment: 'load', limit: 200, offset });
      listed.push(...page.audits.map((a) => a.id));
      if (page.audits.length < 200) break;
    }
    const listedSet = new Set(listed);
    let duplicated = listed.length - listedSet.size;
    for (const id of ids) {
      let running = 0;
      for await (const e of client.events(id, { follow: false })) {
        if (e.kind === 'status' && (e.data as { status: string }).status === 'running') running++;
        if (e.kind === 'log' && /^attempt \d+ of/.test(String(e.data))) running++;
      }
      if (running !== 1) duplicated++;
    }
    const succeeded = finals.filter((a) => a.status === 'succeeded').length;
    const failed = finals.filter((a) => a.status === 'failed').length;
    const lost =
      ids.filter((id) => !listedSet.has(id)).length + finals.filter((a) => !FINAL.has(a.status)).length;
    return {
      submitted: ids.length,
      succeeded,
      failed,
      lost,
      duplicated,
      wallSeconds,
      idle: { submit: latency(idleSubmit), poll: latency(idlePoll) },
      loaded: { submit: latency(submitMs), poll: latency(pollMs) },
    };
  } finally {
    await s.close();
    rmSync(data, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      audits: { type: 'string', default: '100' },
      workers: { type: 'string', default: '2' },
      epochs: { type: 'string', default: '2' },
    },
  });
  const o = { audits: Number(values.audits), workers: Number(values.workers), epochs: Number(values.epochs) };
  console.log(
    `service load: ${o.audits} audits (400 synthetic samples, 3 reference models, ${o.epochs} epochs) ` +
      `submitted at once to mia serve --workers ${o.workers} (SQLite, embedded queue), node ${process.version}`,
  );
  const r = await runServiceLoad({ ...o, log: (l) => console.log(`  ${l}`) });
  const f = (x: number) => x.toFixed(1).padStart(7);
  const row = (what: string, idle: Latency, loaded: Latency) =>
    console.log(
      `${what.padEnd(14)} idle p50 ${f(idle.p50)} p99 ${f(idle.p99)} ms (n ${idle.n})   ` +
        `loaded p50 ${f(loaded.p50)} p99 ${f(loaded.p99)} max ${f(loaded.max)} ms (n ${loaded.n})   ` +
        `p50 ratio ${(loaded.p50 / idle.p50).toFixed(1)}×`,
    );
  console.log('');
  row('submission', r.idle.submit, r.loaded.submit);
  row('status poll', r.idle.poll, r.loaded.poll);
  console.log('');
  console.log(
    `finished ${r.succeeded + r.failed}/${r.submitted} (succeeded ${r.succeeded}, failed ${r.failed}), ` +
      `lost ${r.lost}, duplicated ${r.duplicated}; wall ${r.wallSeconds.toFixed(1)} s, ` +
      `${((r.submitted / r.wallSeconds) * 60).toFixed(1)} audits/min`,
  );
  console.log(
    `overhead target "a few ms" per submission and status poll on the idle server: ` +
      `submission p50 ${r.idle.submit.p50.toFixed(1)} ms, poll p50 ${r.idle.poll.p50.toFixed(1)} ms`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
