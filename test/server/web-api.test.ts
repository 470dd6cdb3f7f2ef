import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MiaClient } from '../../src/client/mia-client.js';
import { RunsEvent } from '../../src/service/api-schemas.js';
import { SqliteStore } from '../../src/service/sqlite-store.js';
import { startTestService, type TestService, tinyConfig, waitFinished } from './service-helpers.js';

// The routes the web UI needs beside the audits: the experiment comparison, config validation, the
// shipped configs and the all-runs event stream, over real HTTP on 127.0.0.1.
let s: TestService;
let readOnly: string;
const ids: string[] = [];

before(async () => {
  s = await startTestService();
  const store = new SqliteStore(join(s.dataDir, 'mia.db'));
  readOnly = await store.createToken('read-only', 'reader');
  store.close();
  const client = new MiaClient(s.url, s.admin);
  // a model trained 1 epoch and one trained 12: the second overfits more and should leak more
  ids.push(await client.submit(tinyConfig(1, false), { name: 'short', experiment: 'epochs' }));
  ids.push(await client.submit(tinyConfig(12, false), { name: 'long', experiment: 'epochs' }));
  for (const id of ids) assert.equal((await waitFinished(s, id, 120_000)).status, 'succeeded');
});
after(() => s.close());

test('compare: both runs side by side with intervals, verdicts by the noise rule, the ROC overlay', async () => {
  const c = await new MiaClient(s.url, readOnly).compare('epochs');
  assert.equal(c.experiment, 'epochs');
  assert.deepEqual(
    c.runs.map((r) => r.id),
    ids,
    'oldest first',
  );
  for (const r of c.runs) {
    const m = r.metrics!;
    assert.ok(m.auc >= 0 && m.auc <= 1);
    assert.ok(m.aucInterval!.low <= m.auc && m.auc <= m.aucInterval!.high);
    const at1 = m.tprAtFpr.find((t) => t.fpr === '0.01')!;
    assert.ok(at1.low <= at1.tpr && at1.tpr <= at1.high);
    assert.ok(m.epsilonLowerBound === null || m.epsilonLowerBound >= 0);
  }
  // exactly one statement about the pair: a verdict when the AUCs differ beyond the noise, else "equal"
  assert.equal(c.verdicts.length + c.equal.length, 1);
  const [a, b] = c.runs.map((r) => r.metrics!);
  const d = Math.abs(a!.auc - b!.auc);
  const band = 2 * Math.hypot(a!.aucInterval!.se, b!.aucInterval!.se);
  assert.equal(c.verdicts.length === 1, d >= 0.005 && d >= band, `d ${d}, band ${band}`);
  const sentence = (c.verdicts[0] ?? c.equal[0])!.sentence;
  assert.match(sentence, /AUC 0\.\d{3} vs 0\.\d{3}, TPR at 1% FPR/);
  assert.ok(c.rocSvg?.startsWith('<svg'));
  assert.equal((c.rocSvg!.match(/class="mia-series[^"]*"/g) ?? []).length >= 4, true, '2 runs × 2 panels');
  // a pick of runs, in the order asked
  const one = await new MiaClient(s.url, s.admin).compare('epochs', [ids[1]!]);
  assert.deepEqual(
    one.runs.map((r) => r.name),
    ['long'],
  );
  assert.equal(one.verdicts.length + one.equal.length, 0);
});

test('compare: an unknown experiment or run is 404 with the error as data', async () => {
  const r = await s.call('/api/v1/experiments/nope/compare');
  assert.equal(r.status, 404);
  assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'E_NOT_FOUND');
  const r2 = await s.call(
    `/api/v1/experiments/epochs/compare?runs=${ids[0]},00000000-0000-4000-8000-000000000000`,
  );
  assert.equal(r2.status, 404);
  const bad = await s.call('/api/v1/experiments/epochs/compare?runs=../x');
  assert.equal(bad.status, 400);
});

test('validate: a config typo at line:column as data (200), a good config valid; a read-only token may check', async () => {
  const client = new MiaClient(s.url, readOnly);
  assert.deepEqual(await client.validate(tinyConfig()), { valid: true, errors: [] });
  const typo = tinyConfig().replace('  epochs: 2', '  epochz: 2');
  const v = await client.validate(typo, { file: 'tiny.yaml' });
  assert.equal(v.valid, false);
  const e = v.errors[0]!;
  assert.equal(e.code, 'E_CONFIG');
  assert.equal(e.where?.line, 11);
  assert.equal(e.where?.column, 3);
  assert.match(e.message, /epochz/);
  // the same error a submission answers with 400
  const sub = await s.call('/api/v1/audits', {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: typo,
  });
  assert.equal(sub.status, 400);
  const se = ((await sub.json()) as { error: typeof e }).error;
  assert.deepEqual({ ...se.where, file: undefined }, { ...e.where, file: undefined });
  // a read-only token still cannot submit
  const ro = await s.call('/api/v1/audits', { method: 'POST', token: readOnly, body: '{}' });
  assert.equal(ro.status, 403);
});

test('the shipped configs: quickstart first, each one valid YAML text', async () => {
  const configs = await new MiaClient(s.url, readOnly).shippedConfigs();
  assert.equal(configs[0]!.name, 'quickstart.yaml');
  assert.ok(configs.length >= 2);
  assert.ok(configs.every((c) => c.text.includes('data:')));
});

test('GET /api/v1/events: one audit event per audit with its headline, then the changes', async () => {
  const ctl = new AbortController();
  const res = await fetch(`${s.url}/api/v1/events`, {
    headers: { authorization: `Bearer ${readOnly}` },
    signal: ctl.signal,
  });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const events: RunsEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body!.getReader();
  const want = async (ok: (e: RunsEvent[]) => boolean) => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .find((l) => l.startsWith('data: '));
        buffer = buffer.slice(end + 2);
        if (data !== undefined) events.push(RunsEvent.parse(JSON.parse(data.slice(6))));
      }
      if (ok(events)) return;
    }
  };
  await want((e) => e.length >= 2);
  const rows = events.flatMap((e) => (e.kind === 'audit' ? [e.audit] : []));
  assert.deepEqual(rows.map((r) => r.id).sort(), [...ids].sort());
  for (const r of rows) {
    assert.equal(r.status, 'succeeded');
    assert.ok(r.headline !== null && r.headline.auc > 0 && r.headline.tprAt1 !== null);
  }
  // a deletion shows up as `removed`
  const del = await s.call(`/api/v1/audits/${ids[0]}`, { method: 'DELETE' });
  assert.equal(del.status, 204);
  await want((e) => e.some((x) => x.kind === 'removed'));
  assert.deepEqual(
    events.find((x) => x.kind === 'removed'),
    { kind: 'removed', id: ids[0] },
  );
  ctl.abort();
});

test('the OpenAPI document lists the web routes with their schemas', async () => {
  const doc = (await (await s.call('/api/v1/openapi.json', { token: null })).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
  };
  for (const p of ['/api/v1/experiments/{name}/compare', '/api/v1/configs/validate', '/api/v1/events']) {
    assert.ok(p in doc.paths, p);
  }
  const schema = JSON.stringify(doc.paths['/api/v1/experiments/{name}/compare']!.get!.responses['200']);
  for (const key of ['verdicts', 'tprAtFpr', 'epsilonLowerBound', 'rocSvg'])
    assert.ok(schema.includes(key), key);
});

test('training progress events: each model’s epochs, samples/s and ETA beside the step count', async () => {
  const client = new MiaClient(s.url, readOnly);
  const training: { model: string | null; epoch: number; epochs: number; etaSeconds: number }[] = [];
  for await (const e of client.events(ids[1]!, { follow: false })) {
    const d = e.data as { done: number; total: number; training?: (typeof training)[number] };
    if (e.kind === 'progress' && d.training !== undefined) {
      assert.ok(d.total >= 4, 'the step count rides along');
      training.push(d.training);
    }
  }
  // the target and 3 reference models, 12 epochs each, the last epoch with no time left
  const models = new Set(training.map((t) => t.model));
  assert.ok(models.size >= 4, [...models].join(', '));
  const last = training.filter((t) => t.epoch === 12);
  assert.ok(last.length >= 4 && last.every((t) => t.epochs === 12 && t.etaSeconds === 0));
});
