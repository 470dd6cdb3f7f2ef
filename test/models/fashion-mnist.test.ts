import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { loadDataset } from '../../src/data/registry.js';
import { createEngine } from '../../src/models/engines/create-engine.js';
import { trainModel } from '../../src/models/train.js';

const DIR = '/usr/share/datasets/fashion-mnist';
const skip = existsSync(DIR)
  ? false
  : `${DIR} is absent (Debian package dataset-fashion-mnist; .ci/run installs it)`;

test('a small dense net on a 2,000-sample Fashion-MNIST subset: accuracy rises well above chance', {
  skip,
}, async () => {
  const data = await loadDataset('fashion-mnist', { path: DIR, trainSize: 2000, testSize: 1000, seed: 1 });
  assert.deepEqual(data.train.shape, [28, 28, 1]);
  const engine = await createEngine('tfjs', { backend: 'cpu' });
  const m = await engine.build({
    arch: { name: 'dense', params: { depth: 1, width: 64 } },
    inputShape: [28, 28, 1],
    numClasses: 10,
    seed: 1,
  });
  const r = await trainModel(m, data.train, {
    epochs: 3,
    batchSize: 50,
    optimizer: { name: 'adam', lr: 0.002 },
    shuffleSeed: 1,
    validation: data.test,
  });
  const h = r.history;
  assert.ok(
    h[2]!.trainAccuracy > h[0]!.trainAccuracy,
    `train accuracy ${h.map((e) => e.trainAccuracy).join(' → ')}`,
  );
  assert.ok(h[2]!.valAccuracy! > h[0]!.valAccuracy! - 0.01);
  assert.ok(h[2]!.valAccuracy! > 0.7, `test accuracy ${h[2]!.valAccuracy}`);
  m.dispose();
});
