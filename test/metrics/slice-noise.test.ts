import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalQuantileBounds } from '../../src/metrics/intervals.js';
import {
  compareSlices,
  isSmallSlice,
  MIN_SLICE_SIZE,
  type SliceComparable,
} from '../../src/metrics/slice-noise.js';

function res(attack: string, auc: number, se: number, slice?: number, n = 100): SliceComparable {
  return {
    attack,
    slice: slice === undefined ? { feature: 'entire_dataset' } : { feature: 'class', value: slice },
    nMembers: n,
    nNonMembers: n,
    auc,
    aucInterval: { se },
  };
}

test('isSmallSlice: fewer than MIN_SLICE_SIZE members or non-members', () => {
  assert.equal(MIN_SLICE_SIZE, 30);
  assert.equal(isSmallSlice({ nMembers: 29, nNonMembers: 500 }), true);
  assert.equal(isSmallSlice({ nMembers: 500, nNonMembers: 29 }), true);
  assert.equal(isSmallSlice({ nMembers: 30, nNonMembers: 30 }), false);
});

test('compareSlices: the issue-17 case — a 2-member slice at AUC 0.981 is never named', () => {
  const c = compareSlices([res('lr', 0.6, 0.01), res('lr', 0.981, 0.02, 4, 2)]);
  assert.equal(c.compared, 0);
  assert.equal(c.exposed, undefined);
});

test('compareSlices: the maximum of many noisy slices is not named; a real outlier is, by z', () => {
  // 200 slices × attacks, each 2.5 SE above the entire dataset: beyond 1.96 alone, not after Bonferroni
  const entire = [res('a', 0.6, 0.01), res('b', 0.65, 0.01)];
  const noisy = Array.from({ length: 200 }, (_, i) =>
    res(i % 2 === 0 ? 'a' : 'b', (i % 2 === 0 ? 0.6 : 0.65) + 2.5 * Math.hypot(0.03, 0.01), 0.03, i),
  );
  const c = compareSlices([...entire, ...noisy]);
  assert.equal(c.compared, 200);
  assert.ok(Math.abs(c.critical - normalQuantileBounds(0.05 / 200).above) < 1e-12);
  assert.ok(c.critical > 3.4 && c.critical < 3.6);
  assert.equal(c.exposed, undefined);
  // one slice 5 SE above its attack's whole — named, though another has a higher raw AUC
  const strong = res('a', 0.6 + 5 * Math.hypot(0.03, 0.01), 0.03, 999);
  const higherButNoisy = res('b', 0.83, 0.08, 998);
  const d = compareSlices([...entire, ...noisy, strong, higherButNoisy]);
  assert.equal(d.exposed?.slice, strong);
  assert.equal(d.exposed?.entire, entire[0]);
  assert.ok(Math.abs(d.exposed!.z - 5) < 1e-9);
});

test('compareSlices: slices are compared with the entire dataset of their own target', () => {
  type R = SliceComparable & { model: string };
  const a = { ...res('lr', 0.9, 0.01), model: 'a' };
  const b = { ...res('lr', 0.6, 0.01), model: 'b' };
  const sliceOfA = { ...res('lr', 0.8, 0.01, 1), model: 'a' };
  const same = (x: R, y: R) => x.model === y.model;
  assert.equal(compareSlices<R>([a, b, sliceOfA], same).exposed, undefined);
  const sliceOfB = { ...res('lr', 0.8, 0.01, 1), model: 'b' };
  assert.equal(compareSlices<R>([a, b, sliceOfB], same).exposed?.entire, b);
});
