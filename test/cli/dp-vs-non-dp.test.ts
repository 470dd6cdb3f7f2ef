// `mia audit configs/dp-vs-non-dp.yaml` as the README runs it, on a tiny budget and the synthetic
// dataset: the DP model and the normal model are both attacked, results.json sets the DP model's
// accountant ε next to its audited ε̂ (one-run and threshold test), and the report shows the gap.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertRunFormat } from '../audit/helpers.js';
import { runMia } from './run-mia.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'mia-dp-vs-non-dp-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const TINY = [
  'data.dataset=synthetic',
  'data.audit_size=400',
  'data.population_size=200',
  'data.validation_size=100',
  'target.epochs=3',
  'audit.one_run.canaries=200',
  'audit.one_run.guesses=[5, 20, 50]',
];

interface Results {
  results: { attack: string; model?: string; experiment?: string }[];
  dpTraining?: {
    model: string;
    epsilon: number;
    noiseMultiplier: number;
    steps: number;
    accuracy?: number;
    baselineAccuracy?: number;
  }[];
  dpClaims?: { method: string; model?: string; epsilon: number }[];
  oneRun?: { canaries: number; kind: string; epsilon: number };
}

test('mia audit configs/dp-vs-non-dp.yaml: a DP and a normal model attacked, theoretical against audited ε', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /^npx mia audit configs\/dp-vs-non-dp\.yaml/m, 'README.md runs the config');
  const dir = join(tmp, 'run');
  const args = ['audit', 'configs/dp-vs-non-dp.yaml', '--log-dir', dir, ...TINY.flatMap((s) => ['--set', s])];
  const r = runMia(args, ROOT, 300_000);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^\[1\/6\] target {2}epoch 3\/3 .* ε \d+\.\d+ \(δ 0\.00001\)/m);
  assertRunFormat(dir);
  const file = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
  // both models are targets: the DP one (experiment 0) and the normal one (experiment 1)
  assert.deepEqual([...new Set(file.results.map((x) => x.model))].sort(), ['ref-01', 'target']);
  const [t, ...others] = file.dpTraining ?? [];
  assert.equal(others.length, 0, 'only the DP target has a dpTraining entry');
  assert.equal(t?.model, 'target');
  assert.ok(t.epsilon > 0 && t.epsilon <= 3, `the calibrated ε ${t.epsilon} reaches the target 3`);
  assert.ok(t.noiseMultiplier > 0 && t.steps > 0);
  assert.ok(t.accuracy !== undefined && t.baselineAccuracy !== undefined);
  // the audited bounds of the DP model: one-run (its canaries) and its own threshold test
  const claims = file.dpClaims ?? [];
  const oneRun = claims.find((c) => c.method === 'one-run');
  assert.equal(oneRun?.model, 'target');
  assert.equal(oneRun.epsilon, file.oneRun?.epsilon);
  assert.equal(file.oneRun?.canaries, 200);
  assert.equal(file.oneRun?.kind, 'natural');
  const own = claims.find((c) => c.method === 'threshold-test' && c.model === 'target');
  assert.ok(own !== undefined, 'a threshold-test claim of the DP target itself');
  // DP holds: no audited bound above the accountant's ε
  for (const c of claims.filter((x) => x.model === 'target')) assert.ok(c.epsilon <= t.epsilon, c.method);
  const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
  assert.match(html, /<section id="dp"><h2>Differential privacy: theoretical against audited ε<\/h2>/);
  assert.match(
    html,
    /<th>theoretical ε<\/th><th>audited ε̂ \(one-run\)<\/th><th>audited ε̂ \(attacks\)<\/th><th>certified<\/th><th>gap<\/th>/,
  );
  assert.match(html, /so the audit certifies ≥ \d+% of the claimed ε \(an audit gap of \d+\.\d\d\)/);
  assert.doesNotMatch(html, /RED FINDING/);
});
