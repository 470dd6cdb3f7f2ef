import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditResult } from '../../src/audit/attack-stage.js';
import {
  aucStandardError,
  compareExperiments,
  differenceInterval,
  type ExperimentsFile,
} from '../../src/audit/compare-experiments.js';
import { fakePoint, fakeResult, tprEntry } from './helpers.js';

/**
 * A result of `model` in `experiment` on 5000 members and 5000 non-members (entire dataset unless
 * `slice`), with the SE DeLong would give there (≈ Hanley–McNeil's).
 */
const result = (
  experiment: string,
  model: string,
  attack: string,
  auc: number,
  tpr: number,
  slice: AuditResult['slice'] = { feature: 'entire_dataset' },
) => {
  const se = aucStandardError(auc, 5000, 5000);
  return fakeResult(attack, auc, tpr, {
    slice,
    nMembers: 5000,
    nNonMembers: 5000,
    experiment,
    model,
    aucInterval: { low: auc - 1.96 * se, high: auc + 1.96 * se, se, method: 'DeLong' },
  });
};

const FILE: ExperimentsFile = {
  dataset: { requested: 'cifar10', used: 'fashion-mnist', source: '/usr/share/datasets/fashion-mnist' },
  experiments: [
    { name: 'architecture', title: 'conv vs dense', models: ['conv-3', 'dense-4'], classes: 10 },
    { name: 'depth', models: ['dense-7', 'dense-4'], classes: 10 },
    { name: 'depth-4', models: ['dense-7 (4 classes)', 'dense-4 (4 classes)'], classes: 4 },
  ],
  models: [
    {
      id: 'conv-3',
      name: 'conv-3',
      architecture: 'conv: depth 3',
      params: 100,
      classes: 10,
      members: 9,
      nonMembers: 9,
      epochs: 3,
    },
    {
      id: 'dense-4',
      name: 'dense-4',
      architecture: 'dense: depth 4',
      params: 200,
      classes: 10,
      members: 9,
      nonMembers: 9,
      epochs: 3,
    },
    {
      id: 'dense-7',
      name: 'dense-7',
      architecture: 'dense: depth 7',
      params: 300,
      classes: 10,
      members: 9,
      nonMembers: 9,
      epochs: 3,
    },
    {
      id: 'dense-7 (4 classes)',
      name: 'dense-7',
      architecture: 'dense: depth 7',
      params: 280,
      classes: 4,
      members: 4,
      nonMembers: 4,
      epochs: 3,
    },
    {
      id: 'dense-4 (4 classes)',
      name: 'dense-4',
      architecture: 'dense: depth 4',
      params: 180,
      classes: 4,
      members: 4,
      nonMembers: 4,
      epochs: 3,
    },
  ],
};

const RESULTS: AuditResult[] = [
  result('architecture', 'conv-3', 'threshold', 0.55, 0.02),
  result('architecture', 'conv-3', 'lr', 0.56, 0.01),
  result('architecture', 'conv-3', 'lr', 0.99, 0.9, { feature: 'class', value: 1 }), // slices are ignored
  result('architecture', 'dense-4', 'threshold', 0.6, 0.03),
  result('architecture', 'dense-4', 'lr', 0.58, 0.05),
  result('depth', 'dense-7', 'threshold', 0.65, 0.06),
  result('depth', 'dense-7', 'lr', 0.62, 0.04),
  result('depth', 'dense-4', 'threshold', 0.6, 0.03),
  result('depth', 'dense-4', 'lr', 0.58, 0.05),
  result('depth-4', 'dense-7 (4 classes)', 'threshold', 0.6, 0.02),
  result('depth-4', 'dense-4 (4 classes)', 'threshold', 0.59, 0.01),
];

const epochs = (train: number, val: number) => [
  { epoch: 1, trainAccuracy: 0.5, valAccuracy: 0.5 },
  { epoch: 2, trainAccuracy: train, valAccuracy: val },
];
const HISTORY = [
  { id: 'conv-3', epochs: epochs(0.8, 0.75) },
  { id: 'dense-4', epochs: epochs(0.9, 0.7) },
  { id: 'dense-7', epochs: epochs(0.95, 0.7) },
  { id: 'dense-7 (4 classes)', epochs: epochs(0.9, 0.85) },
  { id: 'dense-4 (4 classes)', epochs: epochs(0.88, 0.84) },
];

const point = (experiment: string, model: string, epoch: number, attack: string, auc: number) =>
  fakePoint(model, epoch, attack, auc, { experiment });

test('compareExperiments: who leaks more, by how much, per experiment and across experiments', () => {
  const points = [
    point('architecture', 'conv-3', 1, 'lr', 0.52),
    point('architecture', 'conv-3', 2, 'lr', 0.57),
    point('architecture', 'dense-4', 1, 'threshold', 0.61),
    point('architecture', 'dense-4', 2, 'threshold', 0.6),
    point('depth', 'dense-4', 2, 'threshold', 0.6),
    point('depth', 'dense-7', 2, 'lr', 0.66),
  ];
  const c = compareExperiments(FILE, RESULTS, HISTORY, points);
  assert.deepEqual(c.lines, [
    'Dataset: cifar10 was not found on this machine, so fashion-mnist stood in for it (/usr/share/datasets/fashion-mnist); every number below describes fashion-mnist.',
    'Experiment 1, architecture (conv vs dense), 10 classes: dense-4 leaks more than conv-3: best AUC 0.600 ± 0.006 vs 0.560 ± 0.006 (+0.040; threshold vs lr attack), attacker advantage 0.100 vs 0.060, TPR at 1% FPR 5.0% vs 2.0% (difference +3.0 points, 95% CI −95.1 to +98.0, within the noise); the AUC difference exceeds the noise (±0.016, two standard errors of the sampling noise). ' +
      'At the last epoch dense-4 has 90.0% training vs 70.0% validation accuracy (gap 20.0 points), conv-3 80.0% training vs 75.0% validation accuracy (gap 5.0 points) — the model that overfits more leaks more. ' +
      'Measured during training, the AUC of dense-4 peaked at 0.610 (epoch 1, threshold) and that of conv-3 at 0.570 (epoch 2, lr); at 2 of the 2 epochs both were attacked, dense-4 had the higher AUC (best attack of each epoch).',
    'Experiment 2, depth, 10 classes: dense-7 leaks more than dense-4: best AUC 0.650 ± 0.005 vs 0.600 ± 0.006 (+0.050; threshold vs threshold attack), attacker advantage 0.150 vs 0.100, TPR at 1% FPR 6.0% vs 5.0% (difference +1.0 points, 95% CI −94.2 to +95.1, within the noise); the AUC difference exceeds the noise (±0.016, two standard errors of the sampling noise). ' +
      'At the last epoch dense-7 has 95.0% training vs 70.0% validation accuracy (gap 25.0 points), dense-4 90.0% training vs 70.0% validation accuracy (gap 20.0 points) — the model that overfits more leaks more. ' +
      'Measured during training, the AUC of dense-7 peaked at 0.660 (epoch 2, lr) and that of dense-4 at 0.600 (epoch 2, threshold).',
    'Experiment 3, depth-4, 4 classes: dense-7 (4 classes) and dense-4 (4 classes) leak about equally: best AUC 0.600 ± 0.006 vs 0.590 ± 0.006 (+0.010; threshold vs threshold attack), attacker advantage 0.100 vs 0.090, TPR at 1% FPR 2.0% vs 1.0% (difference +1.0 points, 95% CI −98.0 to +99.0, within the noise); the AUC difference is within the noise (±0.016, two standard errors of the sampling noise). ' +
      'At the last epoch dense-7 (4 classes) has 90.0% training vs 85.0% validation accuracy (gap 5.0 points), dense-4 (4 classes) 88.0% training vs 84.0% validation accuracy (gap 4.0 points).',
    'With 4 classes instead of 10 (best AUC on 4 vs on 10 classes): dense-4 0.590 vs 0.600 (−0.010, within noise); dense-7 0.600 vs 0.650 (−0.050) — dense-7 leaks less with fewer classes, beyond the noise.',
    '2 of the 3 comparisons separate their models beyond the noise; the difference is largest in experiment depth (dense-7 over dense-4 by 0.050 AUC) and smallest in depth-4 (dense-7 (4 classes) over dense-4 (4 classes) by 0.010).',
    'Of all 5 models, dense-7 leaks most (AUC 0.650, TPR at 1% FPR 6.0%) and conv-3 least (AUC 0.560, 2.0%).',
  ]);
  // the reused model stands in both experiments; the standings follow the config's order
  assert.deepEqual(
    c.standings.map((s) => [s.experiment, s.model, s.attack, s.auc]),
    [
      ['architecture', 'conv-3', 'lr', 0.56],
      ['architecture', 'dense-4', 'threshold', 0.6],
      ['depth', 'dense-7', 'threshold', 0.65],
      ['depth', 'dense-4', 'threshold', 0.6],
      ['depth-4', 'dense-7 (4 classes)', 'threshold', 0.6],
      ['depth-4', 'dense-4 (4 classes)', 'threshold', 0.59],
    ],
  );
  const d4 = c.standings[1]!;
  assert.equal(d4.tprAt1Fpr, 0.05, 'TPR at 1% FPR: the highest over the attacks');
  assert.ok(Math.abs(d4.gap! - 0.2) < 1e-12);
  assert.equal(c.standings[4]!.peak, undefined, 'no points: no peak');
});

test('aucStandardError: Hanley & McNeil (1982) by hand', () => {
  // A = 0.6, m = n = 100: Q1 = 0.6/1.4, Q2 = 0.72/1.6; (0.24 + 99(Q1 − 0.36) + 99(Q2 − 0.36)) / 10⁴
  const q1 = 0.6 / 1.4;
  const q2 = 0.72 / 1.6;
  const hand = Math.sqrt((0.24 + 99 * (q1 - 0.36) + 99 * (q2 - 0.36)) / 1e4);
  assert.ok(Math.abs(aucStandardError(0.6, 100, 100) - hand) < 1e-15);
  assert.ok(Math.abs(hand - 0.039923140443321126) < 1e-15, 'python: 0.039923140443321126');
  assert.ok(aucStandardError(0.6, 5000, 5000) < aucStandardError(0.6, 500, 500), 'shrinks with samples');
  assert.ok(Number.isNaN(aucStandardError(0.6, 0, 10)));
});

test('compareExperiments: the dataset as configured, models without results left out', () => {
  const file = { ...FILE, dataset: { requested: 'cifar10', used: 'cifar10', source: 'cache' } };
  const c = compareExperiments(file, RESULTS.slice(0, 5), [], []);
  assert.equal(c.lines[0], 'Dataset: cifar10 (cache).');
  assert.equal(c.lines.length, 2, 'only experiment 1 has results; no cross-experiment finding');
  assert.match(
    c.lines[1]!,
    /^Experiment 1, architecture .*: dense-4 leaks more than conv-3: best AUC 0.600 ± 0.006 vs 0.560 ± 0.006/,
  );
  assert.doesNotMatch(c.lines[1]!, /At the last epoch|peaked/, 'no history, no points');
});

test('without 1% among the FPR targets the comparison says "not computed", never 0.0%', () => {
  const results = FILE.experiments[0]!.models.map((model, k) => ({
    ...result('architecture', model, 'lr', 0.6 + 0.1 * k, 0.1),
    tprAtFpr: { '0.02': tprEntry(0.1, 0.05, 0.2, false) },
  }));
  const text = compareExperiments(FILE, results, [], []).lines.join('\n');
  assert.match(text, /TPR at 1% FPR not computed/);
  assert.doesNotMatch(text, /TPR at 1% FPR 0\.0%/);
});

test('the comparison band holds the attack seed spread; the TPR difference has a MOVER interval (issue 17 items 5, 17)', () => {
  // dense-4 0.600 vs conv-3 0.560 separates on sampling noise alone (±0.016) …
  const spread = (aucStd: number) => [
    { attack: 'threshold', seeds: 5, aucStd },
    { attack: 'lr', seeds: 5, aucStd },
  ];
  const file = { ...FILE, models: FILE.models.map((m) => ({ ...m, attackSeedSpread: spread(0.015) })) };
  const line = compareExperiments(file, RESULTS.slice(0, 5), [], []).lines[1]!;
  // … not once each attack moves by 0.015 with its seed: 2·√(2·0.0057² + 2·0.015²) ≈ 0.045 > 0.040
  assert.match(line, /dense-4 and conv-3 leak about equally/);
  assert.match(
    line,
    /within the noise \(±0\.045, two standard errors of the sampling noise and the attacks’ seed-to-seed spread\)/,
  );
  const [lo, hi] = differenceInterval(
    { tpr: 0.05, low: 0.04, high: 0.07 },
    { tpr: 0.02, low: 0.01, high: 0.025 },
  );
  assert.ok(Math.abs(lo - (0.03 - Math.hypot(0.01, 0.005))) < 1e-15);
  assert.ok(Math.abs(hi - (0.03 + Math.hypot(0.02, 0.01))) < 1e-15);
});
