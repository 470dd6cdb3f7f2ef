// The onnxruntime engine's DP-SGD step against PyTorch (fixtures/make_dp_grad_oracle.py): with the same
// weights and batch, the sum of the per-sample gradients clipped to C — computed there in float64 by
// functorch's vmap(grad) and by one backward pass per sample, which agree — equals the engine's
// noise-free DP update (SGD at lr 1, divisor 1: w0 − w1 is the clipped sum), and the engine clips the
// same 3 of the 7 samples. dp-step.test.ts checks the same against the engine's own per-sample steps;
// this is the independent oracle.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ArchSpec } from '../../../../src/models/architectures.js';
import { GaussianStream } from '../../../../src/models/dp/noise.js';
import { createOrtEngine } from '../../../../src/models/engines/ort/engine.js';
import { normalizeOptimizerSpec } from '../../../../src/models/optimizers.js';
import { Rng } from '../../../../src/rng.js';

interface Case {
  label: string;
  arch: ArchSpec;
  inputShape: number[];
  numClasses: number;
  n: number;
  weights: { name: string; shape: number[]; data: string }[];
  x: string;
  y: number[];
  norms: number[];
  clip: number;
  clippedSum: Record<string, string>;
}

const oracle = JSON.parse(
  readFileSync(new URL('./fixtures/dp_grad_oracle.json', import.meta.url), 'utf8'),
) as {
  cases: Case[];
};

function bytes(b64: string): ArrayBuffer {
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}
const f32 = (b64: string) => new Float32Array(bytes(b64));
const f64 = (b64: string) => new Float64Array(bytes(b64));

test('the oracle clips 3 of 7 samples in every case (C between the 4th and 5th smallest norms)', () => {
  assert.equal(oracle.cases.length, 3);
  for (const c of oracle.cases) assert.equal(c.norms.filter((v) => v > c.clip).length, 3, c.label);
});

for (const c of oracle.cases) {
  test(`ort DP step of ${c.label}: the clipped per-sample gradient sum equals PyTorch's`, async () => {
    const engine = await createOrtEngine({ threads: 1 });
    const m = await engine.build({
      arch: c.arch,
      inputShape: c.inputShape,
      numClasses: c.numClasses,
      seed: 1,
    });
    try {
      const w0 = c.weights.map((w) => ({ name: w.name, shape: w.shape, data: f32(w.data) }));
      m.setWeights(w0);
      m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 1 }));
      const noise = new GaussianStream(new Rng(1));
      const batch = { x: f32(c.x), y: Int32Array.from(c.y), n: c.n };
      const st = await m.dpStep!(batch, 1, { maxGradNorm: c.clip, noiseStd: 0, divisor: 1, noise });
      assert.equal(st.clipped, 3, 'samples clipped');
      const after = new Map(m.getWeights().map((w) => [w.name, w.data]));
      let checked = 0;
      for (const w of w0) {
        const want = f64(c.clippedSum[w.name]!);
        const got = after.get(w.name)!;
        assert.equal(got.length, want.length, `${w.name}: length`);
        let scale = 0;
        for (const v of want) scale += Math.abs(v);
        scale /= want.length;
        for (let j = 0; j < want.length; j++) {
          const step = w.data[j]! - got[j]!;
          const tol = 1e-4 * (Math.abs(want[j]!) + scale) + 1e-6;
          if (!(Math.abs(step - want[j]!) <= tol))
            assert.fail(
              `${w.name}[${j}]: the engine's clipped sum is ${step}, PyTorch's ${want[j]} (tolerance ${tol})`,
            );
          checked++;
        }
      }
      assert.ok(checked > 0);
    } finally {
      m.dispose();
    }
  });
}
