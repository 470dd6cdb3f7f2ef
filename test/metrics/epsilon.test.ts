import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { epsilonLowerBound } from '../../src/metrics/epsilon.js';
import { clopperPearsonLower, clopperPearsonUpper } from '../../src/metrics/intervals.js';
import { type RocCurve, rocCurve } from '../../src/metrics/roc.js';
import { Rng } from '../../src/rng.js';
import { fixtures } from './fixtures.js';

const u8 = (a: number[]) => Uint8Array.from(a);

test('all-equal scores: no threshold can prove anything', () => {
  const e = epsilonLowerBound(rocCurve(new Float64Array(6).fill(1), u8([1, 0, 1, 0, 1, 0])));
  assert.deepEqual(e, { epsilon: 0, low: 0, high: 0, thresholdsTried: 0, delta: 1e-5, confidence: 0.95 });
});

test('hand-computed: perfect separation of 10 + 10 samples', () => {
  const s = new Float64Array(20);
  const m = new Uint8Array(20);
  for (let i = 0; i < 20; i++) {
    s[i] = i;
    m[i] = i >= 10 ? 1 : 0;
  }
  const roc = rocCurve(s, m);
  const e = epsilonLowerBound(roc, { delta: 0 });
  // 21 points, T = 19. At the separating threshold α = β = 0 → ½ count each: ε̂ = ln((1 − 0.05) / 0.05).
  assert.equal(e.thresholdsTried, 19);
  assert.ok(Math.abs(e.epsilon - Math.log(19)) < 1e-14);
  // low: Clopper–Pearson upper bound for 0 of 10 at error 0.05 / 38 is 1 − (0.05/38)^(1/10).
  const u = -Math.expm1(Math.log(0.05 / 38) / 10);
  assert.ok(Math.abs(e.low - Math.log((1 - u) / u)) < 1e-13);
  // high: the lower bounds are 0, floored at ½ count → equals the point estimate here.
  assert.ok(Math.abs(e.high - e.epsilon) < 1e-14);
});

/** Brute force: the Clopper–Pearson bound at every interior point. */
function bruteForce(roc: RocCurve, delta: number, confidence: number) {
  const T = roc.tp.length - 2;
  const alpha = (1 - confidence) / (2 * T);
  const n1 = roc.nMembers;
  const n0 = roc.nNonMembers;
  const bound = (a: number, b: number) => {
    const r1 = 1 - delta - a > 0 ? (1 - delta - a) / b : 0;
    const r2 = 1 - delta - b > 0 ? (1 - delta - b) / a : 0;
    return Math.max(r1, r2);
  };
  let low = 0;
  let high = 0;
  for (let i = 1; i <= T; i++) {
    const k = roc.fp[i]!;
    const j = n1 - roc.tp[i]!;
    low = Math.max(low, bound(clopperPearsonUpper(k, n0, alpha), clopperPearsonUpper(j, n1, alpha)));
    high = Math.max(
      high,
      bound(
        Math.max(clopperPearsonLower(k, n0, alpha), 0.5 / n0),
        Math.max(clopperPearsonLower(j, n1, alpha), 0.5 / n1),
      ),
    );
  }
  return { low: low > 1 ? Math.log(low) : 0, high: high > 1 ? Math.log(high) : 0 };
}

test('the branch-and-bound search finds exactly the brute-force maximum', () => {
  const rng = new Rng(31);
  const shapes = ['normal', 'ties', 'tail', 'weak'] as const;
  for (let trial = 0; trial < 8; trial++) {
    const shape = shapes[trial % 4]!;
    const n = 300 + rng.int(2500);
    const s = new Float64Array(n);
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      m[i] = rng.next() < 0.5 ? 1 : 0;
      const z = rng.normal();
      s[i] =
        shape === 'normal'
          ? z + 1.5 * m[i]!
          : shape === 'ties'
            ? Math.round(3 * (z + m[i]!))
            : shape === 'tail'
              ? m[i]! && rng.next() < 0.05
                ? 10 + z
                : z
              : z + 0.05 * m[i]!;
    }
    const roc = rocCurve(s, m);
    const delta = trial % 2 === 0 ? 1e-5 : 0;
    const e = epsilonLowerBound(roc, { delta });
    const b = bruteForce(roc, delta, 0.95);
    assert.equal(e.low, b.low, `${shape} n=${n} low`);
    assert.equal(e.high, b.high, `${shape} n=${n} high`);
    assert.ok(e.low <= e.epsilon && e.epsilon <= e.high, `${shape}: ${e.low} ≤ ${e.epsilon} ≤ ${e.high}`);
  }
});

test('the search finds exactly the brute-force maximum on small, tied and separated curves', () => {
  const rng = new Rng(33);
  for (let trial = 0; trial < 60; trial++) {
    const n = 2 + rng.int(150);
    const gap = [0, 0.5, 2, 6][trial % 4]!;
    const levels = [0, 3, 20][trial % 3]!;
    const s = new Float64Array(n);
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      m[i] = i < 2 ? i : rng.next() < 0.3 + 0.4 * ((trial >> 2) % 2) ? 1 : 0;
      const z = rng.normal() + gap * m[i]!;
      s[i] = levels === 0 ? z : Math.round(levels * z);
    }
    const roc = rocCurve(s, m);
    const delta = [0, 1e-5, 0.1][trial % 3]!;
    const confidence = [0.5, 0.95, 0.999999][(trial >> 1) % 3]!;
    const e = epsilonLowerBound(roc, { delta, confidence });
    if (e.thresholdsTried === 0) continue;
    const b = bruteForce(roc, delta, confidence);
    const at = `trial ${trial}: n=${n} δ=${delta} c=${confidence}`;
    assert.equal(e.low, b.low, `${at} low`);
    assert.equal(e.high, b.high, `${at} high`);
  }
});

test('the search finds exactly the brute-force maximum at 20,000 samples', () => {
  const rng = new Rng(34);
  const n = 20000;
  const s = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = rng.next() < 0.4 ? 1 : 0;
    // A strong tail on a few members (high ε at low FPR) over a weak bulk.
    s[i] = rng.normal() + (m[i]! ? (rng.next() < 0.1 ? 3 : 0.3) : 0);
  }
  const roc = rocCurve(s, m);
  const e = epsilonLowerBound(roc);
  const b = bruteForce(roc, 1e-5, 0.95);
  assert.ok(e.low > 0);
  assert.equal(e.low, b.low);
  assert.equal(e.high, b.high);
});

for (const fx of fixtures.epsilon) {
  test(`equals the scipy brute force over every threshold: ${fx.name}`, () => {
    const roc = rocCurve(Float64Array.from(fx.scores), Uint8Array.from(fx.isMember));
    const e = epsilonLowerBound(roc, { delta: fx.delta, confidence: fx.confidence });
    assert.equal(e.thresholdsTried, fx.thresholdsTried);
    assert.ok(Math.abs(e.epsilon - fx.epsilon) < 1e-13, `epsilon ${e.epsilon} vs ${fx.epsilon}`);
    // scipy's beta.isf / ppf carry ~1e-12 relative error.
    assert.ok(Math.abs(e.low - fx.low) < 1e-10, `low ${e.low} vs ${fx.low}`);
    assert.ok(Math.abs(e.high - fx.high) < 1e-10, `high ${e.high} vs ${fx.high}`);
  });
}

test('properties: larger δ or higher confidence never raises the bounds', () => {
  const rng = new Rng(32);
  const n = 2000;
  const s = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = i % 2;
    s[i] = rng.normal() + 2 * m[i]!;
  }
  const roc = rocCurve(s, m);
  const base = epsilonLowerBound(roc, { delta: 1e-5, confidence: 0.95 });
  const moreDelta = epsilonLowerBound(roc, { delta: 0.01, confidence: 0.95 });
  const moreConf = epsilonLowerBound(roc, { delta: 1e-5, confidence: 0.999 });
  const pure = epsilonLowerBound(roc, { delta: 0 });
  assert.ok(moreDelta.low <= base.low && moreDelta.epsilon <= base.epsilon && moreDelta.high <= base.high);
  assert.ok(moreConf.low <= base.low && moreConf.high >= base.high);
  assert.equal(moreConf.epsilon, base.epsilon);
  assert.ok(pure.low >= base.low);
  assert.ok(base.low > 0);
});

test('invalid δ or confidence is E_ARGUMENT naming it', () => {
  const roc = rocCurve(Float64Array.from([1, 2, 3]), u8([1, 0, 1]));
  for (const [opts, where] of [
    [{ delta: -1 }, 'delta'],
    [{ delta: 1 }, 'delta'],
    [{ confidence: 0 }, 'confidence'],
  ] as const) {
    assert.throws(
      () => epsilonLowerBound(roc, opts),
      (e: unknown) => isMiaError(e) && e.code === 'E_ARGUMENT' && e.where === where,
    );
  }
});
