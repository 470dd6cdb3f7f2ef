import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../src/models/engines/tfjs/init-backend.js';
import { createTfjsOptimizer } from '../../../../src/models/engines/tfjs/optimizers.js';
import { normalizeOptimizerSpec, type OptimizerSpec } from '../../../../src/models/optimizers.js';

interface Oracle {
  w0: number[];
  grads: number[][];
  lrs: number[];
  cases: Record<string, number[][]>;
}
const oracle = JSON.parse(
  readFileSync(new URL('../../fixtures/optimizer_oracle.json', import.meta.url), 'utf8'),
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
