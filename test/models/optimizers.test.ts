import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  learningRateAt,
  normalizeOptimizerSpec,
  type OptimizerSpec,
  parseSchedule,
} from '../../src/models/optimizers.js';

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
