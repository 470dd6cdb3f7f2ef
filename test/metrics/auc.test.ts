import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auc } from '../../src/metrics/auc.js';
import { rocCurve } from '../../src/metrics/roc.js';
import { Rng } from '../../src/rng.js';
import { close, fixtures } from './fixtures.js';

const f64 = (a: number[]) => Float64Array.from(a);
const u8 = (a: number[]) => Uint8Array.from(a);
const aucOf = (s: Float64Array | Float32Array, m: Uint8Array) => auc(rocCurve(s, m));

test('hand-computed: sklearn example 0.75, ties count ½, all-equal 0.5', () => {
  assert.equal(aucOf(f64([0.1, 0.4, 0.35, 0.8]), u8([0, 0, 1, 1])), 0.75);
  // Members {0.5, 0.5} vs non-members {0.5, 0.2}: two ties (½ each) and two wins → 3/4.
  assert.equal(aucOf(f64([0.5, 0.5, 0.5, 0.2]), u8([1, 0, 1, 0])), 0.75);
  assert.equal(aucOf(new Float64Array(9).fill(-2), u8([1, 0, 0, 1, 0, 1, 1, 0, 0])), 0.5);
});

test('perfect separator → 1, inverted → 0', () => {
  const m = u8([1, 1, 1, 0, 0]);
  assert.equal(aucOf(f64([5, 4, 3, 2, 1]), m), 1);
  assert.equal(aucOf(f64([1, 2, 3, 4, 5]), m), 0);
});

/** Mann–Whitney 2U by brute force over all pairs (ties count 1 of 2). */
function twiceU(s: Float64Array, m: Uint8Array): number {
  let u2 = 0;
  for (let i = 0; i < s.length; i++) {
    if (m[i] !== 1) continue;
    for (let j = 0; j < s.length; j++) {
      if (m[j] !== 0) continue;
      u2 += s[i]! > s[j]! ? 2 : s[i] === s[j] ? 1 : 0;
    }
  }
  return u2;
}

function sample(rng: Rng, n: number, levels: number): { s: Float64Array; m: Uint8Array } {
  const s = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = rng.next() < 0.4 ? 1 : 0;
    s[i] = levels > 0 ? rng.int(levels) + 0.5 * m[i]! * rng.int(2) : rng.normal() + 0.7 * m[i]!;
  }
  if (!m.includes(1)) m[0] = 1;
  if (!m.includes(0)) m[1] = 0;
  return { s, m };
}

test('property: AUC equals the brute-force Mann–Whitney U / (n1·n0) exactly (ties included)', () => {
  const rng = new Rng(101);
  for (let trial = 0; trial < 60; trial++) {
    const n = 2 + rng.int(120);
    const { s, m } = sample(rng, n, trial % 3 === 0 ? 0 : 1 + rng.int(6));
    let n1 = 0;
    for (const v of m) n1 += v;
    const expected = twiceU(s, m) / (2 * n1 * (n - n1));
    assert.equal(aucOf(s, m), expected, `trial ${trial}`);
  }
});

test('property: AUC(s) + AUC(−s) = 1 and AUC is invariant to strictly increasing transforms', () => {
  const rng = new Rng(102);
  for (let trial = 0; trial < 40; trial++) {
    const { s, m } = sample(rng, 5 + rng.int(300), trial % 2 === 0 ? 0 : 4);
    const a = aucOf(s, m);
    const neg = s.map((v) => -v);
    assert.ok(Math.abs(a + aucOf(neg, m) - 1) < 1e-15);
    assert.equal(
      aucOf(
        s.map((v) => Math.exp(v / 4) * 3 - 7),
        m,
      ),
      a,
    );
    assert.equal(
      aucOf(
        s.map((v) => Math.atan(v) + 1),
        m,
      ),
      a,
    );
  }
});

for (const fx of fixtures.roc) {
  test(`equals sklearn roc_auc_score: ${fx.name}`, () => {
    const s = fx.dtype === 'float32' ? Float32Array.from(fx.scores) : Float64Array.from(fx.scores);
    assert.ok(close(aucOf(s, Uint8Array.from(fx.isMember)), fx.auc, 1e-14));
  });
}
