import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMia } from './run-mia.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-plan-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const configs = fileURLToPath(new URL('../../configs/', import.meta.url));

const small = (dir: string) => `run:
  seed: 3
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 400
  population_size: 50
  validation_size: 20
  synthetic: {shape: [8], classes: 2}
target:
  architecture: {name: mlp, params: {hidden: "16"}}
  epochs: 2
  batch_size: 50
audit:
  reference_models: 1
  attacks: [loss]
  fpr_targets: [0.001, 0.1]
  slices: [entire]
report:
  enabled: false
`;

test('mia plan prints the budget, and --json - writes it to standard output', () => {
  const r = runMia([
    'plan',
    '--fpr',
    '0.001',
    '--half-width',
    '0.01',
    '--expected-tpr',
    '0.05',
    '--attack',
    'rmia,lira-online',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}non-members {7}10000$/m);
  assert.match(r.stdout, /^ {2}members {11}1924$/m);
  assert.match(r.stdout, /reference models {2}rmia 4, lira-online 64 {2}\(audit\.reference_models: 65\)/);
  const j = runMia(['plan', '--fpr', '0.01', '--half-width', '0.05', '--json', '-']);
  assert.equal(j.code, 0, j.stderr);
  const plan = JSON.parse(j.stdout) as Record<string, unknown>;
  assert.equal(plan.nonMembers, 1000);
  assert.equal(plan.referenceModels, 4);
  assert.equal(plan.wallSeconds, null);
  assert.ok(Array.isArray(plan.notes));
});

test('mia plan refuses, in one line, a config that cannot resolve its own FPR targets', () => {
  const r = runMia(['plan', '--config', join(configs, 'quickstart.yaml')]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(
    r.stderr,
    /^error \[E_CONFIG\] .*quickstart\.yaml.*: audit\.fpr_targets 0\.001 rests on 1 false positive at 1000 non-members \(needs 10000/,
  );
  const ok = runMia([
    'plan',
    '--config',
    join(configs, 'quickstart.yaml'),
    '--set',
    'audit.fpr_targets=[0.01]',
    '--no-calibrate',
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /TPR at FPR 0\.01/);
});

test('mia audit warns before training; mia plan sizes the wall time from the run’s timing.json or a calibration', () => {
  const dir = join(tmp, 'run');
  const file = join(tmp, 'small.yaml');
  writeFileSync(file, small(dir));
  const audit = runMia(['audit', file]);
  assert.equal(audit.code, 0, audit.stderr);
  const warn = audit.stdout.indexOf(
    'warning: audit.fpr_targets 0.001 rests on 0.2 false positives at 200 non-members',
  );
  assert.ok(warn >= 0, audit.stdout);
  assert.ok(warn < audit.stdout.indexOf('target: trained'), 'the warning comes before training');
  const fromRun = runMia(['plan', '--config', file, '--fpr', '0.01', '--half-width', '0.05', '--json', '-']);
  assert.equal(fromRun.code, 0, fromRun.stderr);
  const plan = JSON.parse(fromRun.stdout) as {
    wallSeconds: number;
    configWallSeconds: number;
    notes: string[];
  };
  assert.ok(plan.wallSeconds > 0 && plan.configWallSeconds > 0);
  assert.ok(plan.wallSeconds > plan.configWallSeconds, 'the planned audit (1000 samples) takes longer');
  assert.match(plan.notes.at(-1)!, /timing\.json of .*s per model at 400 samples × 2 epochs/);
  const calibrated = runMia(['plan', '--config', file, '--fpr', '0.01', '--from-run', join(tmp, 'none')]);
  assert.equal(calibrated.code, 0, calibrated.stderr);
  assert.match(calibrated.stdout, /calibration: \d+ training steps of 16 samples of mlp at \d+ samples\/s/);
});
