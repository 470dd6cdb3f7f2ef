import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MiaClient } from '../../src/client/mia-client.js';
import { encodeNpz } from '../../src/io/npz.js';
import { runMia } from '../cli/run-mia.js';
import { startTestService, type TestService } from './service-helpers.js';

// POST /api/v1/attacks: `mia attack --input` as a request, the same file formats, checks and results.
const fixture = fileURLToPath(new URL('../attacks/fixtures/tfp_parity.npz', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'mia-api-attack-'));
let s: TestService;
let client: MiaClient;
let cliResults: unknown;

const csvRows = () => {
  const rows = ['split,label,logits_0,logits_1'];
  for (let i = 0; i < 40; i++) rows.push(`train,${i % 2},${i % 2 ? 0 : 3},${i % 2 ? 3 : 0}`);
  for (let i = 0; i < 40; i++) rows.push(`test,${i % 2},${(i % 5) * 0.3},${1 - (i % 3) * 0.4}`);
  return `${rows.join('\n')}\n`;
};

before(async () => {
  // the CLI's results on the same file first (a synchronous child process, before the server listens)
  const out = join(tmp, 'cli.json');
  const r = runMia([
    'attack',
    '--input',
    fixture,
    '--attacks',
    'threshold,threshold-entropy,lr',
    '--slices',
    'entire,class,correctness',
    '--seed',
    '3',
    '--json',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  cliResults = JSON.parse(readFileSync(out, 'utf8')).results;
  s = await startTestService({ workers: 0, bodyLimit: 64 * 1024 });
  client = new MiaClient(s.url, s.admin);
});
after(() => s.close());

test('an uploaded .npz gives the results mia attack --json writes for the same file and flags', async () => {
  const r = await client.attack(new Uint8Array(readFileSync(fixture)), 'parity.npz', {
    attacks: ['threshold', 'threshold-entropy', 'lr'],
    slices: ['entire', 'class', 'correctness'],
    seed: 3,
  });
  assert.equal(r.input.file, 'parity.npz');
  assert.ok(r.input.members > 0 && r.input.nonMembers > 0 && r.input.classes >= 2);
  assert.deepEqual(r.results, cliResults);
});

test('an uploaded .csv is read with the same columns; defaults are the CLI defaults', async () => {
  const bytes = new TextEncoder().encode(csvRows());
  const r = await client.attack(bytes, 'outputs.csv', { attacks: ['threshold'], slices: ['entire'] });
  assert.equal(r.results.length, 1);
  assert.equal(r.results[0]!.nMembers, 40);
  assert.ok((r.results[0]!.auc as number) > 0.9);
  const all = await client.attack(bytes, 'outputs.csv');
  assert.ok(all.results.length > 1, 'every default attack and slice');
});

test('bad uploads and parameters are 4xx data naming the file and key, line or parameter', async () => {
  const reject = async (p: Promise<unknown>, code: string, re: RegExp) =>
    assert.rejects(p, (e: Error & { code?: string; oneLine?: () => string }) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.oneLine!(), re);
      return true;
    });
  const f32 = (n: number, c: number) => ({
    dtype: 'float32' as const,
    shape: [n, c],
    data: new Float32Array(n * c),
  });
  const noLabels = encodeNpz({ logits_train: f32(4, 2), logits_test: f32(4, 2) });
  await reject(client.attack(noLabels, 'mine.npz'), 'E_MISSING_FIELD', /mine\.npz.*labels_(train|test)/);
  const badCsv = new TextEncoder().encode('split,label,logits_0\ntrain,0,1\nfoo,1,2\n');
  await reject(client.attack(badCsv, 'rows.csv'), 'E_CSV', /rows\.csv:3: split must be 'train'/);
  await reject(client.attack(new TextEncoder().encode('not a zip'), 'x.npz'), 'E_ZIP', /x\.npz/);
  const ok = new TextEncoder().encode(csvRows());
  await reject(
    client.attack(ok, 'o.csv', { attacks: ['treshold'] }),
    'E_UNKNOWN_NAME',
    /query\.attacks.*treshold/,
  );
  await reject(client.attack(ok, 'o.csv', { attacks: ['rmia'] }), 'E_UNKNOWN_NAME', /--reference/);
  await reject(client.attack(ok, 'o.csv', { slices: ['kinds'] }), 'E_UNKNOWN_NAME', /query\.slices/);
  await reject(client.attack(ok, 'o.txt'), 'E_REQUEST', /query\.file.*\.npz, \.csv or \.json/);
  await reject(client.attack(ok, '../o.csv'), 'E_REQUEST', /query\.file/);
  // as JSON, not an upload: 415; no token: 401; a read-only token: 403
  const asJson = await s.call('/api/v1/attacks?file=o.csv', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(asJson.status, 415);
  const anon = await s.call('/api/v1/attacks?file=o.csv', {
    method: 'POST',
    token: null,
    headers: { 'content-type': 'application/octet-stream' },
    body: ok,
  });
  assert.equal(anon.status, 401);
});

test('an upload over the body limit is 413 before it is read', async () => {
  const big = new Uint8Array(100 * 1024);
  writeFileSync(join(tmp, 'big.npz'), big);
  const r = await s.call('/api/v1/attacks?file=big.npz', {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: big,
  });
  assert.equal(r.status, 413);
  const e = ((await r.json()) as { error: { code: string } }).error;
  assert.equal(e.code, 'E_TOO_LARGE');
  await assert.rejects(
    client.attack(big, 'big.npz'),
    (x: Error & { code?: string }) => x.code === 'E_TOO_LARGE',
  );
});
