import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import type { PrivacyPoint } from '../../src/audit/privacy-collection.js';
import { memoryLogger } from '../../src/core/logger.js';
import { toBool, toFloat64, toInt32 } from '../../src/io/npy.js';
import { readNpz } from '../../src/io/npz.js';
import { loadCollection } from '../../src/report/collection.js';
import { assertRunFormat } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-experiments-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'run');

// cifar10 at a path that does not exist: the synthetic fallback dataset stands in (as Fashion-MNIST
// does for the case study on a machine without CIFAR-10).
const config = (privacySamples: number) => `run:
  seed: 9
  log_dir: ${dir}
data:
  dataset: cifar10
  path: ${join(tmp, 'no-cifar')}
  fallback_dataset: synthetic
  audit_size: 240
  population_size: 120
  validation_size: 60
  synthetic: {shape: [8, 8, 1], classes: 6, noise: 2}
training:
  epochs: 3
  batch_size: 24
  learning_rate: 0.005
models:
  conv: {architecture: {name: conv, params: {depth: 1, filters: 4, width: 16}}}
  shallow: {architecture: {name: dense, params: {depth: 1, width: 24}}}
  deep: {architecture: {name: dense, params: {depth: 3, width: 24}}, epochs: 4}
experiments:
  - {name: architecture, title: conv vs dense, models: [conv, shallow]}
  - {name: depth, models: [deep, shallow]}
  - {name: depth-3, models: [deep, shallow], first_k_classes: 3}
audit:
  attacks: [threshold, lr]
  privacy_every_epochs: 1
  privacy_samples: ${privacySamples}
  slices: [entire, class]
report:
  enabled: false
`;

const json = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));

test('experiments mode: five models for three experiments, one reused; every file of the run directory', async () => {
  const log = memoryLogger();
  const run = await runAudit(parseAuditConfig(config(50), 'exp.yaml'), { logger: log });
  assert.ok(log.lines.some((l) => l.startsWith('notice: cifar10 was not found (')));
  assertRunFormat(dir);
  assert.deepEqual(
    run.models.map((m) => [m.id, m.trainSamples, m.modelReused]),
    [
      ['conv', 240, false],
      ['shallow', 240, false],
      ['deep', 240, false],
      ['deep (3 classes)', run.models[3]!.trainSamples, false],
      ['shallow (3 classes)', run.models[3]!.trainSamples, false],
    ],
  );
  const samples = readNpz(join(dir, 'samples.npz'));
  assert.deepEqual(samples.get('x')!.shape, [16, 8, 8, 1]);

  // experiments.json: the dataset that stood in, the experiments and the models
  const exp = json('experiments.json');
  assert.equal(exp.dataset.requested, 'cifar10');
  assert.equal(exp.dataset.used, 'synthetic');
  assert.match(exp.dataset.note, /synthetic stands in for it \(data\.fallback_dataset\)/);
  assert.deepEqual(
    exp.experiments.map((e: { name: string; models: string[]; classes: number }) => [
      e.name,
      e.models,
      e.classes,
    ]),
    [
      ['architecture', ['conv', 'shallow'], 6],
      ['depth', ['deep', 'shallow'], 6],
      ['depth-3', ['deep (3 classes)', 'shallow (3 classes)'], 3],
    ],
  );
  const k3 = exp.models.find((m: { id: string }) => m.id === 'deep (3 classes)');
  assert.equal(k3.classes, 3);
  assert.equal(k3.epochs, 4, 'a model key overrides training');
  assert.equal(
    exp.models.find((m: { id: string }) => m.id === 'conv').architecture,
    'conv: depth 1, filters 4, width 16',
  );

  // results.json: every result tagged with its experiment and model; the reused model in both
  const results = json('results.json').results as {
    experiment: string;
    model: string;
    attack: string;
    auc: number;
    slice: { feature: string };
    nMembers: number;
    nNonMembers: number;
  }[];
  const pairs = [...new Set(results.map((r) => `${r.experiment}/${r.model}`))];
  assert.deepEqual(pairs, [
    'architecture/conv',
    'architecture/shallow',
    'depth/deep',
    'depth/shallow',
    'depth-3/deep (3 classes)',
    'depth-3/shallow (3 classes)',
  ]);
  const entire = (e: string, m: string) =>
    results.filter((r) => r.experiment === e && r.model === m && r.slice.feature === 'entire_dataset');
  assert.deepEqual(
    entire('architecture', 'shallow').map((r) => [r.attack, r.auc]),
    entire('depth', 'shallow').map((r) => [r.attack, r.auc]),
    'the reused model has the same results in both experiments',
  );
  const e3 = entire('depth-3', 'deep (3 classes)')[0]!;
  assert.equal(e3.nMembers, k3.members);
  assert.equal(e3.nNonMembers, k3.nonMembers);
  assert.ok(e3.nMembers < 240 && e3.nMembers > 60, 'the first 3 of 6 classes: about half the samples');

  // scores.npz: <experiment>/<model>/<key>, members first
  const scores = readNpz(join(dir, 'scores.npz'));
  const member = toBool(scores.get('depth-3/deep (3 classes)/is_member')!, 'is_member');
  assert.equal(member.length, e3.nMembers + e3.nNonMembers);
  assert.equal(
    member.reduce((a, b) => a + b, 0),
    e3.nMembers,
  );
  assert.ok(toInt32(scores.get('depth-3/deep (3 classes)/labels')!, 'labels').every((y) => y < 3));
  assert.equal(toFloat64(scores.get('architecture/conv/lr')!, 'lr').length, 240 + 120);

  // history.json: one entry per model; privacy-by-epoch.json: one point per epoch × attack × (experiment, model)
  const history = json('history.json').models as { id: string; label: string; epochs: unknown[] }[];
  assert.deepEqual(
    history.map((m) => [m.id, m.epochs.length]),
    [
      ['conv', 3],
      ['shallow', 3],
      ['deep', 4],
      ['deep (3 classes)', 4],
      ['shallow (3 classes)', 3],
    ],
  );
  assert.match(history[0]!.label, /^conv \([\d,]+ parameters\)$/);
  const points = loadCollection(join(dir, 'privacy-by-epoch.json')).points;
  const count = (e: string, m: string) => points.filter((p) => p.experiment === e && p.model === m).length;
  assert.equal(count('architecture', 'conv'), 6);
  assert.equal(count('depth', 'deep'), 8);
  assert.equal(count('depth-3', 'shallow (3 classes)'), 6);
  const strip = (ps: PrivacyPoint[]) => ps.map(({ experiment: _e, ...p }) => p);
  assert.deepEqual(
    strip(points.filter((p) => p.experiment === 'architecture' && p.model === 'shallow')),
    strip(points.filter((p) => p.experiment === 'depth' && p.model === 'shallow')),
    'the reused model: the same points, tagged with each experiment',
  );
  const side = JSON.parse(readFileSync(join(dir, 'privacy', 'deep-k3.json'), 'utf8'));
  assert.equal(side.complete, true);
  assert.equal(side.points.length, 8);

  // the comparison in words, also returned
  assert.match(
    run.comparison!.lines[0]!,
    /^Dataset: cifar10 was not found on this machine, so synthetic stood in/,
  );
  assert.match(run.comparison!.lines[1]!, /^Experiment 1, architecture \(conv vs dense\), 6 classes: /);
  assert.match(run.comparison!.lines.join('\n'), /With 3 classes instead of 6/);
  assert.equal(run.comparison!.standings.length, 6);
});

test('a rerun reuses every model and its per-epoch results; new privacy settings retrain to measure them', async () => {
  const before = readFileSync(join(dir, 'privacy-by-epoch.json'), 'utf8');
  const log = memoryLogger();
  const run = await runAudit(parseAuditConfig(config(50), 'exp.yaml'), { logger: log });
  assert.ok(run.models.every((m) => m.modelReused && m.signalsReused));
  assert.equal(log.lines.filter((l) => /cached model loaded, per-epoch results reused/.test(l)).length, 5);
  assert.ok(!log.lines.some((l) => /privacy at epoch/.test(l)), 'no attack during training');
  assert.equal(readFileSync(join(dir, 'privacy-by-epoch.json'), 'utf8'), before);

  const log2 = memoryLogger();
  const run2 = await runAudit(parseAuditConfig(config(40), 'exp.yaml'), { logger: log2 });
  assert.ok(run2.models.every((m) => !m.modelReused));
  assert.equal(log2.lines.filter((l) => /training it again to measure them/.test(l)).length, 5);
  assert.ok(existsSync(join(dir, 'privacy', 'conv.json')));
});
