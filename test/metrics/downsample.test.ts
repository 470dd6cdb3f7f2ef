import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { downsampleRocForPlot } from '../../src/metrics/downsample.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { Rng } from '../../src/rng.js';

function bigRoc() {
  const rng = new Rng(4);
  const n = 50000;
  const s = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = i % 2;
    s[i] = rng.normal() + m[i]!;
  }
  return rocCurve(s, m);
}

test('keeps at most maxPoints curve points, in order, ends included, low-FPR corner dense', () => {
  const roc = bigRoc();
  const d = downsampleRocForPlot(roc, 200);
  const k = d.fpr.length;
  assert.ok(k <= 200 && k > 100, `${k} points`);
  assert.equal(d.fpr[0], 0);
  assert.equal(d.tpr[0], 0);
  assert.equal(d.fpr[k - 1], 1);
  assert.equal(d.tpr[k - 1], 1);
  // Every kept point is a point of the curve, with its own threshold and counts.
  let j = 0;
  for (let i = 0; i < k; i++) {
    while (roc.thresholds[j] !== d.thresholds[i]) j++;
    assert.equal(roc.fpr[j], d.fpr[i]);
    assert.equal(roc.tpr[j], d.tpr[i]);
    assert.equal(roc.tp[j], d.tp[i]);
  }
  // Log spacing: many points below FPR 1%, and some below 0.1%.
  const below = (x: number) => d.fpr.filter((f) => f > 0 && f <= x).length;
  assert.ok(below(0.01) >= 30, `${below(0.01)} points below 1%`);
  assert.ok(below(0.001) >= 10, `${below(0.001)} points below 0.1%`);
});

test('a small curve comes back unchanged; maxPoints < 4 is E_ARGUMENT', () => {
  const roc = rocCurve(Float64Array.from([1, 2, 3]), Uint8Array.from([0, 1, 1]));
  assert.equal(downsampleRocForPlot(roc, 10), roc);
  assert.throws(
    () => downsampleRocForPlot(roc, 3),
    (e: unknown) => isMiaError(e) && e.code === 'E_ARGUMENT' && e.where === 'maxPoints',
  );
});
