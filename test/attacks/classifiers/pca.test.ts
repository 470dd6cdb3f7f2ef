import assert from 'node:assert/strict';
import { test } from 'node:test';
import { principalAxes } from '../../../src/attacks/classifiers/pca.js';
import { Rng } from '../../../src/rng.js';

test('principalAxes: points on a line y = 2x have one axis along (1, 2)/√5 with all the variance', () => {
  const x = Float64Array.from([0, 0, 1, 2, 2, 4, 3, 6]);
  const { axes, variances } = principalAxes(x, 4, 2);
  const s = Math.sign(axes[0]!);
  assert.ok(Math.abs(s * axes[0]! - 1 / Math.sqrt(5)) < 1e-12);
  assert.ok(Math.abs(s * axes[1]! - 2 / Math.sqrt(5)) < 1e-12);
  // Variance along the line: population variance of t·√5 for t = 0..3 → 1.25·5 = 6.25.
  assert.ok(Math.abs(variances[0]! - 6.25) < 1e-12);
  assert.ok(Math.abs(variances[1]!) < 1e-12);
});

test('principalAxes: orthonormal axes, descending variances equal to the projected variances', () => {
  const rng = new Rng(9);
  const n = 2000;
  const d = 7;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const a = rng.normal();
    const b = rng.normal();
    for (let j = 0; j < d; j++) x[i * d + j] = a * (j + 1) + b * (j % 2 === 0 ? 1 : -1) + 0.1 * rng.normal();
  }
  const { axes, variances } = principalAxes(x, n, d);
  for (let p = 0; p < d; p++) {
    for (let q = 0; q < d; q++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += axes[p * d + j]! * axes[q * d + j]!;
      assert.ok(Math.abs(dot - (p === q ? 1 : 0)) < 1e-12, `axes ${p}·${q} = ${dot}`);
    }
    if (p > 0) assert.ok(variances[p]! <= variances[p - 1]!);
    // Variance of the data projected on axis p.
    let mean = 0;
    const proj = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) proj[i]! += x[i * d + j]! * axes[p * d + j]!;
      mean += proj[i]! / n;
    }
    let v = 0;
    for (let i = 0; i < n; i++) v += (proj[i]! - mean) ** 2 / n;
    assert.ok(Math.abs(v - variances[p]!) < 1e-9 * Math.max(1, v), `variance ${p}: ${v} vs ${variances[p]}`);
  }
  assert.ok(variances[2]! < 0.02 * variances[0]!); // two factors carry almost everything
});
