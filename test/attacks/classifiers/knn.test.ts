import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { KdTree } from '../../../src/attacks/classifiers/kd-tree.js';
import { Knn } from '../../../src/attacks/classifiers/knn.js';
import { applyStandardizer, fitStandardizer } from '../../../src/attacks/classifiers/standardize.js';
import { isMiaError } from '../../../src/errors.js';
import { Rng } from '../../../src/rng.js';
import { bruteAuc, linearProblem, xorProblem } from './helpers.js';

/** Brute force: the k smallest (squared distance summed in dimension order, index) pairs. */
function bruteKnn(x: Float64Array, n: number, d: number, q: Float64Array, m: number, k: number): Int32Array {
  const out = new Int32Array(m * k);
  const dist = new Float64Array(n);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < n; p++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = q[i * d + j]! - x[p * d + j]!;
        s += t * t;
      }
      dist[p] = s;
    }
    idx.sort((a, b) => dist[a]! - dist[b]! || a - b);
    for (let j = 0; j < k; j++) out[i * k + j] = idx[j]!;
  }
  return out;
}

test('KdTree equals brute force on continuous data, for several k and leaf sizes', () => {
  const rng = new Rng(1);
  const n = 700;
  const d = 4;
  const m = 150;
  const x = Float64Array.from({ length: n * d }, () => rng.normal());
  const q = Float64Array.from({ length: m * d }, () => 1.5 * rng.normal());
  for (const leaf of [1, 3, 32]) {
    const tree = new KdTree(x, n, d, leaf);
    for (const k of [1, 5, 17])
      assert.deepEqual(tree.query(q, m, k), bruteKnn(x, n, d, q, m, k), `leaf ${leaf}, k ${k}`);
  }
});

test('KdTree equals brute force with massive distance ties and duplicate points (tie → lower index)', () => {
  const rng = new Rng(2);
  const n = 600;
  const d = 3;
  const m = 200;
  // Points on a coarse integer grid: many duplicates and many equal distances.
  const x = Float64Array.from({ length: n * d }, () => rng.int(4));
  const q = Float64Array.from({ length: m * d }, () => rng.int(5) - 0.5 * rng.int(2));
  for (const leaf of [2, 8, 40]) {
    const tree = new KdTree(x, n, d, leaf);
    for (const k of [1, 3, 7, 30])
      assert.deepEqual(tree.query(q, m, k), bruteKnn(x, n, d, q, m, k), `leaf ${leaf}, k ${k}`);
  }
  // All points identical: the neighbours are simply the first k indices.
  const same = new KdTree(new Float64Array(50 * 2).fill(3), 50, 2, 4);
  assert.deepEqual(Array.from(same.query(Float64Array.from([0, 0]), 1, 4)), [0, 1, 2, 3]);
  assert.throws(() => same.query(Float64Array.from([0, 0]), 1, 51), RangeError);
});

test('KdTree stays exact where rotation rounding matters: far from the origin, near-duplicates, correlated high d', () => {
  const rng = new Rng(3);
  // (a) Points 1e6 from the origin whose pairwise gaps are ~1e-3..1 and some exactly tied.
  {
    const n = 400;
    const d = 3;
    const m = 100;
    const x = Float64Array.from({ length: n * d }, (_, i) => 1e6 * (1 + (i % d)) + rng.int(50) * 1e-3);
    const q = Float64Array.from(
      { length: m * d },
      (_, i) => 1e6 * (1 + (i % d)) + rng.int(60) * 1e-3 - 0.005,
    );
    for (const rotate of [true, false]) {
      const tree = new KdTree(x, n, d, 4, rotate);
      for (const k of [1, 6])
        assert.deepEqual(tree.query(q, m, k), bruteKnn(x, n, d, q, m, k), `far, k ${k}`);
    }
  }
  // (b) Near-duplicates: clusters of points 1e-9 apart.
  {
    const n = 300;
    const d = 4;
    const m = 60;
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const c = i % 10;
      for (let j = 0; j < d; j++) x[i * d + j] = c * (j + 1) + 1e-9 * rng.int(3);
    }
    const q = Float64Array.from({ length: m * d }, (_, i) => x[(i * 7) % (n * d)]! + 1e-9 * rng.int(2));
    const tree = new KdTree(x, n, d, 5);
    for (const k of [1, 5, 12])
      assert.deepEqual(tree.query(q, m, k), bruteKnn(x, n, d, q, m, k), `near, k ${k}`);
  }
  // (c) d = 30 correlated features (a 3-factor model plus noise), as sorted-probability features are.
  {
    const n = 1500;
    const d = 30;
    const m = 80;
    const gen = (count: number) => {
      const out = new Float64Array(count * d);
      for (let i = 0; i < count; i++) {
        const f = [rng.normal(), rng.normal(), rng.normal()];
        for (let j = 0; j < d; j++) out[i * d + j] = f[j % 3]! * (1 + j / 10) + 0.05 * rng.normal();
      }
      return out;
    };
    const x = gen(n);
    const q = gen(m);
    const tree = new KdTree(x, n, d, 16);
    for (const k of [1, 5]) assert.deepEqual(tree.query(q, m, k), bruteKnn(x, n, d, q, m, k), `d30, k ${k}`);
  }
});

test('Knn probabilities equal the brute-force member fraction on standardised features', () => {
  const { x, y, n, d } = linearProblem(500, 3, 5);
  const qp = linearProblem(100, 3, 6);
  // Quantise so that ties occur.
  for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i]!);
  for (let i = 0; i < qp.x.length; i++) qp.x[i] = Math.round(qp.x[i]!);
  const s = fitStandardizer(x, n, d);
  const z = applyStandardizer(s, x, n, d);
  const zq = applyStandardizer(s, qp.x, qp.n, d);
  for (const k of [1, 4, 7]) {
    const knn = new Knn({ k, leafSize: 8 });
    knn.fit(x, n, d, y, new Rng(0));
    const p = knn.predictProba(qp.x, qp.n, d);
    const nb = bruteKnn(z, n, d, zq, qp.n, k);
    for (let i = 0; i < qp.n; i++) {
      let ones = 0;
      for (let j = 0; j < k; j++) ones += y[nb[i * k + j]!]!;
      assert.equal(p[i], ones / k, `k ${k}, row ${i}`);
    }
  }
});

test('Knn matches sklearn KNeighborsClassifier(n_neighbors=5) behind StandardScaler', () => {
  const f = JSON.parse(readFileSync(new URL('./fixtures/sklearn-fixtures.json', import.meta.url), 'utf8'))
    .knn as {
    n: number;
    d: number;
    m: number;
    k: number;
    x: number[];
    y: number[];
    xq: number[];
    proba: number[];
  };
  const knn = new Knn({ k: f.k });
  knn.fit(Float64Array.from(f.x), f.n, f.d, Uint8Array.from(f.y), new Rng(0));
  const p = knn.predictProba(Float64Array.from(f.xq), f.m, f.d);
  for (let i = 0; i < f.m; i++)
    assert.ok(Math.abs(p[i]! - f.proba[i]!) < 1e-12, `row ${i}: ${p[i]} vs ${f.proba[i]}`);
});

test('Knn learns XOR (held-out AUC); k larger than n uses all rows', () => {
  const train = xorProblem(3000, 7);
  const held = xorProblem(800, 8);
  const knn = new Knn();
  knn.fit(train.x, train.n, train.d, train.y, new Rng(0));
  const auc = bruteAuc(knn.predictProba(held.x, held.n, held.d), held.y);
  assert.ok(auc > 0.9, `AUC ${auc}`);
  const tiny = new Knn({ k: 10 });
  tiny.fit(Float64Array.from([0, 1, 2]), 3, 1, Uint8Array.from([1, 0, 1]), new Rng(0));
  assert.deepEqual(Array.from(tiny.predictProba(Float64Array.from([5]), 1, 1)), [2 / 3]);
});

test('Knn rejects bad options and bad input', () => {
  assert.throws(() => new Knn({ k: 0 }), RangeError);
  const knn = new Knn();
  assert.throws(() => knn.predictProba(new Float64Array(1), 1, 1), /before fit/);
  assert.throws(
    () => knn.fit(new Float64Array(3), 3, 1, Uint8Array.from([0, 0, 0]), new Rng(0)),
    (e) => isMiaError(e) && e.code === 'E_EMPTY',
  );
  knn.fit(Float64Array.from([0, 1, 2]), 3, 1, Uint8Array.from([0, 1, 1]), new Rng(0));
  assert.throws(
    () => knn.predictProba(new Float64Array(2), 1, 2),
    (e) => isMiaError(e) && e.code === 'E_SHAPE_MISMATCH',
  );
});

test('KdTree maxLeaves: at most that many leaves scanned per query, k neighbours always, exact when the tree is that small', () => {
  const rng = new Rng(12);
  const n = 2000;
  const d = 6;
  const m = 300;
  const x = Float64Array.from({ length: n * d }, () => rng.normal());
  const q = Float64Array.from({ length: m * d }, () => rng.normal());
  const tree = new KdTree(x, n, d, 16);
  const exact = tree.query(q, m, 5);
  const exactLeaves = tree.scannedLeaves;
  for (const maxLeaves of [1, 2, 4]) {
    const approx = tree.query(q, m, 5, maxLeaves);
    assert.ok(tree.scannedLeaves <= m * maxLeaves, `${tree.scannedLeaves} leaves for ${m} queries`);
    assert.ok(tree.scannedLeaves < exactLeaves);
    for (let i = 0; i < m; i++) {
      const row = Array.from(approx.subarray(i * 5, i * 5 + 5));
      assert.equal(new Set(row).size, 5, 'k distinct neighbours');
      for (const p of row) assert.ok(p >= 0 && p < n);
    }
  }
  // k larger than a leaf: the search goes on past the budget until it holds k points.
  const wide = tree.query(q, m, 40, 1);
  for (const p of wide) assert.ok(p >= 0 && p < n);
  // A budget of at least every leaf is the exact search.
  assert.deepEqual(tree.query(q, m, 5, n), exact);
  assert.throws(() => tree.query(q, m, 5, 0), RangeError);
});

test('Knn maxLeaves: approximate neighbours still learn XOR; the default is exact', () => {
  const train = xorProblem(4000, 31);
  const held = xorProblem(1000, 32);
  const approx = new Knn({ maxLeaves: 2 });
  approx.fit(train.x, train.n, train.d, train.y, new Rng(1));
  const auc = bruteAuc(approx.predictProba(held.x, held.n, held.d), held.y);
  assert.ok(auc > 0.9, `AUC ${auc}`);
  const exact = new Knn();
  exact.fit(train.x, train.n, train.d, train.y, new Rng(1));
  const wide = new Knn({ maxLeaves: 1e9 });
  wide.fit(train.x, train.n, train.d, train.y, new Rng(1));
  assert.deepEqual(wide.predictProba(held.x, held.n, held.d), exact.predictProba(held.x, held.n, held.d));
});
