import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeModelOutputs } from '../../src/signals/model-outputs.js';
import {
  computeSignal,
  correctlyClassified,
  membershipScore,
  SIGNAL_NAMES,
} from '../../src/signals/signals.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('signals by hand on a 3-class example', () => {
  const probs = new Float64Array([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]);
  const o = makeModelOutputs({ probs, labels: new Int32Array([0, 1]) }, 'hand');
  const loss = computeSignal(o, 'loss');
  close(loss[0]!, -Math.log(0.7));
  close(loss[1]!, -Math.log(0.3));
  assert.deepEqual([...computeSignal(o, 'confidence')], [0.7, 0.3]);
  assert.deepEqual([...computeSignal(o, 'max-prob')], [0.7, 0.6]);
  const h = computeSignal(o, 'entropy');
  close(h[0]!, -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)));
  // Song & Mittal: −(1−p_y) ln p_y − Σ_{k≠y} p_k ln(1−p_k)
  const m = computeSignal(o, 'modified-entropy');
  close(m[0]!, -(0.3 * Math.log(0.7)) - 0.2 * Math.log(0.8) - 0.1 * Math.log(0.9));
  close(m[1]!, -(0.7 * Math.log(0.3)) - 0.1 * Math.log(0.9) - 0.6 * Math.log(0.4));
  const phi = computeSignal(o, 'scaled-logit');
  close(phi[0]!, Math.log(0.7 / 0.3), 1e-12);
  close(phi[1]!, Math.log(0.3 / 0.7), 1e-12);
  assert.deepEqual([...correctlyClassified(o)], [1, 0]);
});

test('scaled logit from logits is exact where probabilities saturate', () => {
  // p_y = 1 − 1e-20 is 1.0 in float64; from logits φ stays finite and exact: z_y − logsumexp(others).
  const logits = new Float64Array([50, 4, 4]);
  const o = makeModelOutputs({ logits, labels: new Int32Array([0]) }, 'sat');
  const phi = computeSignal(o, 'scaled-logit')[0]!;
  close(phi, 50 - (4 + Math.log(2)), 1e-9);
  // and the loss is the exact log-softmax, not clipped to 0
  assert.ok(o.loss[0]! > 0 && o.loss[0]! < 1e-18);
  const wrong = makeModelOutputs({ logits, labels: new Int32Array([1]) }, 'sat');
  close(wrong.loss[0]!, 46 + Math.log(1 + Math.exp(-46) + Math.exp(-46)), 1e-9);
});

test('membership scores are oriented: members (confident, low loss) score higher', () => {
  const probs = new Float64Array([0.95, 0.05, 0.55, 0.45]);
  const o = makeModelOutputs({ probs, labels: new Int32Array([0, 0]) }, 'orient');
  for (const s of SIGNAL_NAMES) {
    const v = membershipScore(o, s);
    assert.ok(v[0]! > v[1]!, `${s}: confident sample must score higher (${v[0]} vs ${v[1]})`);
  }
});

test('softmax of logits matches probabilities and rows sum to 1', () => {
  const logits = new Float64Array([1, 2, 3, -1000, 0, 1000]);
  const o = makeModelOutputs({ logits, labels: new Int32Array([2, 2]) }, 'sm');
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const s = e[0]! + e[1]! + e[2]!;
  close(o.probs[0]!, e[0]! / s);
  close(o.probs[2]!, e[2]! / s);
  assert.equal(o.probs[5], 1);
  assert.equal(o.loss[1], 0);
});
