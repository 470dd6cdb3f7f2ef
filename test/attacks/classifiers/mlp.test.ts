import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gemmNT, transpose } from '../../../src/attacks/classifiers/gemm.js';
import { Mlp } from '../../../src/attacks/classifiers/mlp.js';
import { isMiaError } from '../../../src/errors.js';
import { Rng } from '../../../src/rng.js';
import { accuracy, bruteAuc, linearProblem, xorProblem } from './helpers.js';

test('gemmNT equals the naive product for every remainder of the 2×4 blocking', () => {
  const rng = new Rng(5);
  for (const [m, q, p] of [
    [1, 1, 1],
    [2, 3, 4],
    [3, 5, 7],
    [5, 12, 64],
    [7, 64, 1],
    [4, 2, 9],
  ] as const) {
    const x = Float64Array.from({ length: m * q }, () => rng.normal());
    const y = Float64Array.from({ length: p * q }, () => rng.normal());
    const c = new Float64Array(m * p).fill(Number.NaN);
    gemmNT(x, m, q, y, p, c);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let k = 0; k < q; k++) s += x[i * q + k]! * y[j * q + k]!;
        assert.ok(Math.abs(c[i * p + j]! - s) < 1e-12, `${m}×${q}·${p}: c[${i},${j}]`);
      }
    }
  }
  const t = new Float64Array(6);
  transpose(Float64Array.from([1, 2, 3, 4, 5, 6]), 2, 3, t);
  assert.deepEqual(Array.from(t), [1, 4, 2, 5, 3, 6]);
});

test('Mlp learns XOR, which no linear model can (held-out AUC and accuracy)', () => {
  const train = xorProblem(3000, 21);
  const held = xorProblem(1000, 22);
  const mlp = new Mlp();
  mlp.fit(train.x, train.n, train.d, train.y, new Rng(1));
  const p = mlp.predictProba(held.x, held.n, held.d);
  const auc = bruteAuc(p, held.y);
  assert.ok(auc > 0.9, `AUC ${auc}`);
  assert.ok(accuracy(p, held.y) > 0.85, `accuracy ${accuracy(p, held.y)}`);
  for (const v of p) assert.ok(v >= 0 && v <= 1);
});

test('Mlp with two hidden layers learns a noisy linear problem', () => {
  const train = linearProblem(2000, 6, 31);
  const held = linearProblem(1000, 6, 32);
  const mlp = new Mlp({ hiddenLayers: [32, 32], alpha: 1e-3 });
  mlp.fit(train.x, train.n, train.d, train.y, new Rng(2));
  const auc = bruteAuc(mlp.predictProba(held.x, held.n, held.d), held.y);
  assert.ok(auc > 0.85, `AUC ${auc}`);
  // The noisy problem plateaus fast: early stopping fires and keeps the best check's weights.
  assert.ok(mlp.epochs < 200, `early stopping never fired (${mlp.epochs} epochs)`);
  assert.ok(mlp.bestRows > 0 && mlp.bestRows < mlp.rowsTrained);
});

test('Mlp is deterministic given the seed, and the seed matters', () => {
  const { x, y, n, d } = xorProblem(800, 41, 2);
  const q = xorProblem(200, 42, 2);
  const run = (seed: number) => {
    const mlp = new Mlp({ maxEpochs: 20 });
    mlp.fit(x, n, d, y, new Rng(seed));
    return mlp.predictProba(q.x, q.n, q.d);
  };
  const a = run(7);
  assert.deepEqual(run(7), a);
  assert.notDeepEqual(run(8), a);
});

test('Mlp without a validation part trains exactly maxEpochs', () => {
  const { x, y, n, d } = linearProblem(300, 3, 51);
  const mlp = new Mlp({ validationFraction: 0, maxEpochs: 7, batchSize: 64 });
  mlp.fit(x, n, d, y, new Rng(3));
  assert.equal(mlp.epochs, 7);
  assert.equal(mlp.rowsTrained, 7 * 300);
});

test('Mlp rejects bad options and bad input', () => {
  assert.throws(() => new Mlp({ hiddenLayers: [] }), RangeError);
  assert.throws(() => new Mlp({ hiddenLayers: [0] }), RangeError);
  assert.throws(() => new Mlp({ validationFraction: 1 }), RangeError);
  const mlp = new Mlp();
  assert.throws(() => mlp.predictProba(new Float64Array(2), 1, 2), /before fit/);
  assert.throws(
    () => mlp.fit(new Float64Array(4), 2, 2, Uint8Array.from([0, 0]), new Rng(0)),
    (e) => isMiaError(e) && e.code === 'E_EMPTY',
  );
  const { x, y, n, d } = linearProblem(100, 3, 1);
  mlp.fit(x, n, d, y, new Rng(0));
  assert.throws(
    () => mlp.predictProba(new Float64Array(4), 2, 2),
    (e) => isMiaError(e) && e.code === 'E_SHAPE_MISMATCH',
  );
});
