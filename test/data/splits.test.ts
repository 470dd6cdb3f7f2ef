import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { checkDataset } from '../../src/data/dataset.js';
import {
  classCounts,
  concat,
  firstKClasses,
  indicesOfFirstKClasses,
  randomHalves,
  randomSplit,
  shuffledIndices,
  subsetIndices,
  take,
} from '../../src/data/splits.js';
import { Rng } from '../../src/rng.js';
import { rejectsMia } from './helpers.js';

/** 6 samples of shape [2]: x = [10i, 10i+1], labels 0,1,2,3,0,1. */
function small(): Dataset {
  const x = new Float32Array(12);
  for (let i = 0; i < 6; i++) {
    x[2 * i] = 10 * i;
    x[2 * i + 1] = 10 * i + 1;
  }
  return {
    name: 'small',
    source: 'test',
    x,
    y: Int32Array.from([0, 1, 2, 3, 0, 1]),
    n: 6,
    shape: [2],
    numClasses: 4,
    classNames: ['a', 'b', 'c', 'd'],
    split: 'train',
  };
}

test('subsetIndices: k distinct sorted indices in range, the same for the same seed', () => {
  for (const [n, k] of [
    [10, 0],
    [10, 3],
    [10, 10],
    [1000, 137],
  ] as const) {
    const a = subsetIndices(n, k, new Rng(5));
    assert.equal(a.length, k);
    for (let i = 1; i < a.length; i++) assert.ok(a[i]! > a[i - 1]!, 'strictly increasing, so distinct');
    for (const v of a) assert.ok(v >= 0 && v < n);
    assert.deepEqual(subsetIndices(n, k, new Rng(5)), a);
  }
  assert.notDeepEqual(subsetIndices(1000, 10, new Rng(1)), subsetIndices(1000, 10, new Rng(2)));
  assert.deepEqual([...subsetIndices(5, 5, new Rng(9))], [0, 1, 2, 3, 4]);
});

test('subsetIndices is uniform: each index is picked about k/n of the time', () => {
  const n = 10;
  const k = 3;
  const hits = new Array(n).fill(0);
  const rng = new Rng(42);
  const trials = 20000;
  for (let t = 0; t < trials; t++) for (const i of subsetIndices(n, k, rng)) hits[i]++;
  // expected 6000 each; binomial sd ≈ 65, allow 5 sd
  for (const h of hits) assert.ok(Math.abs(h - (trials * k) / n) < 330, `count ${h}`);
});

test('subsetIndices and randomSplit reject sizes outside [0, n]', async () => {
  await rejectsMia(() => subsetIndices(5, 6, new Rng(0)), 'E_ARGUMENT', "'k'", 'Got 6');
  await rejectsMia(() => subsetIndices(5, -1, new Rng(0)), 'E_ARGUMENT');
  await rejectsMia(() => randomSplit(5, 2.5, new Rng(0)), 'E_ARGUMENT');
});

test('randomHalves and randomSplit partition 0..n-1 exactly', () => {
  for (const n of [0, 1, 7, 100]) {
    const { a, b } = randomHalves(n, new Rng(n));
    assert.equal(a.length, Math.floor(n / 2));
    assert.equal(b.length, n - Math.floor(n / 2));
    assert.deepEqual(
      [...a, ...b].sort((p, q) => p - q),
      Array.from({ length: n }, (_, i) => i),
    );
  }
  const s = randomSplit(20, 6, new Rng(3));
  assert.equal(s.first.length, 6);
  assert.equal(s.rest.length, 14);
  assert.equal(new Set([...s.first, ...s.rest]).size, 20);
});

test('shuffledIndices is a permutation, deterministic per seed', () => {
  const p = shuffledIndices(50, new Rng(7));
  assert.deepEqual(
    [...p].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(shuffledIndices(50, new Rng(7)), p);
});

test('take copies the chosen rows in the given order (repeats allowed) and keeps metadata', async () => {
  const d = small();
  const t = take(d, [4, 1, 1]);
  assert.equal(t.n, 3);
  assert.deepEqual([...t.x], [40, 41, 10, 11, 10, 11]);
  assert.deepEqual([...t.y], [0, 1, 1]);
  assert.deepEqual(t.classNames, ['a', 'b', 'c', 'd']);
  t.x[0] = -1;
  assert.equal(d.x[8], 40, 'a copy, not a view');
  checkDataset(t);
  await rejectsMia(() => take(d, [6]), 'E_ARGUMENT', 'index 6');
});

test('firstKClasses keeps labels < k, sets numClasses and cuts classNames', async () => {
  const d = small();
  const f = firstKClasses(d, 2);
  assert.deepEqual([...f.y], [0, 1, 0, 1]);
  assert.deepEqual([...f.x], [0, 1, 10, 11, 40, 41, 50, 51]);
  assert.equal(f.numClasses, 2);
  assert.deepEqual(f.classNames, ['a', 'b']);
  assert.deepEqual([...indicesOfFirstKClasses(d.y, 3)], [0, 1, 2, 4, 5]);
  await rejectsMia(() => firstKClasses(d, 5), 'E_ARGUMENT', 'firstKClasses');
  await rejectsMia(() => firstKClasses(d, 0), 'E_ARGUMENT');
});

test('concat joins samples; classCounts counts labels', async () => {
  const d = small();
  const c = concat(d, take(d, [0]));
  assert.equal(c.n, 7);
  assert.deepEqual([...c.x.subarray(12)], [0, 1]);
  assert.deepEqual([...classCounts(c)], [3, 2, 1, 1]);
  await rejectsMia(() => concat(d, { ...d, shape: [1, 2] }), 'E_SHAPE_MISMATCH');
});

test('checkDataset names the field at fault', async () => {
  const d = small();
  await rejectsMia(() => checkDataset({ ...d, y: d.y.subarray(0, 5) }), 'E_SHAPE_MISMATCH', '.y');
  await rejectsMia(
    () => checkDataset({ ...d, numClasses: 3, classNames: ['a', 'b', 'c'] }),
    'E_LABEL_RANGE',
    'y[3]',
  );
  const x = d.x.slice();
  x[3] = Number.NaN;
  await rejectsMia(() => checkDataset({ ...d, x }), 'E_NOT_FINITE', 'sample 1');
  await rejectsMia(() => checkDataset({ ...d, classNames: ['a'] }), 'E_SHAPE_MISMATCH', 'classNames');
});
