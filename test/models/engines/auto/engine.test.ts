import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAutoEngine } from '../../../../src/models/engines/auto/engine.js';

test('the auto engine builds conv/dense nets and resnet18 in onnxruntime and tanh nets in tfjs, with the same seeded weights', async () => {
  const auto = await createAutoEngine({ threads: 1 });
  assert.equal(auto.name, 'auto');
  assert.match(auto.backend.description, /onnxruntime/);
  const cnn = await auto.build({
    arch: { name: 'small_cnn', params: { num_conv: 1 } },
    inputShape: [6, 6, 1],
    numClasses: 2,
    seed: 9,
  });
  assert.equal(cnn.engine, 'ort');
  const res = await auto.build({
    arch: { name: 'resnet18', params: { width: 2 } },
    inputShape: [8, 8, 3],
    numClasses: 2,
    seed: 9,
  });
  assert.equal(res.engine, 'ort');
  const tanh = await auto.build({
    arch: { name: 'conv', params: { depth: 1, filters: 2, width: 3, activation: 'tanh' } },
    inputShape: [6, 6, 1],
    numClasses: 2,
    seed: 9,
  });
  assert.equal(tanh.engine, 'tfjs');
  tanh.dispose();
  const noOrt = await createAutoEngine({ ort: false, backend: 'cpu' });
  const cnn2 = await noOrt.build({
    arch: { name: 'small_cnn', params: { num_conv: 1 } },
    inputShape: [6, 6, 1],
    numClasses: 2,
    seed: 9,
  });
  assert.equal(cnn2.engine, 'tfjs');
  assert.deepEqual(
    cnn2.getWeights().map((w) => [w.name, Array.from(w.data)]),
    cnn.getWeights().map((w) => [w.name, Array.from(w.data)]),
  );
  for (const m of [cnn, res, cnn2]) m.dispose();
});
