import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/rng.js';

test('same seed, same numbers; different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xa = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(
    xa,
    Array.from({ length: 5 }, () => b.nextUint32()),
  );
  assert.notDeepEqual(
    xa,
    Array.from({ length: 5 }, () => c.nextUint32()),
  );
});

test('uniform, normal and permutation behave as their distributions', () => {
  const r = new Rng(1);
  const n = 200_000;
  let s = 0;
  let s2 = 0;
  const bins = new Int32Array(10);
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 10)]!++;
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  for (const b of bins) assert.ok(Math.abs(b - n / 10) < 5 * Math.sqrt(n / 10), `bin ${b}`);
  assert.ok(Math.abs(s / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.02);
  const p = r.permutation(1000);
  assert.deepEqual(
    [...p].sort((x, y) => x - y),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.throws(() => r.int(0), RangeError);
  assert.throws(() => new Rng(Number.NaN), RangeError);
});
