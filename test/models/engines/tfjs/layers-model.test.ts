import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../../../src/models/engines/tfjs/init-backend.js';
import { loadTfjsLayersModel } from '../../../../src/models/engines/tfjs/layers-model.js';
import { detectModelKind, loadPredictor } from '../../../../src/models/load.js';
import { Rng } from '../../../../src/rng.js';

/** Saves a tfjs layers model as model.json + one weight shard, the layout tensorflowjs_converter writes. */
async function saveToDir(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save({
    async save(a) {
      const data = a.weightData as ArrayBuffer;
      writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(data));
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          generatedBy: 'test',
          convertedBy: null,
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
}

test('a tfjs / Keras layers model loads from model.json + shards and predicts as the original', async () => {
  await initBackend('cpu');
  const make = (softmax: boolean) => {
    const m = tfl.sequential();
    m.add(tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 4, ...(softmax ? { activation: 'softmax' } : {}) }));
    return m;
  };
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 5 * 72 }, () => rng.normal());
  for (const softmax of [false, true]) {
    const original = make(softmax);
    const dir = mkdtempSync(join(tmpdir(), 'mia-tfjs-'));
    await saveToDir(original, dir);
    const want = tf.tidy(() => (original.predict(tf.tensor(x, [5, 6, 6, 2])) as tf.Tensor).dataSync());
    assert.equal(detectModelKind(dir), 'tfjs-layers');
    const { predictor, kind } = await loadPredictor(dir, { backend: 'cpu' });
    assert.equal(kind, 'tfjs-layers');
    assert.deepEqual(predictor.inputShape, [6, 6, 2]);
    assert.equal(predictor.numClasses, 4);
    assert.equal(predictor.outputKind, softmax ? 'probs' : 'logits');
    assert.deepEqual(await predictor.predict(x, 5, { batchSize: 2 }), Float32Array.from(want));
    predictor.dispose();
    original.dispose();
  }
});

test('a model.json that is not a layers model is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mia-tfjs-'));
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['missing.bin'], weights: [] }] }),
  );
  await assert.rejects(loadTfjsLayersModel(dir, { backend: 'cpu' }), (e: Error & { code?: string }) =>
    ['E_MODEL', 'E_IO'].includes(e.code ?? ''),
  );
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ hello: 1 }));
  assert.throws(() => detectModelKind(dir), { code: 'E_MODEL' });
  assert.throws(() => detectModelKind(join(dir, 'nope')), { code: 'E_IO' });
});
