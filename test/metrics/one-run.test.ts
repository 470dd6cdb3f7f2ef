import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import { oneRunAudit, oneRunEpsilon, oneRunPValue } from '../../src/metrics/one-run.js';

// Written by fixtures/make_one_run_fixtures.py: scipy.stats.binom p-values, brentq roots.
interface Fixture {
  bounds: { m: number; r: number; v: number; delta: number; beta: number; epsilon: number }[];
  pvalues: { m: number; r: number; v: number; epsilon: number; delta: number; p: number }[];
  audits: {
    scores: number[];
    member: number[];
    guesses: number[];
    delta: number;
    beta: number;
    sweep: { k: number; correct: number; epsilon: number; pure: number }[];
  }[];
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/one_run.json', import.meta.url), 'utf8')) as Fixture;

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test("the p-value equals scipy's binomial tail plus the paper's δ term", () => {
  for (const c of fx.pvalues) {
    const p = oneRunPValue(c.m, c.r, c.v, c.epsilon, c.delta);
    assert.ok(close(p, c.p, 1e-10), `${JSON.stringify(c)}: ${p}`);
  }
});

test('ε̂ (pure and (ε, δ)) equals the root scipy finds, to 1e-8', () => {
  for (const c of fx.bounds) {
    const e = oneRunEpsilon(c.m, c.r, c.v, c.delta, c.beta);
    assert.ok(close(e, c.epsilon, 1e-8), `${JSON.stringify(c)}: ${e}`);
  }
});

test('hand values: v ≤ r/2 proves nothing; all r correct with δ = 0 gives log((1−β^{1/r})… ) in closed form', () => {
  assert.equal(oneRunEpsilon(100, 20, 10, 0, 0.05), 0);
  assert.equal(oneRunEpsilon(100, 20, 0, 1e-5, 0.05), 0);
  // v = r: P[Bin(r, q) ≥ r] = q^r = β ⇔ q = β^{1/r} ⇔ ε = log(q / (1 − q))
  const q = 0.05 ** (1 / 20);
  assert.ok(close(oneRunEpsilon(100, 20, 20, 0, 0.05), Math.log(q / (1 - q)), 1e-9));
});

test('properties: ε̂ grows with the correct guesses and the confidence, and δ only lowers it', () => {
  let prev = -1;
  for (let v = 50; v <= 100; v += 5) {
    const e = oneRunEpsilon(1000, 100, v, 1e-5, 0.05);
    assert.ok(e >= prev);
    prev = e;
    assert.ok(e <= oneRunEpsilon(1000, 100, v, 0, 0.05) + 1e-12);
    assert.ok(oneRunEpsilon(1000, 100, v, 1e-5, 0.01) <= e + 1e-12);
  }
});

test('the audit ranks the scores, guesses top and bottom k, and splits β over the k tried (scipy)', () => {
  for (const a of fx.audits) {
    const r = oneRunAudit(a.scores, a.member, { guesses: a.guesses, delta: a.delta, beta: a.beta });
    assert.equal(r.canaries, a.scores.length);
    assert.equal(
      r.members,
      a.member.reduce((s, x) => s + x, 0),
    );
    assert.equal(r.sweep.length, a.sweep.length);
    for (let i = 0; i < a.sweep.length; i++) {
      const want = a.sweep[i]!;
      const got = r.sweep[i]!;
      assert.equal(got.k, want.k);
      assert.equal(got.guesses, 2 * want.k);
      assert.equal(got.correct, want.correct, `k = ${want.k}`);
      assert.ok(close(got.epsilon, want.epsilon, 1e-8), `k = ${want.k}: ${got.epsilon} vs ${want.epsilon}`);
      assert.ok(close(got.pureEpsilon, want.pure, 1e-8));
    }
    const best = Math.max(...a.sweep.map((s) => s.epsilon));
    assert.ok(close(r.epsilon, best, 1e-8));
    assert.equal(r.k, a.sweep.find((s) => s.epsilon === best)!.k);
    assert.ok(close(r.pureEpsilon, Math.max(...a.sweep.map((s) => s.pure)), 1e-8));
  }
});

test('an audit of scores independent of membership rarely claims ε > 0 (β = 0.05 over 200 seeds)', () => {
  let claims = 0;
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let t = 0; t < 200; t++) {
    const m = 200;
    const scores = Array.from({ length: m }, rand);
    const member = Array.from({ length: m }, () => (rand() < 0.5 ? 1 : 0));
    if (oneRunAudit(scores, member, { guesses: [10, 50], delta: 0, beta: 0.05 }).epsilon > 0) claims++;
  }
  assert.ok(claims <= 20, `${claims} false claims of 200`); // expected ≤ 10
});

test('bad arguments are E_ARGUMENT / E_SHAPE_MISMATCH / E_NOT_FINITE, one line', () => {
  const bad: [() => unknown, string][] = [
    [() => oneRunEpsilon(10, 20, 5, 0, 0.05), 'E_ARGUMENT'],
    [() => oneRunEpsilon(100, 20, 5, 0, 1), 'E_ARGUMENT'],
    [() => oneRunEpsilon(100, 20, 5, 2, 0.05), 'E_ARGUMENT'],
    [() => oneRunAudit([1, 2, 3], [1, 0], { guesses: [1], delta: 0, beta: 0.05 }), 'E_SHAPE_MISMATCH'],
    [() => oneRunAudit([1, 2, 3, 4], [1, 0, 1, 0], { guesses: [3], delta: 0, beta: 0.05 }), 'E_ARGUMENT'],
    [() => oneRunAudit([1, 2, 3, 4], [1, 0, 1, 0], { guesses: [], delta: 0, beta: 0.05 }), 'E_ARGUMENT'],
    [() => oneRunAudit([1, Number.NaN], [1, 0], { guesses: [1], delta: 0, beta: 0.05 }), 'E_NOT_FINITE'],
  ];
  for (const [f, code] of bad)
    assert.throws(f, (e: unknown) => isMiaError(e) && e.code === code && !e.oneLine().includes('\n'));
});
