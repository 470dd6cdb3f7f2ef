/**
 * The scaled mode's speed-up (issue 12: ≤ 0.6, close to 1/W): one audit of 8 models to train (the
 * target and 7 references: reference_models must be odd, so that the models pair up; the "8
 * reference models" is read as 8 models) run by `mia serve --redis` with 1 `mia worker` and then with 2,
 * each worker limited to 1 compute thread (`--threads 1`: onnxruntime's intra-op threads), so the 2
 * cores of this machine stand for 2 machines. Prints each wall time (submit to succeeded), the ratio
 * 2 workers / 1 worker, and whether both runs give the same scores (scores.npz byte for byte and
 * results.json's metrics).
 *
 *   node --import tsx bench/service-scale.ts [--config configs/quickstart.yaml] [--small]
 *
 * Default: the quickstart (Fashion-MNIST, a small CNN, 30 epochs, reference_models 7). --small: a
 * synthetic MLP audit of a few seconds, for trying the bench out. Needs Debian's redis-server; the bench
 * starts it on 127.0.0.1 (free port, no persistence) and stops it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startService } from '../src/server/service.js';
import { SqliteStore } from '../src/service/sqlite-store.js';
import { REDIS_MISSING, redisBinary, startRedis, stopRedis } from '../test/server/redis-helpers.js';

const { values } = parseArgs({
  options: {
    config: {
      type: 'string',
      default: fileURLToPath(new URL('../configs/quickstart.yaml', import.meta.url)),
    },
    small: { type: 'boolean', default: false },
  },
});

const SMALL = `run: {seed: 7}
data:
  dataset: synthetic
  audit_size: 600
  population_size: 200
  validation_size: 50
  synthetic: {shape: [32], classes: 4, noise: 2}
target: {architecture: {name: mlp, params: {hidden: "64"}}, epochs: 20, batch_size: 20}
audit: {reference_models: 7, attacks: [rmia, loss], slices: [entire]}
report: {enabled: false}
`;

const BIN = fileURLToPath(new URL('../bin/mia.js', import.meta.url));

/** The config with reference_models 7 (and no report: the bench times the models). */
function benchConfig(): string {
  if (values.small) return SMALL;
  const text = readFileSync(values.config, 'utf8');
  const out = text
    .replace(/^(\s*reference_models:\s*)\S+/m, '$17')
    .replace(/^(\s*enabled:\s*)true/m, '$1false');
  if (!/^\s*reference_models:\s*7\b/m.test(out))
    throw new Error(`${values.config}: no audit.reference_models to set`);
  return out;
}

function spawnWorker(server: string, token: string, redis: string, work: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--server', server, '--token', token, '--redis', redis, '--work', work, '--threads', '1'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('taking model jobs')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`mia worker exited with ${code}`)));
  });
}

/** One audit with `w` workers on a fresh data directory; its wall time and its run directory's scores. */
async function run(w: number, redisUrl: string, config: string) {
  const data = mkdtempSync(join(tmpdir(), `mia-scale-${w}-`));
  const s = await startService({ data, port: 0, redis: redisUrl });
  const admin = readFileSync(join(data, 'admin-token'), 'utf8').trim();
  const store = new SqliteStore(join(data, 'mia.db'));
  const token = await store.createToken('worker', 'bench');
  await store.close();
  const workers: ChildProcess[] = [];
  for (let i = 0; i < w; i++)
    workers.push(await spawnWorker(s.url, token, redisUrl, join(data, `work-${i}`)));
  const auth = { authorization: `Bearer ${admin}` };
  try {
    const t0 = performance.now();
    const res = await fetch(`${s.url}/api/v1/audits`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/yaml' },
      body: config,
    });
    if (res.status !== 201) throw new Error(`the server refused the config: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    let a: { status: string; error: string | null };
    for (;;) {
      a = (await (await fetch(`${s.url}/api/v1/audits/${id}`, { headers: auth })).json()) as typeof a;
      if (['succeeded', 'failed', 'cancelled'].includes(a.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - t0) / 1000;
    if (a.status !== 'succeeded')
      throw new Error(`the audit with ${w} worker(s) ended ${a.status}: ${a.error}`);
    const runDir = join(data, 'runs', id);
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
      results: { attack: string; slice: string; auc: number }[];
    };
    return { seconds, scores: readFileSync(join(runDir, 'scores.npz')), results: results.results, data };
  } finally {
    for (const c of workers) c.kill('SIGTERM');
    await Promise.all(
      workers.map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once('exit', r)))),
    );
    await s.close();
  }
}

async function main(): Promise<void> {
  const binary = redisBinary();
  if (binary === undefined) {
    console.log(REDIS_MISSING);
    return;
  }
  const config = benchConfig();
  console.log(
    `audit: ${values.small ? 'synthetic MLP (--small)' : values.config}, 7 reference models (8 models to train)`,
  );
  const redis = await startRedis(binary);
  try {
    const one = await run(1, redis.url, config);
    console.log(`1 worker  (1 thread):     ${one.seconds.toFixed(1)} s`);
    const two = await run(2, redis.url, config);
    console.log(`2 workers (1 thread each): ${two.seconds.toFixed(1)} s`);
    const ratio = two.seconds / one.seconds;
    console.log(
      `ratio 2 workers / 1 worker: ${ratio.toFixed(2)} (target ≤ 0.6) ${ratio <= 0.6 ? 'met' : 'MISSED'}`,
    );
    const same = one.scores.equals(two.scores) && JSON.stringify(one.results) === JSON.stringify(two.results);
    console.log(
      `scores equal either way: ${same ? 'yes (scores.npz byte for byte, results.json metrics)' : 'NO'}`,
    );
    for (const r of one.results.filter((x) => x.slice === 'entire')) {
      console.log(`  ${r.attack.padEnd(32)} AUC ${r.auc.toFixed(4)}`);
    }
    for (const d of [one.data, two.data]) rmSync(d, { recursive: true, force: true });
    if (!same) process.exitCode = 1;
  } finally {
    await stopRedis(redis);
  }
}

await main();
