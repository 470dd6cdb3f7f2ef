// The onnxruntime engine's DP-SGD step against brute force: one backward pass per sample (a plain SGD
// step at lr 1 on that sample alone), each gradient clipped to C in float64, summed — equal to the DP
// step's update with no noise; the noise of the update has the stated scale; σ = 0 and C = ∞ equal the
// plain gradient step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GaussianStream } from '../../../../src/models/dp/noise.js';
import type { EngineModel, ModelSpec, NamedWeight } from '../../../../src/models/engine.js';
import { createOrtEngine } from '../../../../src/models/engines/ort/engine.js';
import { normalizeOptimizerSpec } from '../../../../src/models/optimizers.js';
import { Rng } from '../../../../src/rng.js';

const SPECS: ModelSpec[] = [
  // conv 'valid' + relu + 2×2 pools on odd sizes, dense relu
  { arch: { name: 'small_cnn', params: { num_conv: 2 } }, inputShape: [13, 13, 2], numClasses: 4, seed: 3 },
  // conv 'same' padding
  {
    arch: { name: 'conv', params: { depth: 1, filters: 5, width: 7 } },
    inputShape: [8, 8, 1],
    numClasses: 3,
    seed: 4,
  },
  { arch: { name: 'mlp', params: { hidden: '9,7' } }, inputShape: [11], numClasses: 3, seed: 6 },
];

function data(spec: ModelSpec, n: number, seed: number): { x: Float32Array; y: Int32Array; n: number } {
  const rng = new Rng(seed);
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = 2 * rng.next();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(spec.numClasses);
  return { x, y, n };
}

const sgd1 = normalizeOptimizerSpec({ name: 'sgd', lr: 1 });

/** w0 − w1 per parameter, flattened in getWeights order (float64). */
function delta(w0: NamedWeight[], w1: NamedWeight[]): Float64Array[] {
  return w0.map((w, k) => Float64Array.from(w.data, (v, i) => v - w1[k]!.data[i]!));
}

/** Brute force: each sample's gradient from its own SGD step, clipped to C, summed. */
async function bruteForce(
  model: EngineModel,
  batch: { x: Float32Array; y: Int32Array; n: number },
  clip: number,
): Promise<{ sum: Float64Array[]; norms: number[] }> {
  const w0 = model.getWeights();
  const size = batch.x.length / batch.n;
  let sum: Float64Array[] | undefined;
  const norms: number[] = [];
  for (let i = 0; i < batch.n; i++) {
    model.setWeights(w0);
    model.setOptimizer(sgd1);
    await model.trainStep(
      { x: batch.x.slice(i * size, (i + 1) * size), y: batch.y.slice(i, i + 1), n: 1 },
      1,
    );
    const g = delta(w0, model.getWeights());
    let sq = 0;
    for (const a of g) for (const v of a) sq += v * v;
    const norm = Math.sqrt(sq);
    norms.push(norm);
    const c = Math.min(1, clip / (norm + 1e-6));
    sum ??= g.map((a) => new Float64Array(a.length));
    g.forEach((a, k) => {
      for (let j = 0; j < a.length; j++) sum![k]![j]! += c * a[j]!;
    });
  }
  model.setWeights(w0);
  return { sum: sum!, norms };
}

function assertClose(actual: Float64Array[], expected: Float64Array[], what: string): void {
  let scale = 0;
  let count = 0;
  for (const a of expected) {
    for (const v of a) scale += Math.abs(v);
    count += a.length;
  }
  scale /= count;
  expected.forEach((e, k) => {
    for (let j = 0; j < e.length; j++) {
      const tol = 2e-4 * (Math.abs(e[j]!) + scale) + 1e-6;
      if (!(Math.abs(actual[k]![j]! - e[j]!) <= tol))
        assert.fail(`${what}: param ${k} element ${j} is ${actual[k]![j]}, brute force ${e[j]}`);
    }
  });
}

for (const spec of SPECS) {
  test(`DP step of ${spec.arch.name}: clipped per-sample gradient sums equal brute force`, async () => {
    const engine = await createOrtEngine({ threads: 1 });
    const model = await engine.build(spec);
    try {
      const batch = data(spec, 7, 11);
      const free = await bruteForce(model, batch, Infinity);
      // C between the 4th and 5th smallest norms: 3 of the 7 samples are clipped
      const sorted = [...free.norms].sort((a, b) => a - b);
      const clip = (sorted[3]! + sorted[4]!) / 2;
      const brute = await bruteForce(model, batch, clip);
      for (const divisor of [1, 5]) {
        const w0 = model.getWeights();
        model.setOptimizer(sgd1);
        const noise = new GaussianStream(new Rng(1));
        const st = await model.dpStep!(batch, 1, { maxGradNorm: clip, noiseStd: 0, divisor, noise });
        const got = delta(w0, model.getWeights()).map((a) => a.map((v) => v * divisor));
        assertClose(got, brute.sum, `divisor ${divisor}`);
        assert.equal(st.clipped, free.norms.filter((v) => v > clip).length);
        assert.equal(st.clipped, 3);
        model.setWeights(w0);
      }
    } finally {
      model.dispose();
    }
  });
}

test('DP step with σ = 0 and C = ∞ equals the plain gradient step', async () => {
  const engine = await createOrtEngine({ threads: 1 });
  const spec = SPECS[0]!;
  const a = await engine.build(spec);
  const b = await engine.build(spec);
  try {
    const opt = normalizeOptimizerSpec({ name: 'sgd', lr: 0.1, momentum: 0.9 });
    a.setOptimizer(opt);
    b.setOptimizer(opt);
    const noise = new GaussianStream(new Rng(1));
    for (let s = 0; s < 3; s++) {
      const batch = data(spec, 6, 20 + s);
      const pa = await a.trainStep(batch, 0.1);
      const pb = await b.dpStep!(batch, 0.1, { maxGradNorm: Infinity, noiseStd: 0, divisor: 6, noise });
      assert.ok(Math.abs(pa.loss - pb.loss) < 1e-5);
      assert.equal(pa.correct, pb.correct);
      assert.equal(pb.clipped, 0);
    }
    const f64 = (m: EngineModel) => m.getWeights().map((w) => Float64Array.from(w.data));
    assertClose(f64(b), f64(a), 'weights after 3 steps');
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('the noise of a DP step has standard deviation σ·C / divisor', async () => {
  const engine = await createOrtEngine({ threads: 1 });
  const spec: ModelSpec = {
    arch: { name: 'dense', params: { depth: 2, width: 128 } },
    inputShape: [10, 10, 1],
    numClasses: 10,
    seed: 1,
  };
  const model = await engine.build(spec);
  try {
    const batch = data(spec, 8, 5);
    const brute = await bruteForce(model, batch, 0.5);
    const [sigma, clip, divisor] = [1.7, 0.5, 8];
    const w0 = model.getWeights();
    model.setOptimizer(sgd1);
    await model.dpStep!(batch, 1, {
      maxGradNorm: clip,
      noiseStd: sigma * clip,
      divisor,
      noise: new GaussianStream(new Rng(9)),
    });
    // the update minus the clipped sum / divisor is the noise / divisor
    const d = delta(w0, model.getWeights());
    const z: number[] = [];
    d.forEach((a, k) => {
      for (let j = 0; j < a.length; j++)
        z.push(((a[j]! - brute.sum[k]![j]! / divisor) * divisor) / (sigma * clip));
    });
    const n = z.length;
    const mean = z.reduce((s, v) => s + v, 0) / n;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    const kurt = z.reduce((s, v) => s + (v - mean) ** 4, 0) / n / variance ** 2;
    // n ≈ 30 000: the mean's sd is 1/√n ≈ 0.006, the variance's √(2/n) ≈ 0.008, the kurtosis' √(24/n) ≈ 0.03
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.04, `variance ${variance}`);
    assert.ok(Math.abs(kurt - 3) < 0.15, `kurtosis ${kurt}`);
    // fraction within one standard deviation: Φ(1) − Φ(−1) = 0.6827
    const within = z.filter((v) => Math.abs(v) < 1).length / n;
    assert.ok(Math.abs(within - 0.6827) < 0.01, `P(|z| < 1) = ${within}`);
  } finally {
    model.dispose();
  }
});

test('an empty Poisson batch is a noise-only update', async () => {
  const engine = await createOrtEngine({ threads: 1 });
  const spec = SPECS[2]!;
  const model = await engine.build(spec);
  try {
    model.setOptimizer(sgd1);
    const w0 = model.getWeights();
    const st = await model.dpStep!({ x: new Float32Array(0), y: new Int32Array(0), n: 0 }, 1, {
      maxGradNorm: 1,
      noiseStd: 2,
      divisor: 4,
      noise: new GaussianStream(new Rng(2)),
    });
    assert.ok(Number.isNaN(st.loss));
    assert.equal(st.correct, 0);
    const d = delta(w0, model.getWeights()).flatMap((a) => [...a]);
    assert.ok(d.every((v) => Number.isFinite(v)));
    assert.ok(d.some((v) => v !== 0));
  } finally {
    model.dispose();
  }
});
