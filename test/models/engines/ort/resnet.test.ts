// The onnxruntime engine's residual networks against PyTorch (fixtures/make_resnet_oracle.py): with the
// same weights, the same eval-mode logits; after two SGD-momentum steps in training mode (batch norm on
// batch statistics, running averages with momentum 0.1) the same losses, the same weights — so the
// same gradients — the same running statistics and the same eval logits. The reference is PyTorch in
// float64; the fixture script refuses a case whose PyTorch float32 run is not well inside these
// tolerances of it (ill-conditioned tiny nets, where float32 rounding alone exceeds them).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ArchSpec } from '../../../../src/models/architectures.js';
import { createOrtEngine } from '../../../../src/models/engines/ort/engine.js';
import { dropoutMask } from '../../../../src/models/engines/ort/net-step.js';
import { normalizeOptimizerSpec } from '../../../../src/models/optimizers.js';
import { Rng } from '../../../../src/rng.js';

interface Case {
  label: string;
  arch: ArchSpec;
  inputShape: number[];
  numClasses: number;
  n: number;
  weights: { name: string; shape: number[]; data: string }[];
  batches: { x: string; y: number[] }[];
  logitsBefore: string;
  losses: number[];
  weightsAfter: Record<string, string>;
  logitsAfter: string;
}

const oracle = JSON.parse(
  readFileSync(new URL('./fixtures/resnet_oracle.json', import.meta.url), 'utf8'),
) as {
  cases: Case[];
};

function f32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** |a − e| ≤ atol + rtol·|e| elementwise. */
function close(actual: Float32Array, expected: Float32Array, what: string, atol: number, rtol = 1e-3): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]!);
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol))
      assert.fail(
        `${what}[${i}] is ${actual[i]}, PyTorch ${expected[i]} (tolerance ${tol.toExponential(2)})`,
      );
  }
}

for (const c of oracle.cases) {
  test(`ort ${c.label}: logits, losses, SGD-momentum updates and running statistics match PyTorch`, async () => {
    const engine = await createOrtEngine({ threads: 1 });
    const m = await engine.build({
      arch: c.arch,
      inputShape: c.inputShape,
      numClasses: c.numClasses,
      seed: 1,
    });
    try {
      m.setWeights(c.weights.map((w) => ({ name: w.name, shape: w.shape, data: f32(w.data) })));
      const x0 = f32(c.batches[0]!.x);
      close(await m.predict(x0, c.n), f32(c.logitsBefore), 'eval logits before training', 1e-4);
      m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 }));
      for (let s = 0; s < c.batches.length; s++) {
        const b = c.batches[s]!;
        const stats = await m.trainStep({ x: f32(b.x), y: Int32Array.from(b.y), n: c.n }, 0.05);
        assert.ok(Math.abs(stats.loss - c.losses[s]!) <= 1e-4 * (1 + c.losses[s]!), `loss of step ${s + 1}`);
      }
      const before = new Map(c.weights.map((w) => [w.name, f32(w.data)]));
      for (const w of m.getWeights()) {
        const want = f32(c.weightsAfter[w.name]!);
        // The step moved the weight (a gradient of 0 everywhere would pass trivially otherwise).
        if (!w.name.endsWith('moving_mean') || c.label.includes('GroupNorm'))
          assert.notDeepEqual(w.data, before.get(w.name), `${w.name} changed`);
        close(w.data, want, `${w.name} after 2 steps`, 2e-5, 2e-3);
      }
      close(await m.predict(x0, c.n), f32(c.logitsAfter), 'eval logits after training', 2e-4, 2e-3);
    } finally {
      m.dispose();
    }
  });
}

test('dropout masks: seeded, 0 or 1/(1 − rate), about rate zeros', () => {
  const mask = { name: 'mask:l1', shape: [4, 5, 5], rate: 0.25 };
  const a = dropoutMask(mask, 100, new Rng(7));
  assert.deepEqual(a, dropoutMask(mask, 100, new Rng(7)));
  let zeros = 0;
  for (const v of a) {
    assert.ok(v === 0 || Math.abs(v - 4 / 3) < 1e-6);
    if (v === 0) zeros++;
  }
  assert.ok(Math.abs(zeros / a.length - 0.25) < 0.02, `zero fraction ${zeros / a.length}`);
});

test('wrn28 with dropout trains on ort: same seed → same trajectory, and dropout changes it', async () => {
  const engine = await createOrtEngine({ threads: 1 });
  const run = async (dropout: number) => {
    const m = await engine.build({
      arch: { name: 'wrn28', params: { depth: 10, widen: 1, dropout } },
      inputShape: [8, 8, 3],
      numClasses: 3,
      seed: 5,
    });
    m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.05, momentum: 0.9 }));
    const rng = new Rng(1);
    const x = Float32Array.from({ length: 4 * 8 * 8 * 3 }, () => rng.next());
    const losses = [];
    for (let s = 0; s < 3; s++)
      losses.push((await m.trainStep({ x, y: Int32Array.from([0, 1, 2, 0]), n: 4 }, 0.05)).loss);
    m.dispose();
    return losses;
  };
  const a = await run(0.3);
  assert.deepEqual(a, await run(0.3));
  assert.notDeepEqual(a, await run(0));
});
