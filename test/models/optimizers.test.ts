import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/models/backend/index.js';
import {
  learningRateAt,
  normalizeOptimizerSpec,
  type OptimizerSpec,
  parseSchedule,
} from '../../src/models/optimizers.js';
import { createTfjsOptimizer } from '../../src/models/tfjs/optimizers.js';

interface Oracle {
  w0: number[];
  grads: number[][];
  lrs: number[];
  cases: Record<string, number[][]>;
}
const oracle = JSON.parse(
  readFileSync(new URL('./fixtures/optimizer_oracle.json', import.meta.url), 'utf8'),
) as Oracle;

const SPECS: Record<string, OptimizerSpec> = {
  sgd_momentum_nesterov_wd: { name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  sgd_momentum: { name: 'sgd', lr: 0.1, momentum: 0.5 },
  sgd_plain_wd: { name: 'sgd', lr: 0.1, weightDecay: 0.1 },
  adam_wd: { name: 'adam', lr: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.01 },
  adam: { name: 'adam', lr: 0.1 },
};

test('SGD and Adam follow torch.optim trajectories (fixture from PyTorch 1.13)', async () => {
  await initBackend('cpu');
  for (const [name, spec] of Object.entries(SPECS)) {
    const opt = createTfjsOptimizer(normalizeOptimizerSpec(spec));
    const w = tf.tidy(() => tf.variable(tf.tensor1d(oracle.w0)));
    oracle.grads.forEach((g, step) => {
      const grad = tf.tensor1d(g);
      opt.apply([w], [grad], oracle.lrs[step]!);
      grad.dispose();
      const got = w.dataSync();
      const want = oracle.cases[name]![step]!;
      want.forEach((v, i) => {
        assert.ok(Math.abs(got[i]! - v) < 1e-5, `${name} step ${step} [${i}]: ${got[i]} vs ${v}`);
      });
    });
    opt.dispose();
    w.dispose();
  }
  assert.equal(tf.memory().numTensors, 0, 'optimiser state and temporaries are freed');
});

test('learning-rate schedules', () => {
  assert.equal(learningRateAt(0.1, { kind: 'constant' }, 7, 10), 0.1);
  const step = { kind: 'step' as const, every: 3, gamma: 0.5 };
  assert.deepEqual(
    [0, 1, 2, 3, 5, 6].map((e) => learningRateAt(0.8, step, e, 10)),
    [0.8, 0.8, 0.8, 0.4, 0.4, 0.2],
  );
  const cos = { kind: 'cosine' as const, minLr: 0.1 };
  assert.equal(learningRateAt(1.1, cos, 0, 4), 1.1);
  assert.ok(Math.abs(learningRateAt(1.1, cos, 2, 4) - 0.6) < 1e-12); // halfway: (1.1 + 0.1) / 2
  assert.ok(Math.abs(learningRateAt(1, { kind: 'cosine' }, 1, 4) - (1 + Math.cos(Math.PI / 4)) / 2) < 1e-12);
  assert.deepEqual(parseSchedule('step:30:0.1'), { kind: 'step', every: 30, gamma: 0.1 });
  assert.deepEqual(parseSchedule('cosine'), { kind: 'cosine' });
  assert.deepEqual(parseSchedule('cosine:0.001'), { kind: 'cosine', minLr: 0.001 });
  assert.throws(() => parseSchedule('linear'), { code: 'E_USAGE' });
});

test('optimizer specs: defaults and validation', () => {
  assert.deepEqual(normalizeOptimizerSpec({ name: 'adam', lr: 0.001 }), {
    name: 'adam',
    lr: 0.001,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
    schedule: { kind: 'constant' },
  });
  assert.throws(() => normalizeOptimizerSpec({ name: 'rmsprop', lr: 1 } as unknown as OptimizerSpec), {
    code: 'E_UNKNOWN_NAME',
  });
  assert.throws(() => normalizeOptimizerSpec({ name: 'sgd', lr: 0 }), { code: 'E_CONFIG' });
  assert.throws(() => normalizeOptimizerSpec({ name: 'sgd', lr: 1, momentum: 1 }), { code: 'E_CONFIG' });
  assert.throws(() => normalizeOptimizerSpec({ name: 'sgd', lr: 1, nesterov: true }), { code: 'E_CONFIG' });
  assert.throws(
    () => normalizeOptimizerSpec({ name: 'adam', lr: 1, schedule: { kind: 'step', every: 0, gamma: 1 } }),
    {
      code: 'E_CONFIG',
    },
  );
});
