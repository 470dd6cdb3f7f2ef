import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isMiaError } from '../../../src/errors.js';
import { noiseForEpsilon, rdpEpsilon } from '../../../src/models/dp/calibrate.js';
import {
  computeRdp,
  DEFAULT_RDP_ORDERS,
  logA,
  rdpOneStep,
  rdpToEpsilon,
} from '../../../src/models/dp/rdp.js';

// Written by fixtures/make_rdp_fixtures.py (scipy): an Opacus transcription, exact sums, quadrature.
interface Fixture {
  orders: number[];
  cases: {
    q: number;
    sigma: number;
    steps: number;
    delta: number;
    rdp: number[];
    epsilon: number;
    order: number;
  }[];
  integer_exact: { q: number; sigma: number; alpha: number; log_a: number }[];
  frac_quad: { q: number; sigma: number; alpha: number; log_a: number }[];
  calibrate: { target_epsilon: number; q: number; steps: number; delta: number; sigma: number }[];
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/rdp.json', import.meta.url), 'utf8')) as Fixture;

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

test("the default orders are Opacus's: 1.1 … 10.9 by 0.1, then 12 … 63", () => {
  assert.deepEqual([...DEFAULT_RDP_ORDERS], fx.orders);
  assert.equal(DEFAULT_RDP_ORDERS.length, 151);
});

test("the RDP curve and ε equal Opacus's accountant to 1e-6 relative at every order", () => {
  for (const c of fx.cases) {
    const rdp = computeRdp(c.q, c.sigma, c.steps);
    for (let k = 0; k < rdp.length; k++) {
      assert.ok(
        rel(rdp[k]!, c.rdp[k]!) < 1e-6,
        `q ${c.q} σ ${c.sigma} order ${fx.orders[k]}: ${rdp[k]} vs ${c.rdp[k]}`,
      );
    }
    const e = rdpToEpsilon(DEFAULT_RDP_ORDERS, rdp, c.delta);
    assert.ok(rel(e.epsilon, c.epsilon) < 1e-6, `${e.epsilon} vs ${c.epsilon}`);
    assert.equal(e.order, c.order);
  }
});

test('integer orders equal the exact binomial sum (closed form)', () => {
  for (const c of fx.integer_exact) {
    const v = logA(c.q, c.sigma, c.alpha);
    assert.ok(rel(v, c.log_a) < 1e-10, `α ${c.alpha}: ${v} vs ${c.log_a}`);
  }
});

test('fractional orders equal numerical integration of E_μ₀[(μ/μ₀)^α]', () => {
  for (const c of fx.frac_quad) {
    const v = logA(c.q, c.sigma, c.alpha);
    assert.ok(
      Math.abs(v - c.log_a) < 1e-9 * Math.max(1, Math.abs(c.log_a)),
      `α ${c.alpha}: ${v} vs ${c.log_a}`,
    );
  }
});

test('properties: RDP grows with the order, shrinks with σ, is linear in steps; the special cases', () => {
  const r = computeRdp(0.05, 1.3, 1);
  for (let k = 1; k < r.length; k++) assert.ok(r[k]! >= r[k - 1]!, `monotone at ${DEFAULT_RDP_ORDERS[k]}`);
  assert.ok(rdpOneStep(0.05, 2, 4) < rdpOneStep(0.05, 1, 4));
  assert.ok(rel(computeRdp(0.05, 1.3, 700)[20]!, 700 * r[20]!) < 1e-12);
  assert.equal(rdpOneStep(0, 1, 3), 0);
  assert.equal(rdpOneStep(0.1, 0, 3), Infinity);
  assert.equal(rdpOneStep(1, 2, 3), 3 / 8);
  assert.deepEqual(rdpToEpsilon(DEFAULT_RDP_ORDERS, computeRdp(0.1, 0, 5), 1e-5).epsilon, Infinity);
  assert.equal(rdpToEpsilon([2], [0], 1e-5).epsilon, Math.log(1e5) - Math.log(2) + Math.log(0.5));
});

test('bad arguments are E_ARGUMENT', () => {
  const bad = (f: () => unknown) => assert.throws(f, (e) => isMiaError(e) && e.code === 'E_ARGUMENT');
  bad(() => computeRdp(1.5, 1, 1));
  bad(() => computeRdp(0.1, -1, 1));
  bad(() => computeRdp(0.1, 1, 1.5));
  bad(() => computeRdp(0.1, 1, 1, [1]));
  bad(() => rdpToEpsilon([2, 3], [1], 1e-5));
  bad(() => rdpToEpsilon([2], [1], 0));
  bad(() => noiseForEpsilon({ targetEpsilon: 0, sampleRate: 0.1, steps: 1, delta: 1e-5 }));
});

test("σ for a target ε equals Opacus's get_noise_multiplier", () => {
  for (const c of fx.calibrate) {
    const r = noiseForEpsilon({
      targetEpsilon: c.target_epsilon,
      sampleRate: c.q,
      steps: c.steps,
      delta: c.delta,
    });
    assert.ok(rel(r.noiseMultiplier, c.sigma) < 1e-12, `${r.noiseMultiplier} vs ${c.sigma}`);
    assert.ok(r.epsilon <= c.target_epsilon && r.epsilon > c.target_epsilon - 0.01);
    assert.equal(r.epsilon, rdpEpsilon(c.q, r.noiseMultiplier, c.steps, c.delta));
  }
});
