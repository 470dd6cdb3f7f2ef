import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MiaClient } from '../../src/client/mia-client.js';
import { type PgCluster, postgresMissing, startPgCluster } from '../service/pg-cluster.js';
import { startTestService, tinyConfig, waitFinished } from './service-helpers.js';

// Several API processes on one Postgres store (mia serve --database): what one accepts, the others
// list and serve, and a worker of any of them runs it. They share the data directory's run folders.
const missing = postgresMissing();
let cluster: PgCluster | undefined;
before(async () => {
  if (missing === undefined) cluster = await startPgCluster();
});
after(() => cluster?.stop());

test('two servers on one Postgres database see the same runs; the worker of one runs what the other accepted', {
  skip: missing ?? false,
}, async () => {
  await cluster!.createDatabase('mia_two');
  const database = cluster!.url('mia_two');
  const data = mkdtempSync(join(tmpdir(), 'mia-pg-serve-'));
  const a = await startTestService({ data, database, workers: 0 });
  const b = await startTestService({ data, database, workers: 1 });
  try {
    assert.equal(a.adminTokenFile !== undefined, true, 'the first start makes the admin token');
    assert.equal(b.adminTokenFile, undefined, 'the second finds the tokens in the shared store');
    const health = (await (await b.call('/api/v1/health', { token: null })).json()) as { store: string };
    assert.equal(health.store, 'postgres');
    const ca = new MiaClient(a.url, a.admin);
    const cb = new MiaClient(b.url, a.admin);
    const id = await ca.submit(tinyConfig(1, false), { file: 'two.yaml', experiment: 'shared' });
    assert.deepEqual(
      (await cb.list({ experiment: 'shared' })).audits.map((x) => x.id),
      [id],
    );
    const done = await waitFinished(a, id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    // a has no worker: b's ran it; a serves its events and results from the shared store and folder
    const workers = ((await (await a.call('/api/v1/health')).json()) as { workers: string[] }).workers;
    assert.deepEqual(
      workers,
      b.workers.map((w) => w.id),
    );
    const events = [];
    for await (const e of ca.events(id, { follow: false })) events.push(e);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
    assert.ok(((await ca.results(id)) as { results: unknown[] }).results.length > 0);
    assert.deepEqual(await ca.get(id), await cb.get(id));
  } finally {
    await b.close();
    await a.close();
  }
});
if (missing !== undefined) test(`Postgres service: skipped, ${missing}`, { skip: missing }, () => {});
