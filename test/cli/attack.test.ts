import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMia } from './run-mia.js';

const fixture = fileURLToPath(new URL('../attacks/fixtures/tfp_parity.npz', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'mia-attack-'));

test('mia attack writes the documented JSON schema and a summary table', () => {
  const out = join(tmp, 'out.json');
  const csv = join(tmp, 'out.csv');
  const r = runMia([
    'attack',
    '--input',
    fixture,
    '--attacks',
    'threshold,threshold-entropy,lr',
    '--slices',
    'entire,class,correctness',
    '--json',
    out,
    '--csv',
    csv,
    '--seed',
    '3',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /300 members, 200 non-members, 5 classes/);
  assert.match(r.stdout, /Worst case: /);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { results: Record<string, unknown>[] };
  const entire = json.results.filter((x) => (x.slice as { feature: string }).feature === 'entire_dataset');
  assert.deepEqual(
    entire.map((x) => x.attack),
    ['threshold', 'threshold-entropy', 'lr'],
  );
  const first = json.results[0]!;
  assert.deepEqual(Object.keys(first).slice(0, 12), [
    'attack',
    'signal',
    'slice',
    'nMembers',
    'nNonMembers',
    'auc',
    'aucInterval',
    'advantage',
    'ppvMaxOverThresholds',
    'tprAtFpr',
    'epsilonLowerBound',
    'epsilon',
  ]);
  assert.equal(first.signal, 'loss');
  assert.deepEqual(first.slice, { feature: 'entire_dataset' });
  const t = first.tprAtFpr as Record<string, { tpr: number; low: number; high: number; lowSupport: boolean }>;
  assert.deepEqual(Object.keys(t), ['0.001', '0.01', '0.05', '0.1']);
  for (const e of Object.values(t)) assert.ok(e.low <= e.tpr && e.tpr <= e.high);
  assert.ok(t['0.001']!.lowSupport, 'FPR 0.1% of 200 non-members rests on < 10 false positives');
  assert.ok(json.results.some((x) => (x.slice as { feature: string; value?: unknown }).value === 3));
  assert.ok(json.results.some((x) => (x.slice as { value?: unknown }).value === false));
  const lr = entire.find((x) => x.attack === 'lr')!;
  assert.match(String(lr.note), /trained on \d+ members/);
  const csvLines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(csvLines.length, json.results.length + 1);
  assert.match(csvLines[0]!, /^attack,signal,slice_feature,slice_value,/);
});

test('mia attack: bad input exits 2 with one line naming the file and array', () => {
  const bad = join(tmp, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({ logits_train: [[1, 2]], logits_test: [[1, 2]], labels_train: [5], labels_test: [0] }),
  );
  const r = runMia(['attack', '--input', bad]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /E_LABEL_RANGE.*bad\.json:labels_train/);

  const missing = runMia(['attack', '--input', join(tmp, 'nope.npz')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.npz/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);

  const typo = runMia(['attack', '--input', fixture, '--attacks', 'treshold']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown attack 'treshold'/);

  const flag = runMia(['attack', '--inptu', fixture]);
  assert.equal(flag.code, 2);
  assert.equal(flag.stderr.trim().split('\n').length, 1);
});

test('mia attack reads CSV input with the same names', () => {
  const csv = join(tmp, 'in.csv');
  const rows = ['split,label,logits_0,logits_1'];
  for (let i = 0; i < 40; i++) rows.push(`train,${i % 2},${i % 2 ? 0 : 3},${i % 2 ? 3 : 0}`);
  for (let i = 0; i < 40; i++) rows.push(`test,${i % 2},${(i % 5) * 0.3},${1 - (i % 3) * 0.4}`);
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const out = join(tmp, 'csv.json');
  const r = runMia(['attack', '--input', csv, '--attacks', 'threshold', '--slices', 'entire', '--json', out]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(out, 'utf8')).results[0];
  assert.equal(res.nMembers, 40);
  assert.ok(res.auc > 0.9);
});

test('mia attack checks every flag before reading the input; reference attacks point to --reference', () => {
  const oneLine = (r: { code: number; stdout: string; stderr: string }, re: RegExp) => {
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '', 'nothing is printed before the error (no input summary)');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, re);
  };
  oneLine(runMia(['attack', '--input', fixture, '--top', 'abc']), /--top must be an integer/);
  oneLine(runMia(['attack', '--input', fixture, '--top', '0']), /--top must be at least 1/);
  oneLine(
    runMia(['attack', '--input', fixture, '--seed', '-2']),
    /--seed must be an integer in \[0, 2147483647\] \(found -2\)/,
  );
  oneLine(
    runMia(['attack', '--input', fixture, '--attacks', 'threshold,rmia']),
    /unknown attack 'rmia'; reference-model attacks \(rmia, lira-\*, attack-r, attack-p\) need `mia attack --reference FILE`.*audit config/,
  );
  oneLine(runMia(['attack', '--input', fixture, '--attacks', 'lira-offline']), /--reference FILE/);
  oneLine(runMia(['attack', '--input', fixture, '--attacks', 'lr,lr']), /'lr' is listed twice/);
  oneLine(runMia(['attack', '--input', fixture, '--attacks', ',']), /--attacks lists no attack/);
  oneLine(runMia(['attack', '--input', fixture, '--slices', 'klass']), /unknown slice 'klass'/);
});

test('mia attack: one non-member with trained attacks names the file and *_train / *_test', () => {
  const one = join(tmp, 'one.json');
  writeFileSync(
    one,
    JSON.stringify({
      logits_train: [
        [1, 2],
        [2, 1],
        [0, 3],
      ],
      logits_test: [[1, 2]],
      labels_train: [1, 0, 1],
      labels_test: [0],
    }),
  );
  const r = runMia(['attack', '--input', one, '--attacks', 'threshold,lr,knn']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0]!,
    /E_EMPTY\] .*one\.json: the trained attacks \(lr, knn\) need at least 2 members \(rows of \*_train\) and 2 non-members \(rows of \*_test\).*found 3 members, 1 non-member\)/,
  );
  assert.doesNotMatch(lines[0]!, /isMember/);
  // threshold attacks alone run on it
  const ok = runMia(['attack', '--input', one, '--attacks', 'threshold', '--slices', 'entire']);
  assert.equal(ok.code, 0, ok.stderr);
});
