// The "done when" of `mia gate` (issue 16): a leaky model and a regularised one trained on a small set;
// the gate fails the first and passes the second, as the CI job of docs/ci.md runs it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runMia } from './run-mia.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-gate-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** An MLP on a noisy synthetic set: 150 epochs without regularisation memorise it; 2 with weight decay do not. */
function config(dir: string, training: string): string {
  return `run:
  seed: 11
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 400
  population_size: 100
  validation_size: 50
  synthetic: {shape: [16], classes: 4, noise: 4}
target:
  architecture: {name: mlp, params: {hidden: "128"}}
  batch_size: 20
${training}
audit:
  reference_models: 1
  attacks: [loss]
  slices: [entire, class]
report:
  enabled: false
`;
}

const leaky = join(tmp, 'leaky');
const regularised = join(tmp, 'regularised');

before(() => {
  writeFileSync(join(tmp, 'leaky.yaml'), config(leaky, '  epochs: 150'));
  writeFileSync(join(tmp, 'regularised.yaml'), config(regularised, '  epochs: 2\n  weight_decay: 0.01'));
  for (const name of ['leaky', 'regularised']) {
    const r = runMia(['audit', join(tmp, `${name}.yaml`)]);
    assert.equal(r.code, 0, r.stderr);
  }
});

const GATE = ['--max-auc', '0.6', '--max-tpr', '0.1:0.5'];

test('the gate fails the leaky model (exit 1) and passes the regularised one (exit 0)', () => {
  const junit = join(tmp, 'gate.xml');
  const md = join(tmp, 'gate.md');
  const fail = runMia(['gate', leaky, ...GATE, '--junit', junit, '--markdown', md]);
  assert.equal(fail.code, 1, fail.stdout + fail.stderr);
  assert.match(
    fail.stdout,
    /^FAIL {2}auc ≤ 0\.6 {2}loss · entire dataset {2}value 0\.\d+ \[0\.\d+, 0\.\d+\] {2}ceiling 0\.6/m,
  );
  assert.match(fail.stdout, /^gate: FAIL, 1 of 2 checks failed \(rule interval\)$/m);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /tests="2" failures="1"/);
  assert.match(readFileSync(md, 'utf8'), /## Privacy gate: FAIL/);

  const pass = runMia(['gate', join(regularised, 'results.json'), ...GATE]);
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /^PASS {2}auc ≤ 0\.6 {2}loss · entire dataset/m);
  assert.match(pass.stdout, /^gate: PASS, all 2 checks passed/m);
});

test('against the regularised run as baseline, the leaky run’s increase is significant (paired samples)', () => {
  const r = runMia(['gate', leaky, '--baseline', regularised, '--max-increase', 'auc:0.05']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL {2}increase of auc ≤ 0\.05 .*paired bootstrap/);
  const back = runMia([
    'gate',
    regularised,
    '--baseline',
    leaky,
    '--max-increase',
    'auc:0.05',
    '--slice',
    'class',
  ]);
  assert.equal(back.code, 0, back.stdout + back.stderr);
  assert.equal(back.stdout.match(/^PASS {2}increase of auc/gm)?.length, 4); // four classes, by MOVER
});

test('bad input exits 2 with one line: unknown attack, missing FPR target, no check', () => {
  const attack = runMia(['gate', leaky, '--max-auc', '0.6', '--attack', 'rmia']);
  assert.equal(attack.code, 2);
  assert.equal(attack.stderr.trim().split('\n').length, 1);
  assert.match(attack.stderr, /^error \[E_UNKNOWN_NAME\] .*results\.json: no attack 'rmia' in the results/);
  const fpr = runMia(['gate', leaky, '--max-tpr', '0.02:0.1']);
  assert.equal(fpr.code, 2);
  assert.match(fpr.stderr, /E_MISSING_FIELD.*no TPR at FPR 0\.02/);
  const none = runMia(['gate', leaky]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /E_USAGE.*nothing to check/);
  const missing = runMia(['gate', join(tmp, 'nope'), '--max-auc', '0.5']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /E_IO/);
});
