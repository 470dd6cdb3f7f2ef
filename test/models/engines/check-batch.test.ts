// The argument checks both engines share (engines/check-batch.ts): each engine rejects the same bad
// predict / trainStep calls with the same error, before running anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelSpec } from '../../../src/models/engine.js';
import { checkRows, checkTrainBatch } from '../../../src/models/engines/check-batch.js';
import { createOrtEngine } from '../../../src/models/engines/ort/engine.js';
import { createTfjsEngine } from '../../../src/models/engines/tfjs/engine.js';
import { normalizeOptimizerSpec } from '../../../src/models/optimizers.js';

test('checkRows and checkTrainBatch: codes, messages and where', () => {
  assert.doesNotThrow(() => checkRows(new Float32Array(6), 3, [2], 'predict'));
  assert.throws(() => checkRows(new Float32Array(5), 3, [2], 'predict'), {
    code: 'E_SHAPE_MISMATCH',
    message: 'x holds 5 values, fewer than n × 2 = 6',
    where: 'predict',
    expected: '3 × [2]',
  });
  assert.throws(() => checkRows(new Float32Array(6), 1.5, [2], 'predict'), { code: 'E_SHAPE_MISMATCH' });
  assert.throws(() => checkRows(new Float32Array(6), -1, [2], 'predict'), { code: 'E_SHAPE_MISMATCH' });
  const batch = { x: new Float32Array(4), y: new Int32Array([0, 1]), n: 2 };
  assert.equal(checkTrainBatch(batch, [2], 2, 'opt'), 'opt');
  assert.throws(() => checkTrainBatch({ ...batch, y: new Int32Array([0]) }, [2], 2, 'opt'), {
    code: 'E_SHAPE_MISMATCH',
    message: 'y holds 1 labels, fewer than n = 2',
    where: 'trainStep',
  });
  assert.throws(() => checkTrainBatch(batch, [2], 2, undefined), {
    code: 'E_ARGUMENT',
    message: 'no optimizer set (call setOptimizer first)',
    where: 'trainStep',
  });
  assert.throws(() => checkTrainBatch({ ...batch, y: new Int32Array([1, 2]) }, [2], 2, 'opt'), {
    code: 'E_LABEL_RANGE',
    message: 'label 2 outside [0, 2)',
    where: 'trainStep y[1]',
  });
  assert.throws(() => checkTrainBatch({ ...batch, y: new Int32Array([-1, 0]) }, [2], 2, 'opt'), {
    code: 'E_LABEL_RANGE',
    where: 'trainStep y[0]',
  });
  // shape errors come before the missing optimiser, which comes before the labels
  assert.throws(() => checkTrainBatch({ ...batch, x: new Float32Array(3) }, [2], 2, undefined), {
    code: 'E_SHAPE_MISMATCH',
  });
  assert.throws(() => checkTrainBatch({ ...batch, y: new Int32Array([5, 5]) }, [2], 2, undefined), {
    code: 'E_ARGUMENT',
  });
});

test('the tfjs and onnxruntime engines reject the same bad calls with the same errors', async () => {
  const spec: ModelSpec = {
    arch: { name: 'mlp', params: { hidden: '4' } },
    inputShape: [3],
    numClasses: 2,
    seed: 1,
  };
  for (const engine of [await createTfjsEngine('cpu'), await createOrtEngine({ threads: 1 })]) {
    const m = await engine.build(spec);
    const x = new Float32Array(6);
    const y = new Int32Array([0, 1]);
    const what = `engine ${engine.name}`;
    await assert.rejects(m.trainStep({ x, y, n: 2 }, 0.1), { code: 'E_ARGUMENT', where: 'trainStep' }, what);
    m.setOptimizer(normalizeOptimizerSpec({ name: 'sgd', lr: 0.1 }));
    await assert.rejects(
      m.trainStep({ x: x.subarray(0, 5), y, n: 2 }, 0.1),
      { code: 'E_SHAPE_MISMATCH', message: 'x holds 5 values, fewer than n × 3 = 6', where: 'trainStep' },
      what,
    );
    await assert.rejects(
      m.trainStep({ x, y: y.subarray(0, 1), n: 2 }, 0.1),
      { code: 'E_SHAPE_MISMATCH', message: 'y holds 1 labels, fewer than n = 2', where: 'trainStep' },
      what,
    );
    await assert.rejects(
      m.trainStep({ x, y: new Int32Array([0, 2]), n: 2 }, 0.1),
      { code: 'E_LABEL_RANGE', message: 'label 2 outside [0, 2)', where: 'trainStep y[1]' },
      what,
    );
    await assert.rejects(
      m.predict(x, 3),
      { code: 'E_SHAPE_MISMATCH', message: 'x holds 6 values, fewer than n × 3 = 9', where: 'predict' },
      what,
    );
    const stats = await m.trainStep({ x, y, n: 2 }, 0.1);
    assert.ok(Number.isFinite(stats.loss), what);
    m.dispose();
  }
});
