import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAuditConfig } from '../../src/audit/config.js';
import { runAudit } from '../../src/audit/pipeline.js';
import { settled } from '../../src/audit/reference-until.js';
import { ReferenceCurveFile } from '../../src/audit/run-format/index.js';
import { memoryLogger } from '../../src/core/logger.js';
import { readNpy, toBool } from '../../src/io/npy.js';
import { buildCharts } from '../../src/report/build-charts.js';
import { readRunDir } from '../../src/report/run-dir.js';
import { assertRunFormat, untilAuditConfig } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mia-until-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('settled: two consecutive moves below the tolerance, never on NaN', () => {
  assert.equal(settled([0.1, 0.2], 1), false, 'two values are one move');
  assert.equal(settled([0.1, 0.104, 0.107], 0.005), true);
  assert.equal(settled([0.1, 0.2, 0.203, 0.205], 0.005), true, 'the last two moves count');
  assert.equal(settled([0.1, 0.104, 0.2], 0.005), false);
  assert.equal(settled([0.1, 0.2, 0.204], 0.005), false, 'one small move is not two');
  assert.equal(settled([0.25, 0.5, 0.75], 0.25), false, 'a move equal to the tolerance is not below it');
  assert.equal(settled([Number.NaN, 0.1, 0.1], 1), false);
  assert.equal(settled([0.1, Number.NaN, 0.1], 1), false);
});

const config = (dir: string, max: number, tolerance: number) =>
  untilAuditConfig(
    dir,
    `{min: 3, max: ${max}, until: {metric: tpr@0.05, attack: rmia, tolerance: ${tolerance}}}`,
  );

const curveOf = (dir: string) =>
  ReferenceCurveFile.parse(JSON.parse(readFileSync(join(dir, 'reference-curve.json'), 'utf8')));

test('an until audit stops on its own once the metric settles; a rerun reuses it all', async () => {
  const dir = join(tmp, 'settles');
  // a tolerance of 1 (the whole TPR range) holds for every move: it settles after the third point
  const log = memoryLogger();
  const run = await runAudit(parseAuditConfig(config(dir, 15, 1), 'until.yaml'), { logger: log });
  assertRunFormat(dir);
  const curve = curveOf(dir);
  assert.deepEqual(
    curve.points.map((p) => p.referenceModels),
    [3, 5, 7],
  );
  assert.deepEqual(curve.stopped, { referenceModels: 7, reason: 'settled' });
  for (const p of curve.points) {
    assert.deepEqual(p.metrics.map((m) => m.attack).sort(), ['loss', 'rmia']);
    for (const m of p.metrics)
      assert.ok(m.low <= m.value && m.value <= m.high, `${m.attack} at ${p.referenceModels}`);
  }
  assert.equal(run.models.length, 8, 'the target and 7 references');
  assert.deepEqual(readdirSync(join(dir, 'models')).sort(), [
    'ref-01',
    'ref-02',
    'ref-03',
    'ref-04',
    'ref-05',
    'ref-06',
    'ref-07',
    'target',
  ]);
  // keep.npy holds the models kept, and every sample is IN for exactly half of them
  const k = readNpy(join(dir, 'keep.npy'));
  assert.deepEqual(k.shape, [8, 200]);
  const keep = toBool(k, 'keep');
  for (let i = 0; i < 200; i++) {
    let inCount = 0;
    for (let r = 0; r < 8; r++) inCount += keep[r * 200 + i]!;
    assert.equal(inCount, 4, `sample ${i}`);
  }
  // the final results are those of the last point of the curve
  const rmia = run.results.find((r) => r.attack === 'rmia' && r.slice.feature === 'entire_dataset')!;
  const last = curve.points.at(-1)!.metrics.find((m) => m.attack === 'rmia')!;
  assert.equal(rmia.tprAtFpr['0.05']!.tpr, last.value);
  assert.ok(log.lines.some((l) => /moved less than 1 for two pairs; stopping at 7/.test(l)));
  const timing = JSON.parse(readFileSync(join(dir, 'timing.json'), 'utf8')).stages as { stage: string }[];
  assert.deepEqual(
    timing.filter((t) => t.stage.startsWith('reference curve')).map((t) => t.stage),
    ['reference curve at 3', 'reference curve at 5', 'reference curve at 7'],
  );

  // the report plots the curve: one panel per attack, the watched attack first, with interval bars
  const charts = buildCharts(readRunDir(dir));
  const chart = charts.find((c) => c.spec.id === 'reference-curve');
  assert.ok(chart !== undefined, 'a reference-curve chart');
  assert.equal(chart.section, 'Reference models');
  const panels = chart.spec.panels.filter((p) => p.kind === 'xy');
  assert.deepEqual(
    panels.map((p) => p.title),
    ['rmia (the stopping rule watches it)', 'loss'],
  );
  const rmiaPanel = panels[0]!;
  assert.deepEqual(rmiaPanel.series[0]!.x, [3, 5, 7]);
  assert.equal(rmiaPanel.series.length, 1 + 3, 'the line and one interval bar per point');
  assert.deepEqual(rmiaPanel.series[3]!.y, [last.low, last.high]);
  assert.match(chart.spec.caption, /stopped at 7 reference models/);

  // a rerun trains nothing and recomputes no point
  const again = memoryLogger();
  const rerun = await runAudit(parseAuditConfig(config(dir, 15, 1), 'until.yaml'), { logger: again });
  assert.ok(rerun.models.every((m) => m.modelReused && m.signalsReused));
  assert.equal(again.lines.filter((l) => /^references \d+: .*, reused$/.test(l.trim())).length, 3);
  assert.ok(rerun.resultsReused, 'results.json is up to date');
  assertRunFormat(dir);
});

test('an until audit that does not settle stops at max; a larger max continues where it stopped', async () => {
  const dir = join(tmp, 'max');
  // no move is below 1e-12 unless the metric is flat: it runs to max
  const first = await runAudit(parseAuditConfig(config(dir, 5, 1e-12), 'until.yaml'), {
    logger: memoryLogger(),
  });
  const c1 = curveOf(dir);
  assert.deepEqual(
    c1.points.map((p) => p.referenceModels),
    [3, 5],
  );
  assert.deepEqual(c1.stopped, { referenceModels: 5, reason: 'max' });
  assert.equal(first.models.length, 6);
  const log = memoryLogger();
  const more = await runAudit(parseAuditConfig(config(dir, 7, 1e-12), 'until.yaml'), { logger: log });
  const c2 = curveOf(dir);
  assert.deepEqual(
    c2.points.map((p) => p.referenceModels),
    [3, 5, 7],
  );
  assert.deepEqual(c2.points.slice(0, 2), c1.points, 'the first points are reused as they were');
  assert.deepEqual(
    more.models.map((m) => m.modelReused),
    [true, true, true, true, true, true, false, false],
    'the six models of the first run are reused, the new pair trained',
  );
  assert.equal(log.lines.filter((l) => /^references \d+: .*, reused$/.test(l.trim())).length, 2);
  assert.deepEqual(readNpy(join(dir, 'keep.npy')).shape, [8, 200]);
  assertRunFormat(dir);

  // the same audit with reference_models: 7 is the same 8 models; the curve no longer describes it
  const fixed = untilAuditConfig(dir, '7');
  const plain = await runAudit(parseAuditConfig(fixed, 'fixed.yaml'), { logger: memoryLogger() });
  assert.ok(plain.models.every((m) => m.modelReused));
  assert.equal(plain.models.length, 8);
  assert.ok(!existsSync(join(dir, 'reference-curve.json')));
  assertRunFormat(dir);
});
