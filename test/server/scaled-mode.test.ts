import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { startModelWorker } from '../../src/client/model-worker.js';
import { SqliteStore } from '../../src/service/sqlite-store.js';
import { runMia } from '../cli/run-mia.js';
import { REDIS_MISSING, redisBinary, startRedis, stopRedis, type TestRedis } from './redis-helpers.js';
import { freePort, startTestService, type TestService, tinyConfig, waitFinished } from './service-helpers.js';

// The scaled mode (docs/service.md): `mia serve --redis` with `mia worker` processes on a Redis that
// these tests start (redis-server on 127.0.0.1, a free port, no persistence) and stop.
const BIN = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));
const binary = redisBinary();
const skip = binary === undefined ? REDIS_MISSING : false;
let redis: TestRedis | undefined;

before(async () => {
  if (binary !== undefined) redis = await startRedis(binary);
});
after(async () => {
  if (redis !== undefined) await stopRedis(redis);
});

/** A scaled service on the test Redis with a worker token. */
async function scaledService(
  o: { maxAttempts?: number; bodyLimit?: number } = {},
): Promise<TestService & { worker: string }> {
  const s = await startTestService({ redis: redis!.url, leaseMs: 3000, ...o });
  const store = new SqliteStore(join(s.dataDir, 'mia.db'));
  const worker = await store.createToken('worker', 'test worker');
  await store.close();
  return Object.assign(s, { worker });
}

// README's scaled-mode example: its `mia worker` line is the command the tests run (hosts replaced)
const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const workerLine = /^npx mia (worker --server \S+ --redis \S+ --token TOKEN)\b/m.exec(readme)?.[1];

/** `mia worker` in a child process, as README runs it; resolves once it takes jobs. */
async function spawnWorker(s: TestService & { worker: string }, work: string): Promise<ChildProcess> {
  assert.ok(workerLine !== undefined, "README's scaled-mode example has a mia worker line");
  const args = workerLine
    .replace('http://SERVER:8470', s.url)
    .replace('redis://SERVER:6379', redis!.url)
    .replace('TOKEN', s.worker)
    .split(' ');
  const child = spawn(
    process.execPath,
    [BIN, ...args, '--work', work, '--threads', '1', '--lock-seconds', '2'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`mia worker did not start in 60 s: ${err}`)), 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('taking model jobs')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`mia worker exited with ${code}: ${err}`)));
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGTERM');
  await exited;
}

async function submit(s: TestService, config: string): Promise<string> {
  const res = await s.call('/api/v1/audits', {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: config,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

/** results.json of the same config run by runAudit in this process (what `mia audit` runs). */
async function auditResults(config: string): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'mia-scaled-ref-'));
  await runAudit(parseAuditConfig(config, 'config.yaml'), { logDir: dir });
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
}

async function logLines(s: TestService, id: string): Promise<string[]> {
  const text = await (await s.call(`/api/v1/audits/${id}/events?follow=false`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as { kind: string; data: unknown })
    .filter((e) => e.kind === 'log')
    .map((e) => String(e.data));
}

test('an audit across the server and two mia worker processes gives the results of mia audit', {
  skip,
}, async () => {
  const s = await scaledService();
  const work = mkdtempSync(join(tmpdir(), 'mia-scaled-work-'));
  const workers: ChildProcess[] = [];
  try {
    workers.push(await spawnWorker(s, join(work, 'a')), await spawnWorker(s, join(work, 'b')));
    const config = tinyConfig(4);
    const health = (await (await s.call('/api/v1/health')).json()) as {
      queue: { kind: string };
      workers: string[];
    };
    assert.equal(health.queue.kind, 'bullmq');
    assert.equal(health.workers.length, 2, `two workers connected: ${health.workers.join(', ')}`);
    const id = await submit(s, config);
    const a = await waitFinished(s, id);
    assert.equal(a.status, 'succeeded', String(a.error));
    const got = (await (await s.call(`/api/v1/audits/${id}/results`)).json()) as {
      results: unknown;
      key: string;
    };
    const want = (await auditResults(config)) as { results: unknown; key: string };
    assert.equal(got.key, want.key, 'the same models, data and settings');
    assert.deepEqual(got.results, want.results);
    const lines = await logLines(s, id);
    // every model was trained by a worker (uploaded), none by the server's pipeline
    for (const m of ['target', 'ref-01', 'ref-02', 'ref-03']) {
      assert.ok(
        lines.some((l) => l === `${m}: 4 files uploaded`),
        `${m} uploaded: ${lines.join('\n')}`,
      );
      assert.ok(lines.some((l) => l.startsWith(`[`) && l.includes(`${m}: finished earlier, signals reused`)));
    }
    const takers = new Set(lines.filter((l) => l.startsWith('worker ')).map((l) => l.split(' ')[1]));
    assert.equal(takers.size, 2, `both workers took model jobs: ${[...takers].join(', ')}`);
    const report = await s.call(`/api/v1/audits/${id}/report`);
    assert.equal(report.status, 200);
  } finally {
    await Promise.all(workers.map(stopWorker));
    await s.close();
  }
});

test('kill -9 a worker mid-job: BullMQ gives the stalled job to the other worker, finished models are not trained again, results equal an uninterrupted run', {
  skip,
}, async () => {
  const s = await scaledService();
  const work = mkdtempSync(join(tmpdir(), 'mia-scaled-kill-'));
  // models that take a few seconds each, so the kill lands inside one
  const config = tinyConfig(60)
    .replace('audit_size: 300', 'audit_size: 1200')
    .replace('hidden: "32"', 'hidden: "128"');
  let victim: ChildProcess | undefined;
  let other: ChildProcess | undefined;
  try {
    victim = await spawnWorker(s, join(work, 'victim'));
    const id = await submit(s, config);
    // the victim finishes its first model, starts its second, and is killed in it
    const t0 = Date.now();
    for (;;) {
      const lines = await logLines(s, id);
      if (lines.some((l) => / uploaded/.test(l)) && lines.filter((l) => l.startsWith('worker ')).length >= 2)
        break;
      if (Date.now() - t0 > 120_000) throw new Error(`no second model started: ${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    victim.kill('SIGKILL');
    const before = await logLines(s, id);
    other = await spawnWorker(s, join(work, 'other'));
    const a = await waitFinished(s, id, 240_000);
    assert.equal(a.status, 'succeeded', String(a.error));
    const lines = await logLines(s, id);
    const taken = lines.filter((l) => l.startsWith('worker '));
    // "worker <host:pid>: <model> (attempt n)": the victim's last job is the one it was killed in
    const took = (l: string) => /^worker (\S+): (\S+) \(attempt/.exec(l);
    const [, victimName, killed] = took(before.filter((l) => took(l) !== null).at(-1)!)!;
    const finished = before.filter((l) => / uploaded/.test(l)).map((l) => l.split(':')[0]!);
    assert.ok(
      taken.some((l) => took(l)?.[2] === killed && took(l)?.[1] !== victimName),
      `the killed job ${killed} was taken again by the other worker:\n${taken.join('\n')}`,
    );
    assert.ok(!finished.includes(killed!), 'killed before its model was uploaded');
    for (const m of finished) {
      assert.equal(
        taken.filter((l) => l.includes(`: ${m} (attempt`)).length,
        1,
        `${m} finished before the kill: not trained again`,
      );
    }
    const got = (await (await s.call(`/api/v1/audits/${id}/results`)).json()) as {
      results: unknown;
      key: string;
    };
    const want = (await auditResults(config)) as { results: unknown; key: string };
    assert.equal(got.key, want.key);
    assert.deepEqual(got.results, want.results);
  } finally {
    if (victim !== undefined && victim.exitCode === null && victim.signalCode === null)
      victim.kill('SIGKILL');
    if (other !== undefined) await stopWorker(other);
    await s.close();
  }
});

test('a model job that fails ends the audit failed with its error line: a bad dataset at once, a crash after its bounded retries', {
  skip,
}, async () => {
  const s = await scaledService({ maxAttempts: 2 });
  const work = mkdtempSync(join(tmpdir(), 'mia-scaled-fail-'));
  writeFileSync(join(s.dataDir, 'datasets', 'bad.csv'), 'a,b\nx,y\n');
  const crashing = await startModelWorker({
    server: s.url,
    token: s.worker,
    redis: redis!.url,
    work,
    lockMs: 2000,
    createEngine: async () => {
      throw new Error('the engine fell over');
    },
  });
  try {
    // a dataset the worker cannot load (fetched from the server's DIR/datasets): a MiaError, no retry
    const bad = await submit(
      s,
      tinyConfig().replace('  dataset: synthetic\n', '  dataset: csv\n  path: bad.csv\n'),
    );
    const a = await waitFinished(s, bad);
    assert.equal(a.status, 'failed');
    assert.match(String(a.error), /^model (target|ref-0\d): error \[E_[A-Z_]+\] /);
    assert.doesNotMatch(String(a.error), /\n/);
    const tries = (await logLines(s, bad)).filter((l) => l.startsWith('worker '));
    assert.equal(
      new Set(tries.map((l) => l.split(': ')[1])).size,
      tries.length,
      'no model job was tried twice',
    );
    // a crash: tried maxAttempts (2) times, then the audit fails with the crash's line
    const crash = await submit(s, tinyConfig());
    const c = await waitFinished(s, crash);
    assert.equal(c.status, 'failed');
    assert.match(String(c.error), /^model [a-z0-9-]+: the engine fell over$/);
    const lines = await logLines(s, crash);
    const failedModel = /^model ([a-z0-9-]+):/.exec(String(c.error))![1]!;
    assert.equal(
      lines.filter((l) => l.startsWith('worker ') && l.includes(`: ${failedModel} (attempt`)).length,
      2,
      `tried twice:\n${lines.join('\n')}`,
    );
    assert.ok(lines.some((l) => l.includes('(attempt 1 of 2; trying again)')));
  } finally {
    await crashing.close();
    await s.close();
  }
});

test("the worker routes: worker tokens only, uploads confined to a model job's files, checked, size-limited, atomic and recorded", {
  skip,
}, async () => {
  const s = await scaledService();
  try {
    const id = await submit(s, tinyConfig());
    const base = `/api/v1/audits/${id}/worker`;
    assert.equal((await s.call(`${base}/config`, { token: null })).status, 401);
    assert.equal((await s.call(`${base}/config`)).status, 403, 'an admin token is not a worker token');
    const inputs = (await (await s.call(`${base}/config`, { token: s.worker })).json()) as {
      config: string;
      status: string;
    };
    assert.equal(inputs.config, tinyConfig());
    assert.equal(inputs.status, 'queued');
    assert.equal(
      (await s.call(`${base}/dataset`, { token: s.worker })).status,
      404,
      'a registered dataset: no file',
    );
    const put = (path: string, body: Uint8Array, sha?: string) =>
      s.call(`${base}/files/${path}`, {
        method: 'PUT',
        token: s.worker,
        headers: {
          'content-type': 'application/octet-stream',
          'x-sha256': sha ?? createHash('sha256').update(body).digest('hex'),
        },
        body,
      });
    const bytes = new TextEncoder().encode('signals');
    for (const bad of [
      'results.json',
      'signals/../results.json',
      'signals/%2e%2e%2fx.npz',
      'models/target/zz/w.npz',
      '%2Fetc%2Fpasswd',
    ]) {
      const r = await put(bad, bytes);
      assert.equal(r.status, 400, `${bad}: ${await r.text()}`);
    }
    assert.equal((await put('signals/target.npz', bytes, 'f'.repeat(64))).status, 400, 'a wrong checksum');
    const ok = await put('signals/target.npz', bytes);
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.deepEqual(await ok.json(), {
      path: 'signals/target.npz',
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const runDir = join(s.dataDir, 'runs', id);
    assert.equal(readFileSync(join(runDir, 'signals/target.npz'), 'utf8'), 'signals');
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as {
      files: Record<string, { size: number }>;
    };
    assert.equal(manifest.files['signals/target.npz']?.size, bytes.length, 'recorded in the manifest');
    const log = await s.call(`${base}/log`, {
      method: 'POST',
      token: s.worker,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lines: ['hello from a worker'] }),
    });
    assert.equal(log.status, 200);
    assert.ok((await logLines(s, id)).includes('hello from a worker'));
    await s.call(`/api/v1/audits/${id}/cancel`, { method: 'POST' });
    assert.equal((await put('signals/ref-01.npz', bytes)).status, 409, 'a cancelled audit takes no files');
  } finally {
    await s.close();
  }
  const small = await scaledService({ bodyLimit: 1024 });
  try {
    const id = await submit(small, tinyConfig());
    const big = new Uint8Array(4096);
    const r = await small.call(`/api/v1/audits/${id}/worker/files/signals/target.npz`, {
      method: 'PUT',
      token: small.worker,
      headers: {
        'content-type': 'application/octet-stream',
        'x-sha256': createHash('sha256').update(big).digest('hex'),
      },
      body: big,
    });
    assert.equal(r.status, 413);
  } finally {
    await small.close();
  }
});

test('mia worker and mia serve --redis: a missing or wrong --redis, or a Redis nobody answers, is one line', async () => {
  const missing = runMia(['worker', '--server', 'http://127.0.0.1:1']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error \[E_USAGE\] mia worker: --redis URL is required/);
  const wrong = runMia(['worker', '--server', 'http://127.0.0.1:1', '--redis', 'http://127.0.0.1:6379']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^error \[E_USAGE\] --redis: not a Redis URL/);
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'mia-scaled-noredis-'));
  const serve = runMia(['serve', '--data', data, '--port', '0', '--redis', `redis://127.0.0.1:${port}`]);
  assert.equal(serve.code, 2);
  assert.match(
    serve.stderr,
    new RegExp(`^error \\[E_SERVER\\] redis://127.0.0.1:${port}: cannot reach Redis`),
  );
  assert.equal(serve.stderr.trim().split('\n').length, 1);
});
