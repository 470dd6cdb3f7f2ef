import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binFeatures, binOf } from '../../../src/attacks/classifiers/binning.js';
import { RandomForest } from '../../../src/attacks/classifiers/random-forest.js';
import { isMiaError } from '../../../src/errors.js';
import { Rng } from '../../../src/rng.js';
import { accuracy, bruteAuc, linearProblem, xorProblem } from './helpers.js';

test('binFeatures: few distinct values get one bin each, edges at midpoints (hand-computed)', () => {
  // Column 0: values 3, 1, 2, 1 → distinct 1, 2, 3 → edges 1.5, 2.5. Column 1 constant → no edges.
  const x = Float64Array.from([3, 9, 1, 9, 2, 9, 1, 9]);
  const { edges, codes } = binFeatures(x, 4, 2);
  assert.deepEqual(Array.from(edges[0]!), [1.5, 2.5]);
  assert.deepEqual(Array.from(edges[1]!), []);
  assert.deepEqual(Array.from(codes), [2, 0, 0, 0, 1, 0, 0, 0]);
  assert.equal(binOf(edges[0]!, 1.5), 0); // x ≤ edge goes to the lower bin
  assert.equal(binOf(edges[0]!, 1.5000001), 1);
  assert.equal(binOf(edges[0]!, 100), 2);
});

test('binFeatures: many distinct values → ≤ maxBins quantile bins, codes consistent with binOf', () => {
  const rng = new Rng(3);
  const n = 5000;
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const { edges, codes } = binFeatures(x, n, 1, 16);
  const e = edges[0]!;
  assert.equal(e.length, 15);
  for (let i = 1; i < e.length; i++) assert.ok(e[i]! > e[i - 1]!);
  const counts = new Array(16).fill(0);
  for (let i = 0; i < n; i++) {
    assert.equal(codes[i], binOf(e, x[i]!));
    counts[codes[i]!]++;
  }
  for (const c of counts) assert.ok(Math.abs(c - n / 16) < 5, `bin count ${c}`); // quantile bins
  assert.throws(() => binFeatures(x, n, 1, 300), RangeError);
});

test('RandomForest learns XOR with noise features (held-out AUC and accuracy)', () => {
  const train = xorProblem(3000, 61, 3);
  const held = xorProblem(1000, 62, 3);
  const rf = new RandomForest({ nTrees: 50 });
  rf.fit(train.x, train.n, train.d, train.y, new Rng(1));
  const p = rf.predictProba(held.x, held.n, held.d);
  const auc = bruteAuc(p, held.y);
  assert.ok(auc > 0.9, `AUC ${auc}`);
  assert.ok(accuracy(p, held.y) > 0.85);
  for (const v of p) assert.ok(v >= 0 && v <= 1);
});

test('RandomForest learns a noisy linear problem', () => {
  const train = linearProblem(3000, 6, 71);
  const held = linearProblem(1000, 6, 72);
  const rf = new RandomForest({ nTrees: 30 });
  rf.fit(train.x, train.n, train.d, train.y, new Rng(2));
  const auc = bruteAuc(rf.predictProba(held.x, held.n, held.d), held.y);
  assert.ok(auc > 0.85, `AUC ${auc}`);
});

test('RandomForest: a clean 1-d threshold is split at the midpoint between the classes', () => {
  // x ∈ {0, 1, …, 9}: class 0 below 4.5, class 1 above. Every tree splits its root at the gap
  // midpoint of the values it drew, and pure leaves predict exactly 0 or 1.
  const n = 200;
  const x = Float64Array.from({ length: n }, (_, i) => i % 10);
  const y = Uint8Array.from(x, (v) => (v > 4.5 ? 1 : 0));
  const rf = new RandomForest({ nTrees: 10, minSamplesLeaf: 1 });
  rf.fit(x, n, 1, y, new Rng(4));
  assert.deepEqual(
    Array.from(rf.predictProba(Float64Array.from([-5, 0, 4, 4.4, 4.6, 5, 9, 50]), 8, 1)),
    [0, 0, 0, 0, 1, 1, 1, 1],
  );
  for (const c of rf.nodeCounts) assert.equal(c, 3); // root + two pure leaves
});

test('RandomForest: minSamplesLeaf and maxDepth bound the trees', () => {
  const { x, y, n, d } = xorProblem(1000, 81, 1);
  const shallow = new RandomForest({ nTrees: 5, maxDepth: 2 });
  shallow.fit(x, n, d, y, new Rng(1));
  for (const c of shallow.nodeCounts) assert.ok(c <= 7, `nodes ${c}`);
  const bigLeaves = new RandomForest({ nTrees: 5, minSamplesLeaf: 200 });
  bigLeaves.fit(x, n, d, y, new Rng(1));
  // ≤ 1000·(1 − 1/e) ≈ 632 distinct in-bag rows and ≥ 200 per leaf → at most 3 leaves, 5 nodes.
  for (const c of bigLeaves.nodeCounts) assert.ok(c <= 5, `nodes ${c}`);
});

test('RandomForest is deterministic given the seed, and the seed matters', () => {
  const { x, y, n, d } = xorProblem(1500, 91, 2);
  const q = xorProblem(300, 92, 2);
  const run = (seed: number) => {
    const rf = new RandomForest({ nTrees: 8 });
    rf.fit(x, n, d, y, new Rng(seed));
    return rf.predictProba(q.x, q.n, q.d);
  };
  const a = run(3);
  assert.deepEqual(run(3), a);
  assert.notDeepEqual(run(4), a);
});

test('RandomForest rejects bad options and bad input', () => {
  assert.throws(() => new RandomForest({ nTrees: 0 }), RangeError);
  assert.throws(() => new RandomForest({ minSamplesLeaf: 0 }), RangeError);
  const rf = new RandomForest({ nTrees: 2 });
  assert.throws(() => rf.predictProba(new Float64Array(1), 1, 1), /before fit/);
  assert.throws(
    () => rf.fit(Float64Array.from([0, Number.POSITIVE_INFINITY]), 2, 1, Uint8Array.from([0, 1]), new Rng(0)),
    (e) => isMiaError(e) && e.code === 'E_NOT_FINITE',
  );
  rf.fit(Float64Array.from([0, 1, 2, 3]), 4, 1, Uint8Array.from([0, 0, 1, 1]), new Rng(0));
  assert.throws(
    () => rf.predictProba(new Float64Array(4), 2, 2),
    (e) => isMiaError(e) && e.code === 'E_SHAPE_MISMATCH',
  );
});

test('RandomForest: depths reports each tree’s deepest leaf; maxDepth caps it', () => {
  const { x, y, n, d } = xorProblem(2000, 83, 2);
  const deep = new RandomForest({ nTrees: 4, minSamplesLeaf: 1 });
  deep.fit(x, n, d, y, new Rng(2));
  assert.ok(Math.max(...deep.depths) > 6, `depths ${deep.depths}`);
  const capped = new RandomForest({ nTrees: 4, minSamplesLeaf: 1, maxDepth: 6 });
  capped.fit(x, n, d, y, new Rng(2));
  for (const depth of capped.depths) assert.ok(depth <= 6, `depth ${depth}`);
  // A one-split tree: the root and two leaves, depth 1.
  const stump = new RandomForest({ nTrees: 3, maxDepth: 1 });
  stump.fit(x, n, d, y, new Rng(2));
  assert.deepEqual(stump.depths, [1, 1, 1]);
});

test('RandomForest scores rows one at a time or all together alike (the four-row walk and its tail)', () => {
  const { x, y, n, d } = xorProblem(800, 84, 3);
  const q = xorProblem(203, 85, 3); // 203 = 4·50 + 3: the tail walks alone
  const rf = new RandomForest({ nTrees: 7 });
  rf.fit(x, n, d, y, new Rng(5));
  const all = rf.predictProba(q.x, q.n, q.d);
  for (let i = 0; i < q.n; i++) {
    const one = rf.predictProba(q.x.subarray(i * d, i * d + d), 1, d);
    assert.equal(one[0], all[i], `row ${i}`);
  }
});
