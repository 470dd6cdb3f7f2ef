import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aucInterval, includesChance } from '../../src/metrics/auc-interval.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { precisionAt, tprAtFpr } from '../../src/metrics/tpr-at-fpr.js';

// Oracle: numpy/scipy DeLong with midranks (scipy.stats.rankdata), ties included:
//   v10 = (rank_all[x] - rank_x)/n, v01 = 1 - (rank_all[y] - rank_y)/m,
//   se = sqrt(var(v10, ddof=1)/m + var(v01, ddof=1)/n)
const X = [0.9, 0.8, 0.8, 0.7, 0.55, 0.4, 0.3];
const Y = [0.8, 0.6, 0.5, 0.5, 0.3, 0.2, 0.1, 0.05];

function roc(members: number[], nonMembers: number[]) {
  const s = Float64Array.from([...members, ...nonMembers]);
  const m = Uint8Array.from([...members.map(() => 1), ...nonMembers.map(() => 0)]);
  return rocCurve(s, m);
}

test('aucInterval: DeLong with ties matches the numpy oracle', () => {
  const r = aucInterval(roc(X, Y));
  assert.equal(r.method, 'DeLong');
  assert.ok(Math.abs(r.auc - 0.7767857142857143) < 1e-15);
  assert.ok(Math.abs(r.se - 0.1245283863182535) < 1e-12, `se ${r.se}`);
  assert.ok(Math.abs(r.low - 0.532714562049047) < 1e-8, `low ${r.low}`);
  assert.equal(r.high, 1);
  assert.equal(includesChance(r), false);
});

test('aucInterval: an AUC near 0.5 on few samples includes chance', () => {
  const r = aucInterval(roc([0.5, 0.4, 0.3, 0.2], [0.45, 0.35, 0.25, 0.15]));
  assert.ok(r.low < 0.5 && r.high > 0.5);
  assert.equal(includesChance(r), true);
});

test('aucInterval: perfect separation on 2 members is not a point (Birnbaum–Klose fallback)', () => {
  const r = aucInterval(roc([5, 4], [1, 0.5, 0.2, 0.1, 0]));
  assert.equal(r.auc, 1);
  assert.equal(r.method, 'Birnbaum–Klose');
  assert.equal(r.high, 1);
  assert.ok(r.low < 0.6, `low ${r.low}`);
  assert.ok(r.se > 0);
});

test('tprAtFpr records the threshold, realised FPR and precision with its interval', () => {
  const c = roc(X, Y);
  const e = tprAtFpr(c, 0.2);
  // FPR ≤ 0.2 of 8 non-members: 1 false positive (the 0.8 tie): the last such point is threshold 0.7 → tp 4, fp 1
  assert.equal(e.threshold, 0.7);
  assert.equal(e.fpr, 1 / 8);
  assert.equal(e.truePositives, 4);
  assert.equal(e.falsePositives, 1);
  assert.equal(e.precision, 4 / 5);
  assert.ok(e.precisionLow < 0.8 && e.precisionHigh > 0.8 && e.precisionHigh <= 1);
  // nothing flagged: no precision at all, rather than a made-up 1
  const zero = tprAtFpr(c, 0); // the top score is a member: threshold 0.9, precision 1 on 1 sample
  assert.equal(zero.threshold, 0.9);
  assert.equal(zero.precision, 1);
  assert.ok(zero.precisionLow < 0.5, 'one flagged sample gives a wide interval');
  assert.ok(Number.isNaN(precisionAt(0, 0, 7, 8, 0.95).precision)); // nothing flagged: no value
});

test('epsilonLowerBound names the operating point behind its lower end', async () => {
  const { epsilonLowerBound } = await import('../../src/metrics/epsilon.js');
  const members = Array.from({ length: 300 }, (_, i) => 1000 + i);
  const nonMembers = Array.from({ length: 300 }, (_, i) => i);
  const b = epsilonLowerBound(roc(members, nonMembers));
  assert.ok(b.low > 0 && b.at !== undefined);
  assert.equal(b.at.falsePositives + b.at.falseNegatives, 0);
  const none = epsilonLowerBound(roc([0.5, 0.4], [0.45, 0.35]));
  assert.equal(none.low, 0);
  assert.equal(none.at, undefined);
});
