import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { clopperPearson } from '../../src/metrics/intervals.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { tprAtFpr } from '../../src/metrics/tpr-at-fpr.js';
import { Rng } from '../../src/rng.js';
import { fixtures } from './fixtures.js';

const f64 = (a: number[]) => Float64Array.from(a);
const u8 = (a: number[]) => Uint8Array.from(a);

test('hand-computed: the last point with fpr ≤ target, an exact FPR match included', () => {
  // Points (fpr, tpr): (0,0) (0,.5) (.5,.5) (.5,1) (1,1).
  const roc = rocCurve(f64([0.1, 0.4, 0.35, 0.8]), u8([0, 0, 1, 1]));
  const r0 = tprAtFpr(roc, 0);
  assert.deepEqual([r0.tpr, r0.fpr, r0.threshold, r0.falsePositives, r0.lowSupport], [0.5, 0, 0.8, 0, true]);
  const half = tprAtFpr(roc, 0.5);
  assert.deepEqual([half.tpr, half.fpr, half.threshold, half.falsePositives], [1, 0.5, 0.35, 1]);
  assert.equal(tprAtFpr(roc, 0.49).tpr, 0.5);
  assert.equal(tprAtFpr(roc, 1).fpr, 1);
  const ci = clopperPearson(1, 2, 0.95);
  assert.deepEqual([r0.low, r0.high], [ci.low, ci.high]);
  const ci90 = clopperPearson(1, 2, 0.9);
  const r90 = tprAtFpr(roc, 0, 0.9);
  assert.deepEqual([r90.low, r90.high], [ci90.low, ci90.high]);
});

test('perfect separator: TPR 1 at every target FPR, inverted: TPR 0 until FPR 1', () => {
  const m = u8([1, 1, 1, 0, 0, 0, 0]);
  const perfect = rocCurve(f64([9, 8, 7, 3, 2, 1, 0]), m);
  for (const t of [0, 0.001, 0.01, 0.05, 0.1, 1]) {
    const r = tprAtFpr(perfect, t);
    assert.equal(r.tpr, 1);
    assert.equal(r.high, 1);
  }
  const inverted = rocCurve(f64([0, 1, 2, 7, 8, 9, 10]), m);
  for (const t of [0, 0.1, 0.5, 0.99]) {
    const r = tprAtFpr(inverted, t);
    assert.equal(r.tpr, 0);
    assert.equal(r.low, 0);
  }
  assert.equal(tprAtFpr(inverted, 1).tpr, 1);
});

test('lowSupport is FP < 10 at the chosen point', () => {
  const n0 = 1000;
  const s = new Float64Array(n0 + 100);
  const m = new Uint8Array(n0 + 100);
  for (let i = 0; i < n0; i++) s[i] = i; // non-members 0..999
  for (let i = 0; i < 100; i++) {
    s[n0 + i] = 2000 + i;
    m[n0 + i] = 1;
  }
  const roc = rocCurve(s, m);
  assert.equal(tprAtFpr(roc, 0.009).falsePositives, 9);
  assert.equal(tprAtFpr(roc, 0.009).lowSupport, true);
  assert.equal(tprAtFpr(roc, 0.01).falsePositives, 10);
  assert.equal(tprAtFpr(roc, 0.01).lowSupport, false);
});

test('property: tpr, fpr and threshold are monotone in the target', () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 20; trial++) {
    const n = 50 + rng.int(2000);
    const s = new Float64Array(n);
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      m[i] = rng.next() < 0.5 ? 1 : 0;
      s[i] = Math.round(4 * (rng.normal() + m[i]!));
    }
    m[0] = 1;
    m[1] = 0;
    const roc = rocCurve(s, m);
    let prev = tprAtFpr(roc, 0);
    for (let t = 0.001; t <= 1; t *= 1.3) {
      const r = tprAtFpr(roc, t);
      assert.ok(r.tpr >= prev.tpr && r.fpr >= prev.fpr && r.threshold <= prev.threshold);
      assert.ok(r.fpr <= t && r.low <= r.tpr && r.tpr <= r.high);
      prev = r;
    }
  }
});

for (const fx of fixtures.roc) {
  test(`equals numpy tpr[np.where(fpr <= t)[0][-1]]: ${fx.name}`, () => {
    const s = fx.dtype === 'float32' ? Float32Array.from(fx.scores) : Float64Array.from(fx.scores);
    const roc = rocCurve(s, Uint8Array.from(fx.isMember));
    for (const [t, e] of Object.entries(fx.tprAtFpr)) {
      const r = tprAtFpr(roc, Number(t));
      assert.equal(r.tpr, e.tpr, `target ${t}`);
      assert.equal(r.fpr, e.fpr, `target ${t}`);
      assert.equal(r.falsePositives, fx.fp[e.index]);
    }
  });
}

test('a target outside [0, 1] is E_ARGUMENT targetFpr', () => {
  const roc = rocCurve(f64([1, 2]), u8([1, 0]));
  for (const t of [-0.1, 1.5, Number.NaN]) {
    assert.throws(
      () => tprAtFpr(roc, t),
      (e: unknown) => isMiaError(e) && e.code === 'E_ARGUMENT' && e.where === 'targetFpr',
    );
  }
});
