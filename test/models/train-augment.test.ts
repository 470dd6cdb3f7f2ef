// Training-time augmentation (src/models/train-augment.ts): hand-computed crops and flips, seeded
// determinism, the flag parser, the shape checks, and that trainModel feeds augmented batches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMiaError } from '../../src/errors.js';
import type { EngineModel } from '../../src/models/engine.js';
import { augmentSeedOf, trainModel } from '../../src/models/train.js';
import {
  augmentBatch,
  checkAugment,
  describeAugment,
  parseAugmentFlag,
  type TrainAugment,
} from '../../src/models/train-augment.js';
import { Rng } from '../../src/rng.js';

/** A fake Rng returning the given uniform draws in order (int(n) = floor(u·n)). */
function draws(...u: number[]): Rng {
  const r = new Rng(0);
  let i = 0;
  r.next = () => u[i++]!;
  return r;
}

// a 3×3 one-channel image 1..9, row-major
const img = () => Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

test('crop 1: offsets (dy, dx) in {0, 1, 2} shift the zero-padded image; (1, 1) is the identity', () => {
  const a: TrainAugment = { crop: 1, flip: false };
  let x = img();
  augmentBatch(x, 1, [3, 3, 1], a, draws(0.5, 0.5)); // int(3) = 1, 1 → no shift
  assert.deepEqual([...x], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  x = img();
  augmentBatch(x, 1, [3, 3, 1], a, draws(0, 0)); // dy = dx = −1: the window starts in the padding
  assert.deepEqual([...x], [0, 0, 0, 0, 1, 2, 0, 4, 5]);
  x = img();
  augmentBatch(x, 1, [3, 3, 1], a, draws(0.9, 0.4)); // dy = +1, dx = 0
  assert.deepEqual([...x], [4, 5, 6, 7, 8, 9, 0, 0, 0]);
});

test('flip mirrors the columns (after the crop, as RandomCrop then RandomHorizontalFlip), per channel', () => {
  let x = img();
  augmentBatch(x, 1, [3, 3, 1], { crop: 0, flip: true }, draws(0.2));
  assert.deepEqual([...x], [3, 2, 1, 6, 5, 4, 9, 8, 7]);
  x = img();
  augmentBatch(x, 1, [3, 3, 1], { crop: 0, flip: true }, draws(0.7)); // u ≥ ½: not flipped
  assert.deepEqual([...x], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // crop dx = +1 then flip: out(y, x) = img(y, 2 − x + 1)
  x = img();
  augmentBatch(x, 1, [3, 3, 1], { crop: 1, flip: true }, draws(0.5, 0.9, 0.1));
  assert.deepEqual([...x], [0, 3, 2, 0, 6, 5, 0, 9, 8]);
  // two channels move together
  const rgb = Float32Array.from([1, 10, 2, 20]); // 1×2 image, 2 channels
  augmentBatch(rgb, 1, [1, 2, 2], { crop: 0, flip: true }, draws(0));
  assert.deepEqual([...rgb], [2, 20, 1, 10]);
});

test('augmentBatch: the same seed gives the same batch, values are kept or zero, pixel sums move', () => {
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 16 * 8 * 8 * 3 }, () => 1 + rng.next());
  const a = x.slice();
  const b = x.slice();
  augmentBatch(a, 16, [8, 8, 3], { crop: 4, flip: true }, new Rng(9));
  augmentBatch(b, 16, [8, 8, 3], { crop: 4, flip: true }, new Rng(9));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, x);
  const values = new Set(x);
  for (const v of a) assert.ok(v === 0 || values.has(v));
  const c = x.slice();
  augmentBatch(c, 16, [8, 8, 3], { crop: 4, flip: true }, new Rng(10));
  assert.notDeepEqual(a, c);
});

test('parseAugmentFlag and describeAugment', () => {
  assert.deepEqual(parseAugmentFlag('crop:4,flip', 'f'), { crop: 4, flip: true });
  assert.deepEqual(parseAugmentFlag('flip', 'f'), { crop: 0, flip: true });
  assert.deepEqual(parseAugmentFlag('none', 'f'), { crop: 0, flip: false });
  assert.equal(describeAugment({ crop: 4, flip: true }), 'random crop (4-px padding) + horizontal flip');
  assert.throws(
    () => parseAugmentFlag('crop=4', 'mia train --augment'),
    (e: unknown) => isMiaError(e) && e.where === 'mia train --augment' && /crop=4/.test(e.message),
  );
});

test('checkAugment: image inputs with a side larger than the padding', () => {
  checkAugment({ crop: 4, flip: true }, [32, 32, 3], 'x');
  checkAugment({ crop: 0, flip: false }, [10], 'x');
  assert.throws(() => checkAugment({ crop: 0, flip: true }, [10], 'x'), /need image inputs/);
  assert.throws(() => checkAugment({ crop: 16, flip: false }, [8, 8, 1], 'x'), /crop padding/);
});

test('trainModel trains on augmented batches drawn from augmentSeedOf(shuffleSeed)', async () => {
  const seen: Float32Array[] = [];
  const model = {
    inputShape: [4, 4, 1],
    numClasses: 2,
    setOptimizer() {},
    async trainStep(b: { x: Float32Array; n: number }) {
      seen.push(b.x.slice(0, b.n * 16));
      return { loss: 1, correct: 0 };
    },
    async predict(_x: Float32Array, n: number) {
      return new Float32Array(n * 2);
    },
  } as unknown as EngineModel;
  const x = Float32Array.from({ length: 4 * 16 }, (_, i) => i + 1);
  const train = { x, y: Int32Array.from([0, 1, 0, 1]), n: 4 };
  const opts = { epochs: 1, batchSize: 4, optimizer: { name: 'sgd' as const, lr: 0.1 }, shuffleSeed: 5 };
  await trainModel(model, train, opts);
  await trainModel(model, train, { ...opts, augment: { crop: 1, flip: true } });
  const [plain, augmented] = seen as [Float32Array, Float32Array];
  // the same shuffle, then the augmentation of that batch with the documented seed
  const expected = plain.slice();
  augmentBatch(expected, 4, [4, 4, 1], { crop: 1, flip: true }, new Rng(augmentSeedOf(5)));
  assert.deepEqual(augmented, expected);
  assert.notDeepEqual(augmented, plain);
});

test('configs: augment: {crop, flip} on target, inherited by reference, off with {}, checked against the data', async () => {
  const { parseAuditConfig } = await import('../../src/audit/config.js');
  const base = `data: {dataset: synthetic, synthetic: {shape: [16, 16, 1], classes: 2}, audit_size: 200, population_size: 400, validation_size: 100}
target: {architecture: {name: small_cnn, params: {num_conv: 1}}, epochs: 1, augment: {crop: 2, flip: true}}
audit: {reference_models: 1, attacks: [loss]}
`;
  const cfg = parseAuditConfig(base, 'a.yaml').config as unknown as {
    target: { augment?: TrainAugment };
    reference: { augment?: TrainAugment };
  };
  assert.deepEqual(cfg.target.augment, { crop: 2, flip: true });
  assert.deepEqual(cfg.reference.augment, { crop: 2, flip: true });
  const off = parseAuditConfig(`${base}reference: {augment: {}}\n`, 'a.yaml').config as unknown as {
    reference: { augment?: TrainAugment };
  };
  assert.equal(off.reference.augment, undefined);
  const tooBig = base.replace('crop: 2', 'crop: 16');
  assert.throws(
    () => parseAuditConfig(tooBig, 'a.yaml'),
    (e: unknown) => isMiaError(e) && e.code === 'E_CONFIG' && /target\.augment/.test(e.oneLine()),
  );
  assert.throws(
    () => parseAuditConfig(base.replace('flip: true', 'flip: yes please'), 'a.yaml'),
    (e: unknown) => isMiaError(e) && /target\.augment\.flip/.test(e.oneLine()),
  );
});
