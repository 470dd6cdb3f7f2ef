import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AttackScores } from '../../src/attacks/registry.js';
import { parseAuditConfig } from '../../src/audit/config.js';
import { pairedKeepMatrix } from '../../src/audit/keep.js';
import type { AuditData } from '../../src/audit/model-stage.js';
import {
  applyCanaries,
  drawCanaries,
  mislabelCanaries,
  oneRunOfTarget,
} from '../../src/audit/one-run-audit.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { recordRunFiles } from '../../src/audit/run-manifest.js';
import { deriveSeed } from '../../src/audit/seeds.js';
import { readNpy, toBool } from '../../src/io/npy.js';
import { oneRunAudit } from '../../src/metrics/one-run.js';
import { buildHtml } from '../../src/report/html.js';
import { readRunDir } from '../../src/report/run-dir.js';
import { Rng } from '../../src/rng.js';
import { assertRunFormat, errorOf } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-one-run-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('canaries: m distinct audit samples, seeded, each drawn in with probability about ½', () => {
  const a = drawCanaries(1000, 5000, 7);
  assert.equal(a.rows.length, 1000);
  assert.equal(new Set(a.rows).size, 1000);
  for (let j = 1; j < a.rows.length; j++) assert.ok(a.rows[j]! > a.rows[j - 1]!);
  assert.ok(a.rows.every((i) => i >= 0 && i < 5000));
  const members = a.included.reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(members - 500) < 4 * Math.sqrt(250), String(members)); // 4σ
  assert.deepEqual(drawCanaries(1000, 5000, 7), a);
  assert.notDeepEqual(drawCanaries(1000, 5000, 8).included, a.included);
});

test("applyCanaries rewrites the target's keep row at the canaries only; the references keep their pairs", () => {
  const m = 4;
  const n = 50;
  const keep = pairedKeepMatrix(m, n, 3);
  const before = keep.slice();
  const c = drawCanaries(20, n, 1);
  applyCanaries(keep, c);
  const canary = new Set(c.rows);
  for (let i = 0; i < n; i++) {
    if (canary.has(i)) assert.equal(keep[i], c.included[[...c.rows].indexOf(i)]);
    else assert.equal(keep[i], before[i]);
  }
  assert.deepEqual(keep.subarray(n), before.subarray(n));
});

test('mislabelled canaries: a different label at each canary, the rest and the input untouched, a new data key', () => {
  const n = 40;
  const y = Int32Array.from({ length: n }, (_, i) => i % 4);
  const data = {
    audit: { x: new Float32Array(n * 2), y, n, shape: [2], numClasses: 4 },
    population: undefined,
    validation: undefined,
    dataset: { name: 'synthetic', options: {} },
    dataKey: 'k0',
  } as unknown as AuditData;
  const c = drawCanaries(15, n, 2);
  const out = mislabelCanaries(data, c, 9);
  const canary = new Set(c.rows);
  for (let i = 0; i < n; i++) {
    if (canary.has(i)) assert.notEqual(out.audit.y[i], y[i]);
    else assert.equal(out.audit.y[i], y[i]);
    assert.ok(out.audit.y[i]! >= 0 && out.audit.y[i]! < 4);
  }
  assert.deepEqual(
    [...data.audit.y],
    Array.from({ length: n }, (_, i) => i % 4),
  );
  assert.notEqual(out.dataKey, 'k0');
});

test('oneRunOfTarget: the preferred attack (rmia before loss), the canaries only, the one-run claim', () => {
  const n = 300;
  const rng = new Rng(4);
  const c = drawCanaries(200, n, 5);
  const isMember = new Uint8Array(n);
  for (let i = 0; i < n; i++) isMember[i] = rng.next() < 0.5 ? 1 : 0;
  for (let j = 0; j < c.rows.length; j++) isMember[c.rows[j]!] = c.included[j]!;
  const score = (shift: number): Float64Array =>
    Float64Array.from({ length: n }, (_, i) => rng.normal() + shift * isMember[i]!);
  const scores: AttackScores[] = [
    { attack: 'loss', signal: 'loss', scores: score(0) },
    { attack: 'rmia', signal: 'scaled-logit', scores: score(3) },
  ];
  const cfg = { canaries: 200, kind: 'natural' as const, guesses: [10, 50], beta: 0.05 };
  const out = oneRunOfTarget(scores, isMember, c, cfg, 1e-5);
  assert.ok(out !== undefined);
  assert.equal(out.record.attack, 'rmia');
  const want = oneRunAudit(
    Float64Array.from(c.rows, (i) => scores[1]!.scores[i]!),
    Uint8Array.from(c.rows, (i) => isMember[i]!),
    { guesses: [10, 50], delta: 1e-5, beta: 0.05 },
  );
  assert.equal(out.record.epsilon, want.epsilon);
  assert.equal(out.record.canaries, 200);
  assert.ok(out.record.epsilon > 1, String(out.record.epsilon)); // a strong signal is detected
  assert.deepEqual(
    { method: out.claim.method, confidence: out.claim.confidence, thresholds: out.claim.thresholdsCorrected },
    { method: 'one-run', confidence: 0.95, thresholds: 2 },
  );
});

const config = (dir: string, oneRun: string) => `run:
  seed: 5
  log_dir: ${dir}
data:
  dataset: synthetic
  audit_size: 200
  population_size: 60
  validation_size: 30
  synthetic: {shape: [12], classes: 3, noise: 2}
target:
  architecture: {name: mlp, params: {hidden: "32"}}
  epochs: 6
  batch_size: 16
  learning_rate: 0.005
audit:
  reference_models: 1
  attacks: [loss]
  slices: [entire]
  one_run: ${oneRun}
report:
  enabled: false
`;

test('mia audit with audit.one_run: canaries drawn into the target, ε̂ and the one-run claim in results.json', async () => {
  const dir = join(tmp, 'run');
  const run = await runAudit(
    parseAuditConfig(config(dir, '{canaries: 120, kind: mislabelled, guesses: [5, 20, 60]}'), 'c.yaml'),
  );
  assert.equal(run.resultsReused, false);
  const file = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
    oneRun: {
      attack: string;
      kind: string;
      canaries: number;
      members: number;
      epsilon: number;
      k: number;
      sweep: { k: number }[];
    };
    dpClaims: { method: string; epsilon: number }[];
    membership: { detail: string };
  };
  assertRunFormat(dir);
  assert.equal(file.oneRun.attack, 'loss');
  assert.equal(file.oneRun.kind, 'mislabelled');
  assert.equal(file.oneRun.canaries, 120);
  assert.deepEqual(
    file.oneRun.sweep.map((s) => s.k),
    [5, 20, 60],
  );
  assert.ok(file.oneRun.epsilon >= 0 && Number.isFinite(file.oneRun.epsilon));
  assert.deepEqual(
    file.dpClaims.map((c) => c.method),
    ['one-run', 'threshold-test'],
  );
  assert.equal(file.dpClaims[0]!.epsilon, file.oneRun.epsilon);
  assert.match(file.membership.detail, /one-run canaries/);
  // keep.npy's target row is the canaries' draw
  const keep = toBool(readNpy(join(dir, 'keep.npy')), 'keep.npy');
  const c = drawCanaries(120, 200, deriveSeed(5, 'one-run')); // reference-audit.ts's seed;
  let members = 0;
  for (let j = 0; j < c.rows.length; j++) {
    assert.equal(keep[c.rows[j]!], c.included[j]);
    members += c.included[j]!;
  }
  assert.equal(file.oneRun.members, members);
  // a rerun reuses everything
  const again = await runAudit(
    parseAuditConfig(config(dir, '{canaries: 120, kind: mislabelled, guesses: [5, 20, 60]}'), 'c.yaml'),
  );
  assert.equal(again.resultsReused, true);

  // the target as DP-SGD training leaves it (model.json's dp field): results.json carries its accountant's
  // ε and the utility cost, and the claims are made at its δ; the report sets them side by side
  const hashDir = join(dir, 'models', 'target', readdirSync(join(dir, 'models', 'target'))[0]!);
  const record = JSON.parse(readFileSync(join(hashDir, 'model.json'), 'utf8')) as Record<string, unknown>;
  const dp = { noiseMultiplier: 0.8, maxGradNorm: 1, delta: 1e-4, sampleRate: 0.16, steps: 40 };
  record.dp = { ...dp, epochs: 6, sampling: 'poisson', accountant: 'rdp', epsilon: 0.001 };
  writeFileSync(join(hashDir, 'model.json'), JSON.stringify(record));
  recordRunFiles(dir, join(hashDir, 'model.json')); // as the training would have recorded it
  const dpRun = await runAudit(
    parseAuditConfig(config(dir, '{canaries: 120, kind: mislabelled, guesses: [5, 20, 60]}'), 'c.yaml', [
      'audit.slices=[entire, class]',
    ]),
  );
  assert.equal(dpRun.resultsReused, false);
  assert.equal(dpRun.models[0]!.modelReused, true);
  const withDp = readRunDir(dir);
  assertRunFormat(dir);
  const [t] = withDp.dp.dpTraining ?? [];
  assert.equal(t?.model, 'target');
  assert.equal(t?.epsilon, 0.001);
  assert.ok(t?.accuracy !== undefined && t.baselineAccuracy !== undefined);
  assert.ok((withDp.dp.dpClaims ?? []).every((c) => c.delta === 1e-4));
  const html = buildHtml(withDp, [], { generatedAt: '2026-12-07T00:00:00Z' });
  assert.match(html, /<section id="dp"><h2>Differential privacy: theoretical against audited ε<\/h2>/);
  assert.match(html, /<td>0\.00 \(rdp, δ = 0\.0001\)<\/td>/);
  // the audit's bounds on a non-private model exceed a claimed ε of 0.001: the report says so in red
  if ((withDp.dp.dpClaims ?? []).some((c) => c.epsilon > 0.001)) assert.match(html, /RED FINDING/);
});

test('audit.one_run errors name the key: too many canaries, k beyond m/2, a repeated k, experiments mode', () => {
  const bad: [string, RegExp][] = [
    ['{canaries: 500}', /audit\.one_run\.canaries is larger than the 200 audit samples/],
    [
      '{canaries: 100, guesses: [10, 51]}',
      /audit\.one_run\.guesses\[1\] must be an integer in \[1, canaries\/2 = 50\]/,
    ],
    ['{canaries: 100, guesses: [10, 10]}', /audit\.one_run\.guesses lists 10 twice/],
    ['{canaries: 100, kind: random}', /audit\.one_run\.kind must be one of natural, mislabelled/],
    ['{canaries: 100, beta: 0.9}', /audit\.one_run\.beta must be/],
    ['{kind: natural}', /audit\.one_run\.canaries is required/],
    ['{canaries: 100, seed: 3}', /unknown key 'audit\.one_run\.seed'/],
  ];
  for (const [value, re] of bad) {
    const e = errorOf(() => parseAuditConfig(config(join(tmp, 'x'), value), 'c.yaml'));
    assert.equal(e.code, 'E_CONFIG');
    assert.match(e.oneLine(), re);
  }
  const experiments = `data: {dataset: synthetic, audit_size: 100, population_size: 50, validation_size: 10, synthetic: {shape: [4], classes: 2}}
models:
  a: {architecture: {name: mlp}}
experiments:
  - {name: e, models: [a]}
audit:
  attacks: [threshold]
  one_run: {canaries: 10}
`;
  const e = errorOf(() => parseAuditConfig(experiments, 'e.yaml'));
  assert.match(e.oneLine(), /audit\.one_run applies to audits of a target with reference models/);
});
