import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { MiaClient } from '../../src/client/mia-client.js';
import { runMia } from '../cli/run-mia.js';
import { freePort, startTestService, tinyConfig, waitFinished } from './service-helpers.js';

const BIN = fileURLToPath(new URL('../../bin/mia.js', import.meta.url));

/** `mia <args>` in a child process, without blocking this one. */
function runMiaAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const t = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    }),
  );
}

test('a submitted audit runs to the end: events stream, artifacts download, results equal a local runAudit', async () => {
  const s = await startTestService();
  try {
    const client = new MiaClient(s.url, s.admin);
    const id = await client.submit(tinyConfig(), { file: 'tiny.yaml', experiment: 'e1' });
    const kinds = new Set<string>();
    const lines: string[] = [];
    for await (const e of client.events(id, { follow: true })) {
      kinds.add(e.kind);
      if (e.kind === 'log') lines.push(String(e.data));
    }
    const a = await client.get(id);
    assert.equal(a.status, 'succeeded', a.error ?? '');
    assert.equal(a.name, 'tiny');
    assert.deepEqual(a.progress, { done: 5, total: 5 });
    assert.ok(a.startedAt !== null && a.finishedAt !== null);
    assert.deepEqual([...kinds].sort(), ['log', 'progress', 'stage', 'status']);
    assert.ok(lines.some((l) => l.startsWith('attacks: rmia')));
    const files = (await client.files(id)).map((f) => f.path);
    for (const f of ['results.json', 'config.yaml', 'report/report.html', 'scores.npz', 'manifest.json']) {
      assert.ok(files.includes(f), f);
    }
    const served = (await client.results(id)) as { results: unknown[] };
    const report = await s.call(`/api/v1/audits/${id}/report`);
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-type') ?? '', /text\/html/);
    // the same config through the library in another directory gives the same results
    const local = join(mkdtempSync(join(tmpdir(), 'mia-local-')), 'run');
    await runAudit(parseAuditConfig(tinyConfig(), 'tiny.yaml'), { logDir: local });
    const mine = JSON.parse(readFileSync(join(local, 'results.json'), 'utf8')) as { results: unknown[] };
    assert.deepEqual(served.results, mine.results);
    // mia fetch writes the same bytes
    const out = mkdtempSync(join(tmpdir(), 'mia-fetch-'));
    // (a child process: a synchronous spawn would block this process's server)
    const r = await runMiaAsync(['fetch', id, '--server', s.url, '--token', s.admin, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      readFileSync(join(out, 'results.json')),
      Buffer.from(await client.file(id, 'results.json')),
    );
    // a finished audit is listed under its experiment and can be deleted
    assert.deepEqual(
      (await client.list({ experiment: 'e1' })).audits.map((x) => x.id),
      [id],
    );
    await client.delete(id);
    await assert.rejects(client.get(id), (e: Error & { code?: string }) => e.code === 'E_NOT_FOUND');
  } finally {
    await s.close();
  }
});

test('an audit whose dataset cannot be loaded fails with its error line, once', async () => {
  const s = await startTestService();
  try {
    const bad = tinyConfig().replace('  dataset: synthetic\n', '  dataset: csv\n  path: missing.csv\n');
    const client = new MiaClient(s.url, s.admin);
    const id = await client.submit(bad);
    const a = await waitFinished(s, id);
    assert.equal(a.status, 'failed');
    assert.match(a.error ?? '', /^error \[E_/);
    const events = [];
    for await (const e of client.events(id, { follow: false })) events.push(e);
    assert.equal(
      events.filter((e) => e.kind === 'status' && (e.data as { status: string }).status === 'running').length,
      1,
    );
  } finally {
    await s.close();
  }
});

/** Starts `mia serve` as a process; resolves once it listens. */
function serve(data: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data', data, '--port', String(port), '--lease-seconds', '1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('mia serve did not start in 60 s')), 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('listening on')) {
        clearTimeout(t);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`mia serve exited ${code}`)));
  });
}

test('kill -9 the server mid-audit: after a restart the job is taken again, resumes with the finished models, and succeeds', async () => {
  const data = mkdtempSync(join(tmpdir(), 'mia-kill-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child = await serve(data, port);
  try {
    const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
    const client = new MiaClient(url, token);
    const config = join(data, 'slow.yaml');
    writeFileSync(config, tinyConfig(40, false));
    const id = await client.submit(readFileSync(config, 'utf8'), { file: 'slow.yaml' });
    // wait until two models are finished, then kill the server without a chance to clean up
    const t0 = Date.now();
    while ((await client.get(id)).progress.done < 2) {
      assert.ok(Date.now() - t0 < 120_000, 'the audit did not reach its second model');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    child = await serve(data, port);
    // the CLI client follows the resumed audit to its end and exits with its outcome
    const logs = runMia(['logs', id, '-f', '--server', url, '--token', token], undefined, 300_000);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /-- succeeded/);
    const lines: string[] = [];
    for await (const e of client.events(id, { follow: true }))
      if (e.kind === 'log') lines.push(String(e.data));
    const a = await client.get(id);
    assert.equal(a.status, 'succeeded', a.error ?? '');
    assert.ok(
      lines.some((l) => /attempt 2 of 3: resuming/.test(l)),
      'the second attempt says it resumes',
    );
    assert.ok(
      lines.filter((l) => /finished earlier, signals reused/.test(l)).length >= 2,
      'the models finished before the kill are reused',
    );
    assert.equal(((await client.results(id)) as { results: unknown[] }).results.length > 0, true);
  } finally {
    child.kill('SIGTERM');
  }
});
