import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { betaCdf, betaQuantile, logGamma } from '../../src/metrics/beta.js';
import {
  clopperPearson,
  clopperPearsonLower,
  clopperPearsonLowerBelow,
  clopperPearsonLowerBelowTight,
  clopperPearsonUpper,
  clopperPearsonUpperBelow,
  clopperPearsonUpperBelowTight,
  normalQuantileBounds,
} from '../../src/metrics/intervals.js';
import { fixtures, relClose } from './fixtures.js';

test('ln Γ at known values', () => {
  assert.ok(Math.abs(logGamma(1)) < 4e-15);
  assert.ok(Math.abs(logGamma(2)) < 4e-15);
  assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 4e-15);
  assert.ok(relClose(logGamma(11), Math.log(3628800), 1e-15));
  // ln Γ(5e6) from mpmath: 72124735.5584562…
  assert.ok(relClose(logGamma(5e6), 72124735.5584562, 1e-15));
});

test('closed forms: Beta(1, b) and Beta(a, 1) quantiles, uniform CDF', () => {
  for (const [p, b] of [
    [0.025, 10],
    [2.5e-9, 5e6],
    [0.7, 3],
  ] as const) {
    // P(X > x) = (1 − x)^b for Beta(1, b): x = −expm1(ln(p) / b).
    assert.ok(relClose(betaQuantile(p, 1, b, false).x, -Math.expm1(Math.log(p) / b), 1e-14));
    // P(X ≤ x) = x^a for Beta(a, 1).
    assert.ok(relClose(betaQuantile(p, b, 1, true).x, p ** (1 / b), 1e-14));
  }
  assert.ok(Math.abs(betaCdf(0.3, 1, 1) - 0.3) < 1e-15);
  assert.ok(Math.abs(betaCdf(0.5, 7, 7) - 0.5) < 4e-15);
});

test('quantile and CDF are inverse to each other', () => {
  for (const [a, b] of [
    [2, 3],
    [0.5, 0.5],
    [30, 7.5],
    [1000, 20],
  ] as const) {
    for (const p of [1e-10, 0.01, 0.3, 0.5, 0.9]) {
      const { x } = betaQuantile(p, a, b, true);
      assert.ok(relClose(betaCdf(x, a, b), p, 5e-14), `a=${a} b=${b} p=${p}`);
    }
  }
});

test('k = 0 → low 0, k = n → high 1', () => {
  assert.equal(clopperPearson(0, 25, 0.95).low, 0);
  assert.equal(clopperPearson(25, 25, 0.95).high, 1);
  assert.equal(clopperPearsonLower(0, 25, 1e-9), 0);
  assert.equal(clopperPearsonUpper(25, 25, 1e-9), 1);
});

for (const c of fixtures.clopperPearson) {
  test(`two-sided equals scipy beta.ppf: k=${c.k} n=${c.n} confidence=${c.confidence}`, () => {
    const r = clopperPearson(c.k, c.n, c.confidence);
    // scipy's own relative error reaches ~1e-12 at n = 5e6 (see the exact values below).
    assert.ok(relClose(r.low, c.low, 1e-11), `low ${r.low} vs ${c.low}`);
    assert.ok(relClose(r.high, c.high, 1e-11), `high ${r.high} vs ${c.high}`);
    assert.ok(r.low <= c.k / c.n && c.k / c.n <= r.high);
  });
}

for (const c of fixtures.clopperPearsonOneSided) {
  test(`one-sided equals scipy beta.isf / beta.ppf and exact sums: k=${c.k} n=${c.n} alpha=${c.alpha}`, () => {
    const up = clopperPearsonUpper(c.k, c.n, c.alpha);
    const lo = clopperPearsonLower(c.k, c.n, c.alpha);
    assert.ok(relClose(up, c.upper, 1e-11), `upper ${up} vs ${c.upper}`);
    assert.ok(relClose(lo, c.lower, 1e-11), `lower ${lo} vs ${c.lower}`);
    if (c.upperExact !== undefined && c.lowerExact !== undefined) {
      assert.ok(relClose(up, c.upperExact, 1e-14), `upper ${up} vs exact ${c.upperExact}`);
      assert.ok(relClose(lo, c.lowerExact, 1e-14), `lower ${lo} vs exact ${c.lowerExact}`);
    }
  });
}

test('invalid arguments are E_ARGUMENT naming the argument', () => {
  const where = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (isMiaError(e)) return `${e.code} ${e.where}`;
      throw e;
    }
    return 'no error';
  };
  assert.equal(
    where(() => clopperPearson(1, 10, 1)),
    'E_ARGUMENT confidence',
  );
  assert.equal(
    where(() => clopperPearson(11, 10, 0.95)),
    'E_ARGUMENT k',
  );
  assert.equal(
    where(() => clopperPearson(0, 0, 0.95)),
    'E_ARGUMENT n',
  );
  assert.equal(
    where(() => clopperPearsonUpper(1, 10, 0)),
    'E_ARGUMENT alpha',
  );
});

test('normalQuantileBounds brackets Φ⁻¹(1 − α) within 1e-9 relative (mpmath values)', () => {
  // mpmath (40 digits, rounded to double): −√2·erfinv(2α − 1), and a root of ln Φ(−z) = ln α for the smallest α.
  for (const [alpha, z] of [
    [0.5, 0],
    [0.25, 0.6744897501960817],
    [0.025, 1.9599639845400543],
    [1e-3, 3.0902323061678136],
    [1.25e-7, 5.15770131219888],
    [1e-20, 9.262340089798407],
    [1e-300, 37.0470962993612],
  ] as const) {
    const b = normalQuantileBounds(alpha);
    assert.ok(b.below <= z && z <= b.above, `α=${alpha}: ${b.below} ≤ ${z} ≤ ${b.above}`);
    assert.ok(b.above - b.below <= 3e-9 * Math.max(1, z), `α=${alpha}: width ${b.above - b.below}`);
  }
  assert.throws(() => normalQuantileBounds(0.6), RangeError);
  assert.throws(() => normalQuantileBounds(0), RangeError);
});

test('the cheap and tight lower bounds are ≤ the exact Clopper–Pearson bounds; tight is within 3 counts', () => {
  for (const n of [1, 2, 3, 7, 40, 1000, 100000, 1e8]) {
    for (const alpha of [0.5, 0.1, 1e-3, 1.25e-7, 1e-14, 1e-30]) {
      const z = normalQuantileBounds(alpha);
      const ks = new Set<number>();
      for (let i = 0; i <= 40; i++) {
        ks.add(Math.min(n, i));
        ks.add(Math.max(0, n - i));
        ks.add(Math.round((n * i) / 40));
      }
      for (const k of ks) {
        const at = `n=${n} α=${alpha} k=${k}`;
        const up = clopperPearsonUpper(k, n, alpha);
        const cheapUp = clopperPearsonUpperBelow(k, n, z.below);
        const tightUp = clopperPearsonUpperBelowTight(k, n, z.below);
        assert.ok(
          0 <= cheapUp && cheapUp <= tightUp && tightUp <= up,
          `upper ${at}: ${cheapUp} ${tightUp} ${up}`,
        );
        const lo = clopperPearsonLower(k, n, alpha);
        const cheapLo = clopperPearsonLowerBelow(k, n, z.above);
        const tightLo = clopperPearsonLowerBelowTight(k, n, z.above);
        assert.ok(
          0 <= cheapLo && cheapLo <= tightLo && tightLo <= lo,
          `lower ${at}: ${cheapLo} ${tightLo} ${lo}`,
        );
        if (n >= 40) {
          assert.ok((up - tightUp) * n < 3.5, `upper gap ${at}: ${(up - tightUp) * n} counts`);
          if (k >= 2) assert.ok((lo - tightLo) * n < 3.5, `lower gap ${at}: ${(lo - tightLo) * n} counts`);
        }
      }
    }
  }
});

test('tight lower bounds hold at every count for small n', () => {
  for (const n of [1, 2, 5, 13, 60]) {
    for (const alpha of [0.45, 0.025, 2e-6]) {
      const z = normalQuantileBounds(alpha);
      for (let k = 0; k <= n; k++) {
        assert.ok(
          clopperPearsonUpperBelowTight(k, n, z.below) <= clopperPearsonUpper(k, n, alpha),
          `U n=${n} k=${k}`,
        );
        assert.ok(
          clopperPearsonLowerBelowTight(k, n, z.above) <= clopperPearsonLower(k, n, alpha),
          `L n=${n} k=${k}`,
        );
      }
    }
  }
});
