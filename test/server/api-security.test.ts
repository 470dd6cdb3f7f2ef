import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqliteStore } from '../../src/service/sqlite-store.js';
import { startTestService, type TestService, tinyConfig } from './service-helpers.js';

// Hostile and unauthorised requests over real HTTP on 127.0.0.1: each is refused with a 4xx whose body
// is the error as data. No worker runs: the queued audits stay queued.
let s: TestService;
let readOnly: string;
let worker: string;
let id: string;

const errorOf = async (r: Response) =>
  ((await r.json()) as { error: { code: string; message: string; where?: Record<string, unknown> } }).error;

before(async () => {
  s = await startTestService({ workers: 0, bodyLimit: 64 * 1024 });
  // tokens are created in the same store, as `mia token create` does (a second connection, WAL)
  const store = new SqliteStore(join(s.dataDir, 'mia.db'));
  readOnly = await store.createToken('read-only', 'reader');
  worker = await store.createToken('worker', 'w');
  await store.close();
  const r = await s.call('/api/v1/audits', {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: tinyConfig(),
  });
  assert.equal(r.status, 201);
  id = ((await r.json()) as { id: string }).id;
});
after(() => s.close());

test('health needs no token; everything else answers 401 without one or with an unknown one', async () => {
  const h = await s.call('/api/v1/health', { token: null });
  assert.equal(h.status, 200);
  assert.equal(((await h.json()) as { queue: { queued: number } }).queue.queued, 1);
  for (const path of ['/api/v1/audits', `/api/v1/audits/${id}`, `/api/v1/audits/${id}/files/config.yaml`]) {
    const r = await s.call(path, { token: null });
    assert.equal(r.status, 401, path);
    assert.equal((await errorOf(r)).code, 'E_AUTH');
    assert.equal((await s.call(path, { token: 'mia_not-a-token' })).status, 401);
  }
});

test('a read-only token reads but gets 403 on submit, cancel and delete; a worker token gets 403', async () => {
  assert.equal((await s.call('/api/v1/audits', { token: readOnly })).status, 200);
  assert.equal((await s.call(`/api/v1/audits/${id}`, { token: readOnly })).status, 200);
  const writes: [string, string][] = [
    ['POST', '/api/v1/audits'],
    ['POST', `/api/v1/audits/${id}/cancel`],
    ['DELETE', `/api/v1/audits/${id}`],
  ];
  for (const [method, path] of writes) {
    const r = await s.call(path, {
      method,
      token: readOnly,
      headers: { 'content-type': 'application/yaml' },
      body: method === 'POST' ? tinyConfig() : null,
    });
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal((await errorOf(r)).code, 'E_AUTH');
  }
  assert.equal((await s.call('/api/v1/audits', { token: worker })).status, 403);
  // the read-only token changed nothing
  assert.equal(
    ((await (await s.call(`/api/v1/audits/${id}`)).json()) as { status: string }).status,
    'queued',
  );
});

test('bad JSON, a wrong body, an unknown content type and an oversized body are 4xx data', async () => {
  const post = (body: string, type: string) =>
    s.call('/api/v1/audits', { method: 'POST', headers: { 'content-type': type }, body });
  let r = await post('{"config": ', 'application/json');
  assert.equal(r.status, 400);
  assert.equal((await errorOf(r)).code, 'E_REQUEST');
  r = await post(JSON.stringify({ config: 'run: {}', extra: 1 }), 'application/json');
  assert.equal(r.status, 400);
  assert.equal((await errorOf(r)).code, 'E_REQUEST');
  r = await post('x', 'application/x-unknown');
  assert.equal(r.status, 415);
  r = await post(`# ${'x'.repeat(100 * 1024)}\n${tinyConfig()}`, 'application/yaml');
  assert.equal(r.status, 413);
  assert.equal((await errorOf(r)).code, 'E_TOO_LARGE');
  assert.equal((await s.call('/api/v1/audits?limit=0')).status, 400);
  assert.equal((await s.call('/api/v1/nothing')).status, 404);
  assert.equal((await s.call('/api/v1/audits/not-an-id')).status, 404);
});

test('a config error is 400 at the line and column mia audit gives', async () => {
  const r = await s.call('/api/v1/audits', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ config: 'run:\n  seed: x\n', file: 'bad.yaml' }),
  });
  assert.equal(r.status, 400);
  const e = await errorOf(r);
  assert.equal(e.code, 'E_CONFIG');
  assert.deepEqual(e.where, { file: 'bad.yaml', line: 2, column: 9, path: 'run.seed' });
  assert.match(e.message, /run\.seed must be an integer/);
});

test('a data.path outside DIR/datasets is refused; inside it is accepted', async () => {
  const config = (path: string) =>
    tinyConfig().replace('  dataset: synthetic\n', `  dataset: csv\n  path: ${JSON.stringify(path)}\n`);
  for (const path of ['/etc/passwd', '../mia.db', 'a/../../x.csv']) {
    const r = await s.call('/api/v1/audits', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: config(path),
    });
    assert.equal(r.status, 400, path);
    assert.equal((await errorOf(r)).code, 'E_REQUEST');
  }
  symlinkSync('/etc', join(s.dataDir, 'datasets', 'out'));
  const r = await s.call('/api/v1/audits', {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: config('out/passwd'),
  });
  assert.equal(r.status, 400);
  assert.match((await errorOf(r)).message, /symbolic link/);
});

test('an architecture.from outside DIR/datasets is refused before the file is opened', async () => {
  const config = (path: string) =>
    tinyConfig().replace(/^ {2}architecture: .*$/m, `  architecture: {from: ${JSON.stringify(path)}}`);
  assert.match(config('x.onnx'), /architecture: \{from: "x.onnx"\}/);
  for (const path of ['/etc/passwd', '../mia.db', 'a/../../x.onnx']) {
    const post = (route: string) =>
      s.call(route, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: config(path) });
    const r = await post('/api/v1/audits');
    assert.equal(r.status, 400, path);
    const inside = /target\.architecture\.from must stay inside its folder/;
    assert.match((await errorOf(r)).message, inside, path);
    // the editor's validation says the same, as data
    const v = (await (await post('/api/v1/configs/validate')).json()) as {
      valid: boolean;
      errors: { message: string }[];
    };
    assert.equal(v.valid, false);
    assert.match(v.errors[0]!.message, inside, path);
  }
});

test('artifact paths cannot leave the run directory: .., absolute, encoded, symbolic links', async () => {
  const run = join(s.dataDir, 'runs', id);
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'note.txt'), 'inside');
  symlinkSync(join(s.dataDir, 'mia.db'), join(run, 'db-link'));
  const ok = await s.call(`/api/v1/audits/${id}/files/note.txt`);
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'inside');
  for (const p of [
    '..%2F..%2Fmia.db',
    '%2Fetc%2Fpasswd',
    '..%5C..%5Cmia.db',
    'db-link',
    'note.txt%00.json',
  ]) {
    const r = await s.call(`/api/v1/audits/${id}/files/${p}`);
    assert.equal(r.status, 400, p);
    assert.equal((await errorOf(r)).code, 'E_REQUEST');
  }
  assert.equal((await s.call(`/api/v1/audits/${id}/files/missing.json`)).status, 404);
  const list = (await (await s.call(`/api/v1/audits/${id}/files`)).json()) as { files: { path: string }[] };
  assert.deepEqual(
    list.files.map((f) => f.path),
    ['note.txt'],
  );
});

test('cancel a queued audit: cancelled, withdrawn, then deletable; a second cancel is 409', async () => {
  const r = await s.call(`/api/v1/audits/${id}/cancel`, { method: 'POST' });
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as { status: string }).status, 'cancelled');
  assert.equal((await s.call(`/api/v1/audits/${id}/cancel`, { method: 'POST' })).status, 409);
  assert.equal((await s.call(`/api/v1/audits/${id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await s.call(`/api/v1/audits/${id}`)).status, 404);
  const doc = (await (await s.call('/api/v1/openapi.json', { token: null })).json()) as {
    openapi: string;
    paths: object;
  };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok('/api/v1/audits/{id}/events' in doc.paths);
});
