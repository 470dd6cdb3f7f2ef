// The onnxruntime engine against the tfjs engine (reference: cpu backend) on the same seeded models:
// same initial weights, same logits, same loss and the same parameters after SGD and Adam steps (which
// checks every gradient of the hand-written backward graph).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../../../src/errors.js';
import type { EngineModel, ModelSpec } from '../../../../src/models/engine.js';
import {
  convertConvKernel,
  createOrtEngine,
  ortUnsupported,
} from '../../../../src/models/engines/ort/engine.js';
import { createTfjsEngine } from '../../../../src/models/engines/tfjs/engine.js';
import { normalizeOptimizerSpec, type OptimizerSpec } from '../../../../src/models/optimizers.js';
import { Rng } from '../../../../src/rng.js';

function close(actual: Float32Array, expected: Float32Array, what: string, rtol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (const v of expected) scale += Math.abs(v);
  scale /= Math.max(1, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rtol * (Math.abs(expected[i]!) + scale) + 1e-6;
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) {
      assert.fail(
        `${what}: element ${i} is ${actual[i]}, reference ${expected[i]} (tolerance ${tol.toExponential(2)})`,
      );
    }
  }
}

function data(spec: ModelSpec, n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(seed);
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(spec.numClasses);
  return { x, y };
}

const SPECS: ModelSpec[] = [
  // conv valid + relu + 2×2 pools on odd sizes (13 → 6 crops a row and a column), dense relu.
  { arch: { name: 'small_cnn', params: { num_conv: 2 } }, inputShape: [15, 15, 3], numClasses: 4, seed: 3 },
  {
    arch: { name: 'conv', params: { depth: 1, filters: 5, width: 7 } },
    inputShape: [8, 8, 1],
    numClasses: 3,
    seed: 4,
  },
  { arch: { name: 'dense', params: { depth: 1, width: 16 } }, inputShape: [6, 6, 1], numClasses: 5, seed: 5 },
  { arch: { name: 'mlp', params: { hidden: '9,7' } }, inputShape: [11], numClasses: 3, seed: 6 },
];

const OPTS: OptimizerSpec[] = [
  { name: 'sgd', lr: 0.1 },
  { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  { name: 'adam', lr: 0.01, weightDecay: 0.001 },
];

async function pair(spec: ModelSpec): Promise<[EngineModel, EngineModel]> {
  const tfjs = await createTfjsEngine('cpu');
  const ort = await createOrtEngine({ threads: 1 });
  return [await tfjs.build(spec), await ort.build(spec)];
}

test('conv kernels convert HWIO ↔ OIHW and back', () => {
  const shape = [2, 3, 4, 5];
  const src = Float32Array.from({ length: 120 }, (_, i) => i);
  const oihw = convertConvKernel(src, shape, false);
  // element [kh=1, kw=2, c=3, o=4] sits at ((4·4 + 3)·2 + 1)·3 + 2 in OIHW.
  assert.equal(oihw[((4 * 4 + 3) * 2 + 1) * 3 + 2], ((1 * 3 + 2) * 4 + 3) * 5 + 4);
  assert.deepEqual(convertConvKernel(oihw, shape, true), src);
});

test('ort and tfjs engines agree: initial weights, logits, loss, correct and parameters after steps', async () => {
  // Every spec with one optimiser (rotating), plus small_cnn with all three: 6 model pairs.
  const cases = [
    ...SPECS.map((spec, i) => [spec, OPTS[i % OPTS.length]!] as const),
    [SPECS[0]!, OPTS[1]!] as const,
    [SPECS[0]!, OPTS[2]!] as const,
  ];
  for (const [spec, opt] of cases) {
    const [a, b] = await pair(spec);
    const what = `${spec.arch.name} ${JSON.stringify(opt)}`;
    assert.equal(b.paramCount(), a.paramCount(), `${what}: paramCount`);
    for (const [wa, wb] of a.getWeights().map((w, i) => [w, b.getWeights()[i]!] as const)) {
      assert.equal(wb.name, wa.name);
      assert.deepEqual(wb.data, wa.data, `${what}: initial ${wa.name}`);
    }
    const n = 6;
    const { x, y } = data(spec, n, spec.seed + 100);
    close(await b.predict(x, n, { batchSize: 4 }), await a.predict(x, n), `${what}: logits`);
    a.setOptimizer(normalizeOptimizerSpec(opt));
    b.setOptimizer(normalizeOptimizerSpec(opt));
    for (let step = 0; step < 3; step++) {
      const sa = await a.trainStep({ x, y, n }, opt.lr);
      const sb = await b.trainStep({ x, y, n }, opt.lr);
      assert.ok(
        Math.abs(sa.loss - sb.loss) <= 1e-4 * Math.abs(sa.loss),
        `${what}: loss ${sb.loss} vs ${sa.loss}`,
      );
      assert.equal(sb.correct, sa.correct, `${what}: correct`);
    }
    const wa = a.getWeights();
    b.getWeights().forEach((w, i) => {
      close(w.data, wa[i]!.data, `${what}: ${w.name} after 3 steps`, 2e-4);
    });
    a.dispose();
    b.dispose();
  }
});

test('the ort engine refuses architectures it cannot build, and bad input, with MiaErrors', async () => {
  const resnet: ModelSpec = {
    arch: { name: 'conv', params: { depth: 1, filters: 2, width: 3, activation: 'tanh' } },
    inputShape: [8, 8, 3],
    numClasses: 2,
    seed: 1,
  };
  assert.match(ortUnsupported(resnet) ?? '', /activation tanh/);
  assert.equal(ortUnsupported(SPECS[0]!), undefined);
  assert.equal(ortUnsupported({ ...resnet, arch: { name: 'resnet18', params: { width: 2 } } }), undefined);
  const ort = await createOrtEngine({ threads: 1 });
  await assert.rejects(ort.build(resnet), (e: unknown) => isMiaError(e) && e.code === 'E_BACKEND');
  const m = await ort.build(SPECS[3]!);
  await assert.rejects(
    m.trainStep({ x: new Float32Array(11), y: new Int32Array(1), n: 1 }, 0.1),
    (e: unknown) => isMiaError(e) && e.code === 'E_ARGUMENT',
  );
  m.setOptimizer(normalizeOptimizerSpec({ name: 'adam', lr: 0.01 }));
  await assert.rejects(
    m.predict(new Float32Array(5), 1),
    (e: unknown) => isMiaError(e) && e.code === 'E_SHAPE_MISMATCH',
  );
  await assert.rejects(
    m.trainStep({ x: new Float32Array(11), y: Int32Array.from([7]), n: 1 }, 0.1),
    (e: unknown) => isMiaError(e) && e.code === 'E_LABEL_RANGE',
  );
  m.dispose();
});
