import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { betaCdf, betaQuantile, logGamma } from '../../src/metrics/beta.js';
import { clopperPearson, clopperPearsonLower, clopperPearsonUpper } from '../../src/metrics/intervals.js';
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

test('invalid arguments are E_CONFIG naming the argument', () => {
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
    'E_CONFIG confidence',
  );
  assert.equal(
    where(() => clopperPearson(11, 10, 0.95)),
    'E_CONFIG k',
  );
  assert.equal(
    where(() => clopperPearson(0, 0, 0.95)),
    'E_CONFIG n',
  );
  assert.equal(
    where(() => clopperPearsonUpper(1, 10, 0)),
    'E_CONFIG alpha',
  );
});
