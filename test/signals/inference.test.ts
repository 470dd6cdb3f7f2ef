import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Predictor } from '../../src/models/predictor.js';
import { applyAugmentation, augmentationName, augmentationSet, IDENTITY } from '../../src/signals/augment.js';
import {
  perAugmentationMatrix,
  predictAugmentedOutputs,
  predictOutputs,
} from '../../src/signals/inference.js';

/** A fake model on 2×3×1 images: logits = [sum of pixels, first pixel, 0]; records its batch sizes. */
function fakePredictor(kind: 'logits' | 'probs' = 'logits'): Predictor & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    description: 'fake',
    inputShape: [2, 3, 1],
    numClasses: 3,
    outputKind: kind,
    async predict(x, n) {
      calls.push(n);
      const out = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) {
        const row = x.subarray(i * 6, i * 6 + 6);
        if (kind === 'logits') {
          out[i * 3] = row.reduce((a, b) => a + b, 0);
          out[i * 3 + 1] = row[0]!;
        } else out.set([0.5, 0.25, 0.25], i * 3);
      }
      return out;
    },
    dispose() {},
  };
}

test('predictOutputs: logits → softmax probabilities and cross-entropy', async () => {
  const p = fakePredictor();
  const x = Float32Array.from([1, 0, 0, 0, 0, 1, /* */ 0, 0, 0, 0, 0, 0]);
  const o = await predictOutputs(p, { x, y: Int32Array.from([0, 2]), n: 2 });
  assert.deepEqual([...o.logits!], [2, 1, 0, 0, 0, 0]);
  const z = Math.exp(2) + Math.exp(1) + 1;
  const want = [Math.exp(2) / z, Math.exp(1) / z, 1 / z, 1 / 3, 1 / 3, 1 / 3];
  o.probs.forEach((v, i) => {
    assert.ok(Math.abs(v - want[i]!) < 1e-12);
  });
  assert.ok(Math.abs(o.loss[0]! - (Math.log(z) - 2)) < 1e-12);
  assert.ok(Math.abs(o.loss[1]! - Math.log(3)) < 1e-12);
  const probs = await predictOutputs(fakePredictor('probs'), { x, y: Int32Array.from([0, 1]), n: 2 });
  assert.equal(probs.logits, undefined);
  assert.ok(Math.abs(probs.loss[1]! - Math.log(4)) < 1e-12);
  await assert.rejects(
    predictOutputs(p, { x, y: Int32Array.from([0, 3]), n: 2 }, { where: 'members', suffix: '_train' }),
    {
      code: 'E_LABEL_RANGE',
    },
  );
});

test('augmentations: mirror, shifts with reflect padding, LiRA query sets', () => {
  // one 2×3 single-channel image   [[1, 2, 3],
  //                                  [4, 5, 6]]
  const img = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const shape = [2, 3, 1];
  assert.equal(applyAugmentation(img, 1, shape, IDENTITY), img);
  assert.deepEqual([...applyAugmentation(img, 1, shape, { flip: true, dx: 0, dy: 0 })], [3, 2, 1, 6, 5, 4]);
  // shift right by one: out(y, x) = in(y, x + 1), reflect at the border (numpy 'reflect': index 3 → 1)
  assert.deepEqual([...applyAugmentation(img, 1, shape, { flip: false, dx: 1, dy: 0 })], [2, 3, 2, 5, 6, 5]);
  assert.deepEqual([...applyAugmentation(img, 1, shape, { flip: false, dx: -1, dy: 0 })], [2, 1, 2, 5, 4, 5]);
  assert.deepEqual([...applyAugmentation(img, 1, shape, { flip: false, dx: 0, dy: 1 })], [4, 5, 6, 1, 2, 3]);
  // mirror first, then shift: mirrored [[3,2,1],[6,5,4]] shifted by dx=1 → [[2,1,2],[5,4,5]]
  assert.deepEqual([...applyAugmentation(img, 1, shape, { flip: true, dx: 1, dy: 0 })], [2, 1, 2, 5, 4, 5]);
  // two images, two channels: channels move together
  const two = Float32Array.from([
    1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60, 7, 70, 8, 80, 9, 90, 1, 1, 2, 2, 3, 3,
  ]);
  const f = applyAugmentation(two, 2, [2, 3, 2], { flip: true, dx: 0, dy: 0 });
  assert.deepEqual([...f.subarray(0, 6)], [3, 30, 2, 20, 1, 10]);
  assert.deepEqual([...f.subarray(12, 18)], [9, 90, 8, 80, 7, 70]);
  assert.throws(() => applyAugmentation(img, 1, [6], { flip: true, dx: 0, dy: 0 }), { code: 'E_CONFIG' });

  assert.equal(augmentationSet({}).length, 1);
  assert.deepEqual(augmentationSet({ flip: true }).map(augmentationName), ['identity', 'flip']);
  const lira18 = augmentationSet({ flip: true, shift: 4 });
  assert.equal(lira18.length, 18);
  assert.equal(augmentationName(lira18[0]!), 'identity');
  assert.equal(new Set(lira18.map(augmentationName)).size, 18);
  assert.ok(lira18.includes(lira18.find((a) => a.flip && a.dx === -4 && a.dy === 4)!));
  assert.throws(() => augmentationSet({ shift: -1 }), { code: 'E_ARGUMENT' });
});

test('predictAugmentedOutputs: one query per augmentation, identity first, n × A matrices', async () => {
  const p = fakePredictor();
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, /* */ 6, 5, 4, 3, 2, 1]);
  const samples = { x, y: Int32Array.from([1, 0]), n: 2 };
  const augs = augmentationSet({ flip: true, shift: 1 });
  const aug = await predictAugmentedOutputs(p, samples, [2, 3, 1], augs);
  assert.equal(aug.outputs.length, 18);
  assert.deepEqual(p.calls, new Array(18).fill(2));
  assert.deepEqual(aug.outputs[0]!.logits, (await predictOutputs(p, samples)).logits);
  const flipIndex = aug.augmentations.indexOf('flip');
  assert.deepEqual([...aug.outputs[flipIndex]!.logits!], [21, 3, 0, 21, 4, 0]); // first pixel after mirroring
  const m = perAugmentationMatrix(aug, (o, i) => o.logits![i * 3 + 1]!);
  assert.deepEqual(m.shape, [2, 18]);
  assert.equal(m.data[0], 1);
  assert.equal(m.data[flipIndex], 3);
  assert.equal(m.data[18 + flipIndex], 4);
});
