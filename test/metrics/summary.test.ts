import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { attackerAdvantage } from '../../src/metrics/advantage.js';
import { auc } from '../../src/metrics/auc.js';
import { epsilonLowerBound } from '../../src/metrics/epsilon.js';
import { ppv } from '../../src/metrics/ppv.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { summarize } from '../../src/metrics/summary.js';
import { tprAtFpr } from '../../src/metrics/tpr-at-fpr.js';
import { Rng } from '../../src/rng.js';

function sample(n: number, seed: number) {
  const rng = new Rng(seed);
  const s = new Float32Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = rng.next() < 0.5 ? 1 : 0;
    s[i] = rng.normal() + m[i]!;
  }
  return { s, m };
}

test('summarize assembles every metric from one ROC curve, keyed by String(target)', () => {
  const { s, m } = sample(3000, 1);
  const r = summarize(s, m);
  const roc = rocCurve(s, m);
  assert.deepEqual(Object.keys(r.tprAtFpr), ['0.001', '0.01', '0.05', '0.1']);
  assert.equal(r.auc, auc(roc));
  assert.equal(r.advantage, attackerAdvantage(roc));
  assert.equal(r.ppvMaxOverThresholds, ppv(roc));
  assert.deepEqual(r.tprAtFpr['0.01'], tprAtFpr(roc, 0.01));
  assert.deepEqual(r.epsilonLowerBound, epsilonLowerBound(roc));
  assert.deepEqual(r.roc, roc);
  assert.equal(r.nMembers + r.nNonMembers, 3000);
});

test('summarize options: custom targets and confidence', () => {
  const { s, m } = sample(500, 2);
  const r = summarize(s, m, { fprTargets: [0.2, 0], confidence: 0.8 });
  // JavaScript lists integer-like keys ("0", "1") first, whatever the insertion order.
  assert.deepEqual(Object.keys(r.tprAtFpr).sort(), ['0', '0.2']);
  const roc = rocCurve(s, m);
  assert.deepEqual(r.tprAtFpr['0.2'], tprAtFpr(roc, 0.2, 0.8));
  assert.equal(r.epsilonLowerBound.confidence, 0.8);
});

test('perfect separator: AUC 1, advantage 1, PPV 1, TPR 1 at every default target', () => {
  const n = 400;
  const s = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = i < 200 ? 1 : 0;
    s[i] = m[i] ? 10 + i : -i;
  }
  const r = summarize(s, m);
  assert.equal(r.auc, 1);
  assert.equal(r.advantage, 1);
  assert.equal(r.ppvMaxOverThresholds, 1);
  for (const v of Object.values(r.tprAtFpr)) assert.equal(v.tpr, 1);
  assert.ok(r.epsilonLowerBound.low > 0);
});

test('bad options are E_ARGUMENT naming the field; bad inputs keep their codes', () => {
  const { s, m } = sample(50, 3);
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (isMiaError(e)) return `${e.code} ${e.where}`;
      throw e;
    }
    return 'no error';
  };
  assert.equal(
    codeOf(() => summarize(s, m, { fprTargets: [0.1, 2] })),
    'E_ARGUMENT fprTargets[1]',
  );
  assert.equal(
    codeOf(() => summarize(s, m, { confidence: 95 })),
    'E_ARGUMENT confidence',
  );
  assert.equal(
    codeOf(() => summarize(s, m.subarray(1))),
    'E_SHAPE_MISMATCH isMember',
  );
});
