import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { EngineModel } from '../../../../src/models/engine.js';
import { createEngine } from '../../../../src/models/engines/create-engine.js';
import { normalizeOptimizerSpec } from '../../../../src/models/optimizers.js';
import { Rng } from '../../../../src/rng.js';

const engineP = createEngine('tfjs', { backend: 'cpu' });

function randomBatch(n: number, size: number, classes: number, seed: number) {
  const rng = new Rng(seed);
  return {
    x: Float32Array.from({ length: n * size }, () => rng.normal()),
    y: Int32Array.from({ length: n }, () => rng.int(classes)),
    n,
  };
}

test('logistic regression: logits, loss and one SGD step match a hand computation', async () => {
  const engine = await engineP;
  const m = await engine.build({ arch: { name: 'logistic' }, inputShape: [3], numClasses: 2, seed: 1 });
  const W = [0.5, -0.25, 1, 0, -1, 2]; // [3, 2]
  const b = [0.1, -0.1];
  m.setWeights([
    { name: 'l1.kernel', shape: [3, 2], data: Float32Array.from(W) },
    { name: 'l1.bias', shape: [2], data: Float32Array.from(b) },
  ]);
  const x = Float32Array.from([1, 2, 3, -1, 0, 0.5]);
  const y = Int32Array.from([0, 1]);
  const z = [0, 1].map((i) =>
    [0, 1].map((k) => b[k]! + [0, 1, 2].reduce((s, j) => s + x[i * 3 + j]! * W[j * 2 + k]!, 0)),
  );
  const logits = await m.predict(x, 2);
  z.flat().forEach((v, i) => {
    assert.ok(Math.abs(logits[i]! - v) < 1e-6);
  });
  const p = z.map((row) => row.map((v) => Math.exp(v) / (Math.exp(row[0]!) + Math.exp(row[1]!))));
  const loss = -(Math.log(p[0]![0]!) + Math.log(p[1]![1]!)) / 2;
  m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 1 }));
  const st = await m.trainStep({ x, y, n: 2 }, 0.5);
  assert.ok(Math.abs(st.loss - loss) < 1e-6);
  assert.equal(st.correct, (z[0]![0]! >= z[0]![1]! ? 1 : 0) + (z[1]![1]! > z[1]![0]! ? 1 : 0));
  // dL/dW[j,k] = mean_i x[i,j] (p[i,k] − [y_i = k]); W ← W − 0.5 · grad
  const w1 = m.getWeights()[0]!.data;
  for (let j = 0; j < 3; j++) {
    for (let k = 0; k < 2; k++) {
      const g = [0, 1].reduce((s, i) => s + x[i * 3 + j]! * (p[i]![k]! - (y[i] === k ? 1 : 0)), 0) / 2;
      assert.ok(Math.abs(w1[j * 2 + k]! - (W[j * 2 + k]! - 0.5 * g)) < 1e-6);
    }
  }
  m.dispose();
});

/** Training-mode loss at the current weights (lr 0 leaves trainable weights unchanged). */
async function lossAt(m: EngineModel, batch: ReturnType<typeof randomBatch>): Promise<number> {
  return (await m.trainStep(batch, 0)).loss;
}

test('gradients through conv, batch-norm, residual blocks, pooling and dense agree with finite differences', async () => {
  // SGD at lr 1e-3 moves w by −lr·∇L; central differences of the training-mode loss (trainStep at lr 0)
  // estimate ∇L. ReLU kinks and batch statistics make single entries noisy, so the test compares the
  // two gradient vectors over 12 random entries (cosine similarity and relative error).
  const engine = await engineP;
  for (const [arch, shape] of [
    [{ name: 'resnet18', params: { width: 2 } }, [6, 6, 2]],
    [{ name: 'small_cnn', params: { num_conv: 1, activation: 'tanh' } }, [6, 6, 1]],
  ] as const) {
    const m = await engine.build({ arch, inputShape: [...shape], numClasses: 3, seed: 3 });
    m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 1 }));
    const batch = randomBatch(12, shape[0] * shape[1] * shape[2], 3, 5);
    const w0 = m.getWeights();
    const lr = 1e-3;
    await m.trainStep(batch, lr);
    const w1 = m.getWeights();
    const rng = new Rng(11);
    const trainable = w0.map((_w, i) => i).filter((i) => !w0[i]!.name.includes('moving'));
    const grads: number[] = [];
    const fds: number[] = [];
    for (let c = 0; c < 12; c++) {
      const t = trainable[rng.int(trainable.length)]!;
      const p = w0[t]!;
      const k = rng.int(p.data.length);
      grads.push(-(w1[t]!.data[k]! - p.data[k]!) / lr);
      const eps = 1e-3;
      const shifted = (d: number) =>
        w0.map((w, i) =>
          i === t ? { ...w, data: Float32Array.from(w.data, (v, j) => (j === k ? v + d : v)) } : w,
        );
      m.setWeights(shifted(eps));
      const lp = await lossAt(m, batch);
      m.setWeights(shifted(-eps));
      const lm = await lossAt(m, batch);
      fds.push((lp - lm) / (2 * eps));
    }
    const dot = grads.reduce((s, g, i) => s + g * fds[i]!, 0);
    const ng = Math.hypot(...grads);
    const nf = Math.hypot(...fds);
    const diff = Math.hypot(...grads.map((g, i) => g - fds[i]!));
    assert.ok(dot / (ng * nf) > 0.999, `${arch.name}: cosine ${dot / (ng * nf)}`);
    assert.ok(diff / nf < 0.05, `${arch.name}: relative error ${diff / nf}`);
    m.dispose();
  }
});

test('same seed → same weights and same training; batch-norm moving statistics update', async () => {
  const engine = await engineP;
  const spec = {
    arch: { name: 'resnet18', params: { width: 2 } },
    inputShape: [4, 4, 3],
    numClasses: 4,
    seed: 9,
  };
  const a = await engine.build(spec);
  const b = await engine.build(spec);
  const c = await engine.build({ ...spec, seed: 10 });
  assert.deepEqual(a.getWeights(), b.getWeights());
  assert.notDeepEqual(a.getWeights()[0]!.data, c.getWeights()[0]!.data);
  const batch = randomBatch(5, 48, 4, 1);
  for (const m of [a, b]) {
    m.setOptimizer(normalizeOptimizerSpec({ name: 'adam', lr: 0.01 }));
    await m.trainStep(batch, 0.01);
  }
  assert.deepEqual(await a.predict(batch.x, 5), await b.predict(batch.x, 5));
  const mv = a.getWeights().find((w) => w.name === 'l1.moving_mean')!;
  assert.ok(
    mv.data.some((v) => v !== 0),
    'moving mean moved',
  );
  assert.equal(a.paramCount(), c.paramCount());
  for (const m of [a, b, c]) m.dispose();
});

test('predict batches give the same logits as one batch; errors name the problem', async () => {
  const engine = await engineP;
  const m = await engine.build({
    arch: { name: 'mlp', params: { hidden: '8' } },
    inputShape: [5],
    numClasses: 3,
    seed: 2,
  });
  const { x } = randomBatch(11, 5, 3, 4);
  const all = await m.predict(x, 11, { batchSize: 64 });
  const small = await m.predict(x, 11, { batchSize: 3 });
  all.forEach((v, i) => {
    assert.ok(Math.abs(v - small[i]!) < 1e-6);
  });
  await assert.rejects(m.predict(x, 12), { code: 'E_SHAPE_MISMATCH' });
  await assert.rejects(m.trainStep({ x, y: new Int32Array(11), n: 11 }, 0.1), { code: 'E_ARGUMENT' });
  assert.throws(() => m.setWeights([]), { code: 'E_MODEL' });
  const w = m.getWeights();
  assert.throws(() => m.setWeights(w.map((p, i) => (i === 0 ? { ...p, shape: [8, 5] } : p))), {
    code: 'E_MODEL',
  });
  m.dispose();
  assert.equal(tf.memory().numTensors, 0, 'dispose frees every tensor');
});

test('the wasm backend trains like the cpu backend (grey-scale and colour images, dense and residual nets)', async () => {
  const { initBackend } = await import('../../../../src/models/engines/tfjs/init-backend.js');
  const cases = [
    { arch: { name: 'small_cnn', params: { num_conv: 2 } }, inputShape: [12, 12, 1] },
    { arch: { name: 'small_cnn', params: { num_conv: 1 } }, inputShape: [7, 7, 3] },
    { arch: { name: 'resnet18', params: { width: 2 } }, inputShape: [6, 6, 1] },
    { arch: { name: 'dense', params: { depth: 2, width: 16 } }, inputShape: [5, 5, 1] },
  ];
  const run = async (backend: 'cpu' | 'wasm', c: (typeof cases)[number]) => {
    const engine = await createEngine('tfjs', { backend });
    const m = await engine.build({ ...c, numClasses: 4, seed: 6 });
    // SGD, not Adam: Adam's first steps are ±lr whatever the gradient's size, so tiny differences could flip them
    m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.1, momentum: 0.9 }));
    const size = c.inputShape.reduce((a, b) => a * b, 1);
    const batch = randomBatch(10, size, 4, 2);
    const losses = [];
    for (let i = 0; i < 3; i++) losses.push((await m.trainStep(batch, 0.1)).loss);
    const w = m.getWeights();
    m.dispose();
    return { losses, w };
  };
  for (const c of cases) {
    const cpu = await run('cpu', c);
    const wasm = await run('wasm', c);
    cpu.losses.forEach((l, i) => {
      assert.ok(
        Math.abs(l - wasm.losses[i]!) < 1e-4,
        `${c.arch.name} ${c.inputShape}: loss ${i} cpu ${l} wasm ${wasm.losses[i]}`,
      );
    });
    cpu.w.forEach((p, t) => {
      let worst = 0;
      p.data.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - wasm.w[t]!.data[k]!));
      });
      assert.ok(worst < 1e-3, `${c.arch.name} ${c.inputShape}: ${p.name} differs by ${worst}`);
    });
  }
  await initBackend('cpu');
});

test('a batch split into micro-batches gives the full-batch update (no batch-norm) and exact moving statistics', async () => {
  const engine = await engineP;
  const { TfjsModel } = await import('../../../../src/models/engines/tfjs/engine.js');
  const train = async (arch: { name: string; params?: Record<string, number | string> }, micro: number) => {
    const m = await engine.build({ arch, inputShape: [6, 6, 2], numClasses: 3, seed: 4 });
    assert.ok(m instanceof TfjsModel);
    assert.equal(m.maxMicroBatch, Number.POSITIVE_INFINITY, 'the cpu backend does not split');
    m.maxMicroBatch = micro;
    m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01 }));
    const batch = randomBatch(10, 72, 3, 8);
    const stats = [];
    for (let i = 0; i < 2; i++) stats.push(await m.trainStep(batch, 0.1));
    const w = m.getWeights();
    m.dispose();
    return { stats, w };
  };
  const maxDiff = (a: Float32Array, b: Float32Array) =>
    a.reduce((s, v, i) => Math.max(s, Math.abs(v - b[i]!)), 0);
  const cnn = { name: 'small_cnn', params: { num_conv: 1 } };
  const full = await train(cnn, Number.POSITIVE_INFINITY);
  const split = await train(cnn, 3); // 10 → 3 + 3 + 2 + 2
  full.stats.forEach((s, i) => {
    assert.ok(Math.abs(s.loss - split.stats[i]!.loss) < 1e-5, `loss ${s.loss} vs ${split.stats[i]!.loss}`);
    assert.equal(s.correct, split.stats[i]!.correct);
  });
  for (const [i, p] of full.w.entries()) assert.ok(maxDiff(p.data, split.w[i]!.data) < 1e-5, p.name);

  // batch-norm: the first step's moving statistics come from the full batch's mean and variance
  const resnet = { name: 'resnet18', params: { width: 2 } };
  const one = async (micro: number) => {
    const m = await engine.build({ arch: resnet, inputShape: [6, 6, 2], numClasses: 3, seed: 4 });
    assert.ok(m instanceof TfjsModel);
    m.maxMicroBatch = micro;
    m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.1 }));
    const st = await m.trainStep(randomBatch(10, 72, 3, 8), 0.1);
    const w = m.getWeights();
    m.dispose();
    return { st, w };
  };
  const a = await one(Number.POSITIVE_INFINITY);
  const b = await one(4);
  for (const name of ['l1.moving_mean', 'l1.moving_variance']) {
    const pa = a.w.find((p) => p.name === name)!;
    const pb = b.w.find((p) => p.name === name)!;
    assert.ok(maxDiff(pa.data, pb.data) < 1e-5, `${name}: ${pa.data} vs ${pb.data}`);
  }
  assert.equal(tf.memory().numTensors, 0, 'micro-batching leaks no tensor');
});

test('the wasm training micro-batch keeps ResNet-18 under the heap budget; sizes split evenly', async () => {
  const { maxTrainMicroBatch, microBatchSizes, trainBytesPerSample } = await import(
    '../../../../src/models/engines/tfjs/memory.js'
  );
  const { buildLayerGraph } = await import('../../../../src/models/architectures.js');
  const g = buildLayerGraph({ name: 'resnet18', params: { width: 32 } }, [32, 32, 3], 10);
  // measured: ~28 MB of WASM heap per sample (batch 64 → 1.86 GB); the estimate must not be below it
  assert.ok(trainBytesPerSample(g) >= 28e6, `${trainBytesPerSample(g)}`);
  const k = maxTrainMicroBatch(g);
  assert.ok(k >= 16 && k <= 64, `micro-batch ${k}`);
  assert.deepEqual(microBatchSizes(10, 3), [3, 3, 2, 2]);
  assert.deepEqual(microBatchSizes(256, 256), [256]);
  assert.deepEqual(microBatchSizes(5, Number.POSITIVE_INFINITY), [5]);
  const s = microBatchSizes(256, k);
  assert.equal(
    s.reduce((a, b) => a + b, 0),
    256,
  );
  assert.ok(Math.max(...s) <= k && Math.max(...s) - Math.min(...s) <= 1);
  const small = buildLayerGraph({ name: 'small_cnn' }, [28, 28, 1], 10);
  assert.ok(maxTrainMicroBatch(small) >= 256, 'small nets are not split at usual batch sizes');
});
