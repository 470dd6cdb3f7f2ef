import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { checkDataset, type Dataset } from '../../src/data/dataset.js';
import { makeSynthetic, makeSyntheticImages, normalQuantile } from '../../src/data/synthetic.js';
import { rejectsMia } from './helpers.js';

const sha = (b: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
    .digest('hex');

test('same options and seed → the same bytes; another seed → different bytes', () => {
  const o = { nTrain: 200, nTest: 50, seed: 3 };
  const a = makeSyntheticImages(o);
  const b = makeSyntheticImages(o);
  assert.equal(sha(a.train.pixels), sha(b.train.pixels));
  assert.equal(sha(a.test.labels), sha(b.test.labels));
  const c = makeSyntheticImages({ ...o, seed: 4 });
  assert.notEqual(sha(a.train.pixels), sha(c.train.pixels));
  const t1 = makeSynthetic({ shape: [12], nTrain: 100, nTest: 20, seed: 1 });
  const t2 = makeSynthetic({ shape: [12], nTrain: 100, nTest: 20, seed: 1 });
  assert.equal(sha(t1.train.x), sha(t2.train.x));
  assert.equal(sha(t1.test.y), sha(t2.test.y));
});

test('images: shape, sizes, labels in range, byte-valued floats; tabular: shape [d]', () => {
  const p = makeSynthetic({ nTrain: 120, nTest: 30, numClasses: 4, shape: [8, 6, 3], seed: 0 });
  for (const d of [p.train, p.test]) checkDataset(d);
  assert.equal(p.train.n, 120);
  assert.equal(p.test.n, 30);
  assert.deepEqual(p.train.shape, [8, 6, 3]);
  assert.equal(p.train.numClasses, 4);
  assert.equal(p.train.source, 'synthetic (built in)');
  for (const v of p.train.x) assert.ok(Number.isInteger(v) && v >= 0 && v <= 255);
  const t = makeSynthetic({ shape: [5], numClasses: 3, nTrain: 10, nTest: 4 });
  assert.deepEqual(t.train.shape, [5]);
  assert.equal(t.train.x.length, 50);
});

/** Accuracy on `test` of the nearest class mean of `train` (a minimal "small model"). */
function nearestMeanAccuracy(train: Dataset, test: Dataset): number {
  const d = train.x.length / train.n;
  const k = train.numClasses;
  const mean = new Float64Array(k * d);
  const count = new Float64Array(k);
  for (let i = 0; i < train.n; i++) {
    const c = train.y[i]!;
    count[c]!++;
    for (let j = 0; j < d; j++) mean[c * d + j]! += train.x[i * d + j]!;
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) mean[c * d + j]! /= Math.max(1, count[c]!);
  let correct = 0;
  for (let i = 0; i < test.n; i++) {
    let best = -1;
    let bestDist = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (test.x[i * d + j]! - mean[c * d + j]!) ** 2;
      if (s < bestDist) {
        bestDist = s;
        best = c;
      }
    }
    if (best === test.y[i]) correct++;
  }
  return correct / test.n;
}

test('enough signal that a small model learns it: nearest-class-mean accuracy well above chance', () => {
  const img = makeSynthetic({ nTrain: 500, nTest: 200, seed: 11 });
  const accImg = nearestMeanAccuracy(img.train, img.test);
  assert.ok(accImg > 0.6, `image accuracy ${accImg} (chance 0.1)`);
  const tab = makeSynthetic({ shape: [20], nTrain: 500, nTest: 200, seed: 11 });
  const accTab = nearestMeanAccuracy(tab.train, tab.test);
  assert.ok(accTab > 0.6, `tabular accuracy ${accTab} (chance 0.1)`);
  // more noise, less signal
  const noisy = makeSynthetic({ shape: [20], nTrain: 500, nTest: 200, seed: 11, noise: 4 });
  assert.ok(nearestMeanAccuracy(noisy.train, noisy.test) < accTab);
});

test('labels are spread over all classes', () => {
  const p = makeSyntheticImages({ nTrain: 1000, nTest: 10, numClasses: 10, seed: 2 });
  const counts = new Array(10).fill(0);
  for (const l of p.train.labels) counts[l]++;
  for (const c of counts) assert.ok(c > 60 && c < 140, `class count ${c}`);
});

test('normalQuantile matches known quantiles of N(0, 1)', () => {
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-12);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.01) + 2.326347874040841) < 1e-8);
  assert.ok(Math.abs(normalQuantile(1e-5) + 4.264890793922825) < 1e-7);
});

test('invalid options are E_ARGUMENT naming the field', async () => {
  await rejectsMia(() => makeSynthetic({ nTrain: 0 }), 'E_ARGUMENT', 'synthetic.nTrain');
  await rejectsMia(() => makeSynthetic({ numClasses: 1 }), 'E_ARGUMENT', 'synthetic.numClasses');
  await rejectsMia(() => makeSynthetic({ shape: [2, 2] }), 'E_ARGUMENT', 'synthetic.shape');
  await rejectsMia(() => makeSyntheticImages({ shape: [4] }), 'E_ARGUMENT', 'shape');
});
