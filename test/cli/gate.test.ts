// The "done when" of `mia gate` (issue 16): a leaky model and a regularised one trained on a small set;
// the gate fails the first and passes the second, as the CI job of docs/ci.md runs it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
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

/**
 * The script of docs/ci.md's GitLab job (the ```yaml block with `privacy-audit:`), one command per
 * entry, folded lines joined as GitLab joins them.
 */
function gitlabScript(): string[] {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/ci.md', import.meta.url)), 'utf8');
  const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((b) => /^privacy-audit:/m.test(b));
  assert.ok(block !== undefined, 'docs/ci.md has the GitLab job');
  const job = (parse(block) as { 'privacy-audit': { script: string[] } })['privacy-audit'];
  return job.script.map((c) => c.trim().replace(/\s+/g, ' '));
}

/** Each run's job directory (audit.yaml, gate.xml, gate.md) and the exit status of each script command. */
const jobs = new Map<string, { dir: string; codes: Map<string, number>; gateOut: string }>();
const leaky = join(tmp, 'leaky', 'runs', 'release');
const regularised = join(tmp, 'regularised', 'runs', 'release');

// the GitLab job of docs/ci.md, run as written in a checkout whose audit.yaml is the leaky (or the
// regularised) model's config: every `npx mia …` command of its script (npm ci installs nothing here)
before(() => {
  const script = gitlabScript();
  assert.deepEqual(
    script.map((c) => c.split(' ').slice(0, 3).join(' ')),
    ['npm ci', 'npx mia audit', 'npx mia gate'],
  );
  const training = { leaky: '  epochs: 150', regularised: '  epochs: 2\n  weight_decay: 0.01' };
  for (const [name, train] of Object.entries(training)) {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'audit.yaml'), config('runs/not-this-one', train));
    const codes = new Map<string, number>();
    let gateOut = '';
    for (const command of script.filter((c) => c.startsWith('npx mia '))) {
      const args = command.split(' ').slice(2);
      const r = runMia(args, dir);
      codes.set(args[0]!, r.code);
      if (args[0] === 'gate') gateOut = r.stdout + r.stderr;
      else assert.equal(r.code, 0, r.stderr);
    }
    jobs.set(name, { dir, codes, gateOut });
  }
});

test('the GitLab job of docs/ci.md fails the leaky model and passes the regularised one', () => {
  const bad = jobs.get('leaky')!;
  assert.equal(bad.codes.get('gate'), 1, bad.gateOut);
  assert.match(bad.gateOut, /^FAIL {2}auc ≤ 0\.6 {2}loss · entire dataset/m);
  assert.match(readFileSync(join(bad.dir, 'gate.xml'), 'utf8'), /tests="3" failures="[123]"/);
  assert.match(readFileSync(join(bad.dir, 'gate.md'), 'utf8'), /## Privacy gate: FAIL/);
  const good = jobs.get('regularised')!;
  assert.equal(good.codes.get('gate'), 0, good.gateOut);
  assert.match(good.gateOut, /^gate: PASS, all 3 checks passed/m);
  assert.match(readFileSync(join(good.dir, 'gate.xml'), 'utf8'), /tests="3" failures="0"/);
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
