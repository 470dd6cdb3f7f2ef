import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isMiaError } from '../../../src/errors.js';
import { rdpEpsilon } from '../../../src/models/dp/calibrate.js';
import { fft } from '../../../src/models/dp/fft.js';
import { prvEpsilon } from '../../../src/models/dp/prv.js';

const rdpFx = JSON.parse(readFileSync(new URL('./fixtures/rdp.json', import.meta.url), 'utf8')) as {
  gaussian_delta: { sigma: number; steps: number; delta: number; epsilon: number }[];
};
// fixtures/make_prv_fixtures.py: numpy FFT composition with losses rounded down / up (a bracket)
const prvFx = JSON.parse(readFileSync(new URL('./fixtures/prv.json', import.meta.url), 'utf8')) as {
  q: number;
  sigma: number;
  steps: number;
  delta: number;
  remove: [number, number];
  add: [number, number];
}[];

test('fft: a naive DFT, and the inverse undoes it', () => {
  const n = 16;
  const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + i / 7);
  const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.4));
  const r2 = re.slice();
  const i2 = im.slice();
  fft(r2, i2);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * j * k) / n;
      sr += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      si += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
    assert.ok(Math.abs(sr - r2[k]!) < 1e-12 && Math.abs(si - i2[k]!) < 1e-12);
  }
  fft(r2, i2, true);
  for (let j = 0; j < n; j++) assert.ok(Math.abs(r2[j]! - re[j]!) < 1e-14);
  assert.throws(
    () => fft(new Float64Array(6), new Float64Array(6)),
    (e) => isMiaError(e),
  );
});

test('q = 1: the composed Gaussian mechanism, whose exact δ(ε) is known (Balle & Wang 2018)', () => {
  for (const c of rdpFx.gaussian_delta) {
    const r = prvEpsilon(1, c.sigma, c.steps, c.delta);
    assert.ok(r.epsilon >= c.epsilon, `bound ${r.epsilon} ≥ exact ${c.epsilon}`);
    assert.ok(r.epsilon - c.epsilon <= 0.012, `bound ${r.epsilon} within 0.012 of ${c.epsilon}`);
    assert.ok(Math.abs(r.estimate - c.epsilon) < 1e-4, `estimate ${r.estimate} vs ${c.epsilon}`);
  }
});

test('subsampled: the estimate lies in an independent rounding bracket; the bound is above it', () => {
  for (const c of prvFx) {
    const r = prvEpsilon(c.q, c.sigma, c.steps, c.delta);
    const [lo, hi] = c.remove[0] >= c.add[0] ? c.remove : c.add;
    assert.ok(r.estimate >= lo - 1e-9 && r.estimate <= hi + 1e-9, `${r.estimate} in [${lo}, ${hi}]`);
    assert.ok(r.epsilon >= lo && r.epsilon <= hi + 0.012, `bound ${r.epsilon} vs [${lo}, ${hi}]`);
    assert.equal(r.direction, 'remove');
    // tighter than RDP
    assert.ok(r.epsilon < rdpEpsilon(c.q, c.sigma, c.steps, c.delta));
  }
});

test('special cases and bad arguments', () => {
  assert.equal(prvEpsilon(0, 1, 10, 1e-5).epsilon, 0);
  assert.equal(prvEpsilon(0.1, 1, 0, 1e-5).epsilon, 0);
  assert.equal(prvEpsilon(0.1, 0, 10, 1e-5).epsilon, Infinity);
  const bad = (f: () => unknown) => assert.throws(f, (e) => isMiaError(e) && e.code === 'E_ARGUMENT');
  bad(() => prvEpsilon(2, 1, 1, 1e-5));
  bad(() => prvEpsilon(0.1, 1, 1, 1));
  bad(() => prvEpsilon(0.1, 1, -1, 1e-5));
});
