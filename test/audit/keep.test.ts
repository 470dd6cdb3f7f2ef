import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairedKeepMatrix, trainingRows } from '../../src/audit/keep.js';
import { isMiaError } from '../../src/errors.js';

function rowSums(keep: Uint8Array, m: number, n: number): number[] {
  return Array.from({ length: m }, (_, r) => keep.subarray(r * n, (r + 1) * n).reduce((s, v) => s + v, 0));
}

test('paired halves: every sample is IN for exactly half of the models', () => {
  for (const [m, n] of [
    [2, 10],
    [4, 101],
    [8, 1000],
  ] as const) {
    const keep = pairedKeepMatrix(m, n, 7);
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let r = 0; r < m; r++) c += keep[r * n + i]!;
      assert.equal(c, m / 2, `sample ${i} of N=${n}, M=${m}`);
    }
    for (let p = 0; p < m / 2; p++) {
      for (let i = 0; i < n; i++) {
        assert.equal(keep[2 * p * n + i]! + keep[(2 * p + 1) * n + i]!, 1, 'pairs are complements');
      }
    }
    const sums = rowSums(keep, m, n);
    for (const s of sums) assert.ok(s === Math.floor(n / 2) || s === Math.ceil(n / 2), `model size ${s}`);
    // pairs alternate which model gets the odd sample, so the target's half is the floor
    assert.equal(sums[0], Math.floor(n / 2));
  }
});

test('seeded, and adding models keeps the first pairs', () => {
  const a = pairedKeepMatrix(4, 50, 3);
  assert.deepEqual(pairedKeepMatrix(4, 50, 3), a);
  assert.notDeepEqual(pairedKeepMatrix(4, 50, 4), a);
  const b = pairedKeepMatrix(8, 50, 3);
  assert.deepEqual(b.subarray(0, 4 * 50), a);
});

test('a single model trains on a random half; odd model counts are refused', () => {
  const one = pairedKeepMatrix(1, 9, 1);
  assert.equal(
    one.reduce((s, v) => s + v, 0),
    4,
  );
  assert.throws(
    () => pairedKeepMatrix(3, 10, 1),
    (e) => isMiaError(e) && e.code === 'E_ARGUMENT',
  );
  assert.throws(
    () => pairedKeepMatrix(2, 1, 1),
    (e) => isMiaError(e) && e.code === 'E_ARGUMENT',
  );
});

test('trainingRows lists the IN samples in ascending order', () => {
  const keep = Uint8Array.from([1, 0, 0, 1, 1, 0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(trainingRows(keep, 5, 0)), [0, 3, 4]);
  assert.deepEqual(Array.from(trainingRows(keep, 5, 1)), [1, 2]);
});
