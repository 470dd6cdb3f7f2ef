import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortFloat64 } from '../../src/metrics/sort-float64.js';
import { Rng } from '../../src/rng.js';

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

test('radix sort equals the native sort bit for bit, specials included', () => {
  const rng = new Rng(7);
  const n = 20000;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    a[i] =
      r < 0.01
        ? Number.POSITIVE_INFINITY
        : r < 0.02
          ? Number.NEGATIVE_INFINITY
          : r < 0.03
            ? 0
            : r < 0.04
              ? -0
              : r < 0.05
                ? 5e-324 * (rng.next() < 0.5 ? -1 : 1)
                : r < 0.5
                  ? rng.normal() * 10 ** rng.int(40)
                  : -rng.next();
  }
  const expected = a.slice().sort();
  const got = a.slice();
  sortFloat64(got, new Float64Array(n));
  assert.ok(sameBits(got, expected));
  const desc = a.slice();
  sortFloat64(desc, new Float64Array(n), true);
  assert.ok(sameBits(desc, expected.slice().reverse()));
});

test('passes on digits shared by every key are skipped correctly (0 to 4 passes, odd and even)', () => {
  const rng = new Rng(8);
  const n = 10000;
  const cases: [string, () => number][] = [
    ['float32 in [1, 2): 2 passes', () => Math.fround(1 + rng.next())],
    ['float32 spread: 3 passes', () => Math.fround(rng.normal() * 1000)],
    ['small integers: 1 pass', () => rng.int(60000)],
    ['two values differing in the last bit', () => (rng.next() < 0.5 ? 1 : 1 + 2 ** -52)],
  ];
  for (const [name, draw] of cases) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = draw();
    const expected = a.slice().sort();
    const asc = a.slice();
    sortFloat64(asc, new Float64Array(n));
    assert.ok(sameBits(asc, expected), name);
    const desc = a.slice();
    sortFloat64(desc, new Float64Array(n), true);
    assert.ok(sameBits(desc, expected.reverse()), `${name}, descending`);
  }
});

test('small arrays and all-equal arrays', () => {
  const small = new Float64Array([3, -1, 2, -0, 0]);
  sortFloat64(small, new Float64Array(5), true);
  assert.deepEqual([...small], [3, 2, 0, -0, -1]);
  assert.ok(Object.is(small[2], 0) && Object.is(small[3], -0));
  const same = new Float64Array(5000).fill(0.25);
  sortFloat64(same, new Float64Array(5000));
  assert.ok(same.every((v) => v === 0.25));
});

test('a subarray sorts in place without touching its neighbours', () => {
  const rng = new Rng(9);
  const buf = new Float64Array(9000);
  for (let i = 0; i < buf.length; i++) buf[i] = rng.normal();
  const before = buf.slice();
  const view = buf.subarray(1000, 7000);
  const scratchBuf = new Float64Array(8000).fill(7);
  sortFloat64(view, scratchBuf.subarray(1000, 7000), true);
  assert.ok(sameBits(view, before.subarray(1000, 7000).slice().sort().reverse()));
  assert.ok(sameBits(buf.subarray(0, 1000), before.subarray(0, 1000)));
  assert.ok(sameBits(buf.subarray(7000), before.subarray(7000)));
  assert.equal(scratchBuf[999], 7);
  assert.equal(scratchBuf[7000], 7);
});
