// `mia attack --model M`: the output and label-only attacks on a saved model, members and non-members as
// `mia infer` picks them, the query budget printed, seeded queries; usage errors are one line.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runMia } from './run-mia.js';

const dir = mkdtempSync(join(tmpdir(), 'mia-attack-model-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const trained = (() => {
  const r = runMia(
    [
      'train',
      '--dataset',
      'synthetic',
      '--arch',
      'dense',
      '--arch-param',
      'depth=1',
      '--arch-param',
      'width=64',
      '--epochs',
      '40',
      '--train-size',
      '80',
      '--val-size',
      '40',
      '--seed',
      '2',
      '--backend',
      'cpu',
      '--out',
      'model',
    ],
    dir,
  );
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return join(dir, 'model');
})();

const ATTACKS = 'label-gap,label-augment,label-noise,label-boundary';

test('mia attack --model runs label-augment, label-noise and label-boundary on a saved model and prints the query budget', () => {
  const args = [
    'attack',
    '--model',
    trained,
    '--attacks',
    ATTACKS,
    '--noise-sigmas',
    '0.3,0.6',
    '--noise-draws',
    '3',
    '--boundary-queries',
    '30',
    '--slices',
    'entire',
    '--seed',
    '4',
    '--json',
  ];
  const r = runMia([...args, 'a.json'], dir);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^synthetic: 80 members \(train rows\), 80 non-members \(test rows\), 10 classes$/m);
  assert.match(
    r.stdout,
    /^label queries per sample: label-augment 10, label-noise 6, label-boundary [\d.]+ on average; \d+ queries in all on 160 samples \(label-boundary at most 30\)/m,
  );
  const a = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')).results as {
    attack: string;
    auc: number;
  }[];
  assert.deepEqual(
    a.map((x) => x.attack),
    ATTACKS.split(','),
  );
  for (const x of a) assert.ok(x.auc > 0.5, `${x.attack} AUC ${x.auc}`);
  // the same seed gives the same queries and scores
  const again = runMia([...args, 'b.json'], dir);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).results,
    JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')).results,
  );
});

test('mia attack --model: one-line errors for combined inputs, flags without --model, a bad σ', () => {
  const both = runMia(['attack', '--model', trained, '--input', 'x.npz'], dir);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^error \[E_USAGE\] mia attack: --input and --model cannot be combined/m);
  const none = runMia(['attack'], dir);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--input \(or --reference, or --model\) is required/);
  const lone = runMia(['attack', '--input', 'x.npz', '--boundary-queries', '5'], dir);
  assert.equal(lone.code, 2);
  assert.match(lone.stderr, /--boundary-queries goes with --model/);
  const sigma = runMia(['attack', '--model', trained, '--noise-sigmas', '0,1'], dir);
  assert.equal(sigma.code, 2);
  assert.match(sigma.stderr, /--noise-sigmas: '0' is not a number > 0/);
  assert.equal(sigma.stderr.trim().split('\n').length, 1);
});
