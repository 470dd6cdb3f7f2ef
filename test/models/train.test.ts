import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { formatDuration } from '../../src/core/duration.js';
import { memoryLogger } from '../../src/core/logger.js';
import { loadDataset } from '../../src/data/registry.js';
import { createEngine } from '../../src/models/engines/create-engine.js';
import { evaluateLogits, trainModel } from '../../src/models/train.js';

const engineP = createEngine('tfjs', { backend: 'cpu' });
const tabular = loadDataset('synthetic', {
  synthetic: { shape: [20], numClasses: 4, nTrain: 400, nTest: 200, seed: 3 },
});
const images = loadDataset('synthetic', {
  synthetic: { shape: [8, 8, 1], numClasses: 4, nTrain: 200, nTest: 100, seed: 4, noise: 1 },
});

test('an MLP on the synthetic tabular set: accuracy rises, history is complete, runs are reproducible', async () => {
  const engine = await engineP;
  const { train, test: val } = await tabular;
  const run = async () => {
    const m = await engine.build({
      arch: { name: 'mlp', params: { hidden: '32' } },
      inputShape: [20],
      numClasses: 4,
      seed: 1,
    });
    const r = await trainModel(m, train, {
      epochs: 5,
      batchSize: 32,
      optimizer: { name: 'adam', lr: 0.01 },
      shuffleSeed: 7,
      validation: val,
    });
    const logits = await m.predict(val.x, val.n);
    m.dispose();
    return { r, logits };
  };
  const { r, logits } = await run();
  const h = r.history;
  assert.equal(h.length, 5);
  assert.deepEqual(
    h.map((e) => e.epoch),
    [1, 2, 3, 4, 5],
  );
  assert.ok(
    h[4]!.trainAccuracy > h[0]!.trainAccuracy + 0.1,
    `train accuracy ${h[0]!.trainAccuracy} → ${h[4]!.trainAccuracy}`,
  );
  assert.ok(h[4]!.trainLoss < h[0]!.trainLoss);
  assert.ok(h[4]!.valAccuracy! > 0.6, `val accuracy ${h[4]!.valAccuracy}`);
  assert.equal(
    h[4]!.valAccuracy,
    evaluateLogits(logits, val.y, val.n, 4).accuracy,
    'valAccuracy is the accuracy on the validation set',
  );
  for (const e of h) {
    assert.equal(e.lr, 0.01);
    assert.ok(e.seconds > 0 && e.samplesPerSecond > 0);
  }
  const again = await run();
  assert.deepEqual(
    again.r.history.map((e) => [e.trainLoss, e.valLoss]),
    h.map((e) => [e.trainLoss, e.valLoss]),
    'same seeds → same training',
  );
});

test('a small CNN on synthetic 8×8 images learns; tensors do not accumulate across epochs', async () => {
  const engine = await engineP;
  const { train, test: val } = await images;
  const m = await engine.build({
    arch: { name: 'small_cnn', params: { num_conv: 1 } },
    inputShape: [8, 8, 1],
    numClasses: 4,
    seed: 2,
  });
  const counts: number[] = [];
  const seen: number[] = [];
  const r = await trainModel(m, train, {
    epochs: 4,
    batchSize: 20,
    optimizer: { name: 'adam', lr: 0.004, schedule: { kind: 'cosine', minLr: 0.002 } },
    shuffleSeed: 1,
    validation: val,
    onEpochEnd: [
      async (ctx) => {
        seen.push(ctx.epoch);
        assert.equal(ctx.history.length, ctx.epoch);
        assert.equal(ctx.epochs, 4);
        const out = await ctx.predict(val.x, 10);
        assert.equal(out.length, 40);
      },
      () => {
        counts.push(tf.memory().numTensors);
      },
    ],
  });
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.ok(
    counts.every((c) => c === counts[0]),
    `tensor counts per epoch: ${counts.join(', ')}`,
  );
  assert.ok(r.history[3]!.valAccuracy! > 0.4, `val accuracy ${r.history[3]!.valAccuracy}`);
  assert.ok(r.history[3]!.trainLoss < r.history[0]!.trainLoss);
  assert.deepEqual(
    r.history.map((e) => e.lr),
    [0, 1, 2, 3].map((e) => 0.002 + (0.002 * (1 + Math.cos((Math.PI * e) / 4))) / 2),
  );
  m.dispose();
  assert.equal(tf.memory().numTensors, 0);
});

test('progress lines through the logger, stop() from a hook, errors for bad input', async () => {
  const engine = await engineP;
  const { train } = await tabular;
  const m = await engine.build({ arch: { name: 'logistic' }, inputShape: [20], numClasses: 4, seed: 1 });
  const log = memoryLogger();
  let t = 0;
  const r = await trainModel(m, train, {
    epochs: 3,
    batchSize: 100,
    optimizer: { name: 'sgd', lr: 0.1 },
    shuffleSeed: 1,
    logger: log,
    label: 'model 1/2',
    now: () => (t += 500), // every clock read advances 0.5 s
    progressIntervalMs: 1000,
    onEpochEnd: (ctx) => {
      if (ctx.epoch === 2) ctx.stop();
    },
  });
  assert.equal(r.history.length, 2);
  assert.equal(r.stoppedEarly, true);
  const epochLines = log.lines.filter((l) => !/ \d+\/400 /.test(l));
  assert.equal(epochLines.length, 2);
  assert.match(
    epochLines[0]!,
    /^model 1\/2 {2}epoch 1\/3 {2}loss \d+\.\d{4} {2}acc \d+\.\d{2}% {2}\d+ samples\/s {2}\S+ s {2}ETA /,
  );
  assert.ok(
    log.lines.some((l) => /^model 1\/2 {2}epoch 1\/3 {2}\d+\/400 {2}loss .* samples\/s {2}ETA /.test(l)),
    log.lines.join('\n'),
  );
  const bad = { x: train.x, y: Int32Array.from(train.y, (v, i) => (i === 5 ? 4 : v)), n: train.n };
  await assert.rejects(
    trainModel(m, bad, { epochs: 1, batchSize: 10, optimizer: { name: 'sgd', lr: 0.1 }, shuffleSeed: 0 }),
    {
      code: 'E_LABEL_RANGE',
    },
  );
  const short = { x: train.x.subarray(1), y: train.y, n: train.n };
  await assert.rejects(
    trainModel(m, short, { epochs: 1, batchSize: 10, optimizer: { name: 'sgd', lr: 0.1 }, shuffleSeed: 0 }),
    {
      code: 'E_SHAPE_MISMATCH',
    },
  );
  await assert.rejects(
    trainModel(m, train, { epochs: 1, batchSize: 0, optimizer: { name: 'sgd', lr: 0.1 }, shuffleSeed: 0 }),
    {
      code: 'E_ARGUMENT',
    },
  );
  m.dispose();
});

test('evaluateLogits and formatDuration', () => {
  // rows: [2, 0] label 0 (correct), [0, 1] label 0 (wrong), [1, 1] label 1 (tie → first max → wrong)
  const r = evaluateLogits(Float32Array.from([2, 0, 0, 1, 1, 1]), Int32Array.from([0, 0, 1]), 3, 2);
  const ce = [Math.log(1 + Math.exp(-2)), Math.log(1 + Math.exp(1)), Math.log(2)];
  assert.ok(Math.abs(r.loss - (ce[0]! + ce[1]! + ce[2]!) / 3) < 1e-12);
  assert.equal(r.accuracy, 1 / 3);
  assert.equal(formatDuration(0.84), '0.8 s');
  assert.equal(formatDuration(42.4), '42 s');
  assert.equal(formatDuration(187), '3 m 07 s');
  assert.equal(formatDuration(3725), '1 h 02 m');
});
