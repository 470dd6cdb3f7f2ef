import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { npyArray } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/npz.js';
import { downsampleRocForPlot } from '../../src/metrics/downsample.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { buildCharts } from '../../src/report/build-charts.js';
import type { BarPanel, XyPanel } from '../../src/report/chart-spec.js';
import { slicesChart } from '../../src/report/charts/bars.js';
import { logFprFloor } from '../../src/report/charts/roc.js';
import { imageRgb } from '../../src/report/charts/samples.js';
import { trainingChart } from '../../src/report/charts/training.js';
import { readRunDir } from '../../src/report/run-dir.js';
import { targetsOf } from '../../src/report/targets.js';
import { makeRunDir } from './fixture.js';

const single = join(mkdtempSync(join(tmpdir(), 'mia-charts-')), 'run');
makeRunDir(single);

test('buildCharts: every chart of a single-target run, in order', () => {
  const charts = buildCharts(readRunDir(single));
  assert.deepEqual(
    charts.map((c) => c.spec.id),
    ['roc', 'training', 'privacy-by-epoch', 'privacy-vs-utility', 'slices', 'samples'],
  );
});

test('ROC chart: the plotted points are downsampleRocForPlot of the exact ROC (NaN scores left out)', () => {
  const run = readRunDir(single);
  const roc = buildCharts(run, { maxRocPoints: 50 }).find((c) => c.spec.id === 'roc')!.spec;
  const [linear, log] = roc.panels as [XyPanel, XyPanel];
  const s = run.scores[0]!;
  for (const attack of ['threshold', 'lr']) {
    const v = s.byAttack.get(attack)!;
    const keep = [...v.keys()].filter((i) => !Number.isNaN(v[i]!));
    const expected = downsampleRocForPlot(
      rocCurve(
        Float64Array.from(keep, (i) => v[i]!),
        Uint8Array.from(keep, (i) => s.isMember[i]!),
      ),
      50,
    );
    const series = linear.series.find((x) => x.name === attack)!;
    assert.deepEqual(series.x, [...expected.fpr]);
    assert.deepEqual(series.y, [...expected.tpr]);
    assert.ok(series.x.length <= 50);
    const auc = run.results.find((r) => r.attack === attack && r.slice.feature === 'entire_dataset')!.auc;
    assert.ok(roc.legend.some((l) => l.name === `${attack} (AUC ${auc.toFixed(3)})`));
  }
  assert.equal(linear.x.scale, 'linear');
  assert.equal(log.x.scale, 'log');
  assert.deepEqual(log.x.domain, [1e-3, 1]); // 600 non-members
  assert.deepEqual(linear.referenceLines?.[0]?.from, [0, 0]);
});

test('logFprFloor: the decade at or below 1/n, within [1e-6, 1e-2]', () => {
  assert.equal(logFprFloor(600), 1e-3);
  assert.equal(logFprFloor(1000), 1e-3);
  assert.equal(logFprFloor(10000), 1e-4);
  assert.equal(logFprFloor(25000), 1e-5);
  assert.equal(logFprFloor(10), 1e-2);
  assert.equal(logFprFloor(1e9), 1e-6);
});

test('buildCharts: several experiments get their own ROC, training and privacy charts', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'mia-charts-')), 'run');
  makeRunDir(dir, { multi: true, n: 200, attacks: ['threshold', 'threshold-entropy'] });
  const charts = buildCharts(readRunDir(dir));
  const ids = charts.map((c) => c.spec.id);
  assert.deepEqual(ids, [
    'models',
    'roc-architecture',
    'training-architecture',
    'privacy-by-epoch-architecture',
    'privacy-vs-utility-architecture',
    'roc-depth',
    'training-depth',
    'training',
    'slices-architecture-conv',
    'slices-architecture-dense',
    'slices-depth-dense-7',
    'slices-depth-dense-4',
    'samples',
  ]);
  const roc = charts.find((c) => c.spec.id === 'roc-architecture')!.spec;
  assert.deepEqual(
    (roc.panels[0] as XyPanel).series.map((s) => s.name),
    ['conv · threshold', 'conv · threshold-entropy', 'dense · threshold', 'dense · threshold-entropy'],
  );
  const models = charts[0]!.spec.panels[0] as BarPanel;
  // model first: a label cut to fit keeps what tells the models apart (issue 17 item 17)
  assert.deepEqual(models.categories, [
    'conv · architecture',
    'dense · architecture',
    'dense-7 · depth',
    'dense-4 · depth',
  ]);
  assert.deepEqual(models.groups[0]!.intervals?.length, 4, 'AUC bars carry their intervals');
  // privacy vs utility: one panel per attack, one scatter per model (no zigzag lines)
  const pu = charts.find((c) => c.spec.id === 'privacy-vs-utility-architecture')!.spec;
  assert.deepEqual(
    pu.panels.map((p) => p.title),
    ['AUC of threshold', 'AUC of threshold-entropy'],
  );
  for (const p of pu.panels as XyPanel[]) {
    assert.deepEqual(
      p.series.map((s) => [s.key, s.line]),
      [
        ['model|conv', false],
        ['model|dense', false],
      ],
    );
  }
  assert.deepEqual(
    pu.legend.map((l) => l.name),
    ['conv', 'dense'],
  );
  // The privacy points carry their experiment: both models of "architecture" × 2 attacks.
  const pe = charts.find((c) => c.spec.id === 'privacy-by-epoch-architecture')!.spec;
  assert.equal((pe.panels[0] as XyPanel).series.length, 4);
  assert.equal(charts.find((c) => c.spec.id === 'training')!.section, 'Training');
});

test('buildCharts: missing optional files leave their charts out', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'mia-charts-')), 'run');
  makeRunDir(dir, {
    n: 100,
    attacks: ['threshold'],
    history: false,
    privacy: false,
    samples: false,
    scores: false,
  });
  assert.deepEqual(
    buildCharts(readRunDir(dir)).map((c) => c.spec.id),
    ['slices'],
  );
});

test('trainingChart: targets one by one, reference models as their mean', () => {
  const e = (epoch: number, acc: number) => ({
    epoch,
    trainLoss: 1 - acc,
    trainAccuracy: acc,
    valLoss: null,
    valAccuracy: null,
  });
  const spec = trainingChart('t', 'T', [
    { id: 'target', label: 'target', role: 'target', epochs: [e(1, 0.5), e(2, 0.7)] },
    { id: 'r0', label: 'r0', role: 'reference', epochs: [e(1, 0.4), e(2, 0.6)] },
    { id: 'r1', label: 'r1', role: 'reference', epochs: [e(1, 0.6), e(2, 0.8)] },
  ])!;
  const acc = spec.panels[0] as XyPanel;
  // No validation data: training lines only.
  assert.deepEqual(
    acc.series.map((s) => s.name),
    ['target — training', 'reference models (mean of 2) — training'],
  );
  const near = (a: number[], b: number[]) =>
    a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) < 1e-12);
  assert.ok(near(acc.series[1]!.y, [0.5, 0.7]));
  assert.ok(near((spec.panels[1] as XyPanel).series[0]!.y, [0.5, 0.3]));
  assert.equal(trainingChart('t', 'T', []), undefined);
});

test('slicesChart: class names on the class bars, correct before misclassified', () => {
  const run = readRunDir(single);
  const [t] = targetsOf(run.results);
  const spec = slicesChart('s', 'S', t!, [
    'zero',
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
  ])!;
  const [byClass, byCorrect] = spec.panels as [BarPanel, BarPanel];
  assert.deepEqual(byClass.categories, [
    'zero',
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
  ]);
  assert.deepEqual(byCorrect.categories, ['correct', 'misclassified']);
  const lr = byClass.groups.find((g) => g.key === 'lr')!;
  const r3 = run.results.find(
    (r) => r.attack === 'lr' && r.slice.feature === 'class' && r.slice.value === 3,
  )!;
  assert.equal(lr.values[3], r3.auc);
});

test('imageRgb: [0, 1] scaled, [0, 255] kept, anything else min–max scaled; grey repeated', () => {
  const img = (x: number[], c: number) => ({
    x: Float32Array.from(x),
    k: 1,
    h: 1,
    w: x.length / c,
    c,
    y: Int32Array.of(0),
  });
  assert.deepEqual([...imageRgb(img([0, 0.5, 1], 3), 0)], [0, 128, 255]);
  assert.deepEqual([...imageRgb(img([0, 100, 255], 3), 0)], [0, 100, 255]);
  assert.deepEqual([...imageRgb(img([-1, 0, 1], 3), 0)], [0, 128, 255]);
  assert.deepEqual([...imageRgb(img([0.2, 0.4], 1), 0)], [51, 51, 51, 102, 102, 102]);
});

test("buildCharts: the audit pipeline's layout — experiment 0 in scores.npz, experiment e in scores/experiment-<e>.npz", () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-charts-pipeline-'));
  const result = (experiment: string, model: string, auc: number) => ({
    attack: 'loss',
    signal: 'loss',
    slice: { feature: 'entire_dataset' },
    nMembers: 3,
    nNonMembers: 3,
    auc,
    advantage: 0.3,
    aucInterval: { low: 0, high: 1, se: 0.3, method: 'DeLong' },
    ppvMaxOverThresholds: 0.7,
    tprAtFpr: {
      '0.01': {
        tpr: 0.3,
        low: 0,
        high: 0.9,
        fpr: 0,
        threshold: null,
        falsePositives: 0,
        truePositives: 1,
        precision: null,
        precisionLow: null,
        precisionHigh: null,
        lowSupport: true,
      },
    },
    epsilonLowerBound: 0,
    experiment,
    model,
  });
  writeFileSync(
    join(dir, 'results.json'),
    JSON.stringify({ results: [result('0', 'target', 0.6), result('1', 'ref-01', 0.7)] }),
  );
  const arrays = (scores: number[]) => ({
    loss: npyArray(Float64Array.from(scores), [6]),
    is_member: npyArray(Uint8Array.from([1, 1, 1, 0, 0, 0]), [6], 'bool'),
  });
  writeNpz(join(dir, 'scores.npz'), arrays([3, 2, 1, 2.5, 0, -1]));
  mkdirSync(join(dir, 'scores'));
  writeNpz(join(dir, 'scores', 'experiment-1.npz'), arrays([5, 4, 3, 2, 1, 0]));
  const charts = buildCharts(readRunDir(dir));
  const roc = (id: string) => (charts.find((c) => c.spec.id === id)!.spec.panels[0] as XyPanel).series[0]!;
  // Experiment 1 separates perfectly: (0, 1) is on its curve; experiment 0's is not.
  assert.ok(roc('roc-1').x.some((x, i) => x === 0 && roc('roc-1').y[i] === 1));
  assert.ok(!roc('roc-0').x.some((x, i) => x === 0 && roc('roc-0').y[i] === 1));
  assert.equal(charts.find((c) => c.spec.id === 'roc-1')!.spec.legend[0]!.name, 'loss (AUC 0.700)');
});
