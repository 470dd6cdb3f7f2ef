import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadNpzDataset } from '../../src/data/npz-dataset.js';
import { npyArray } from '../../src/io/npy.js';
import { readNpz, writeNpz } from '../../src/io/npz.js';
import { rejectsMia, tempDir } from './helpers.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

test('np.savez with x, y, x_test, y_test (fixtures/tiny.npz): shapes, values, numClasses', () => {
  const path = join(FIX, 'tiny.npz');
  const raw = readNpz(path);
  const r = loadNpzDataset(path);
  assert.equal(r.train.n, 6);
  assert.deepEqual(r.train.shape, [2, 2, 1]);
  assert.deepEqual([...r.train.y], [0, 1, 2, 1, 0, 2]);
  assert.deepEqual([...r.train.x], [...(raw.get('x')!.data as Uint8Array)]);
  assert.equal(r.train.numClasses, 3);
  assert.ok(r.test !== undefined);
  assert.equal(r.test.n, 3);
  assert.deepEqual([...r.test.y], [2, 0, 1]);
  const xt = raw.get('x_test')!.data as Float64Array;
  for (let i = 0; i < xt.length; i++) assert.equal(r.test.x[i], Math.fround(xt[i]!));
  assert.equal(r.train.source, `${path} (.npz)`);
});

test('np.savez_compressed with float labels and no test part (fixtures/compressed.npz)', () => {
  const r = loadNpzDataset(join(FIX, 'compressed.npz'));
  assert.equal(r.test, undefined);
  assert.deepEqual(r.train.shape, [3]);
  assert.deepEqual([...r.train.y], [1, 0, 1, 3]);
  assert.equal(r.train.numClasses, 4);
});

test('missing keys, one of x_test/y_test, shape mismatches, bad labels: errors name file and key', async () => {
  const t = tempDir('npz');
  try {
    const x = npyArray(new Float32Array(6), [3, 2]);
    const y = npyArray(Int32Array.from([0, 1, 0]), [3]);
    const p = (name: string) => join(t.dir, name);
    writeNpz(p('noy.npz'), { x });
    await rejectsMia(() => loadNpzDataset(p('noy.npz')), 'E_MISSING_FIELD', 'noy.npz', "'y'");
    writeNpz(p('half.npz'), { x, y, x_test: x });
    await rejectsMia(() => loadNpzDataset(p('half.npz')), 'E_MISSING_FIELD', "'x_test' without 'y_test'");
    writeNpz(p('len.npz'), { x, y: npyArray(Int32Array.from([0, 1]), [2]) });
    await rejectsMia(() => loadNpzDataset(p('len.npz')), 'E_SHAPE_MISMATCH', 'len.npz:y');
    writeNpz(p('tshape.npz'), {
      x,
      y,
      x_test: npyArray(new Float32Array(3), [1, 3]),
      y_test: npyArray(Int32Array.from([0]), [1]),
    });
    await rejectsMia(() => loadNpzDataset(p('tshape.npz')), 'E_SHAPE_MISMATCH', 'tshape.npz:x_test');
    writeNpz(p('neg.npz'), { x, y: npyArray(Int32Array.from([0, -1, 0]), [3]) });
    await rejectsMia(() => loadNpzDataset(p('neg.npz')), 'E_LABEL_RANGE', 'neg.npz:y[1]');
    writeNpz(p('frac.npz'), { x, y: npyArray(Float32Array.from([0, 0.5, 1]), [3]) });
    await rejectsMia(() => loadNpzDataset(p('frac.npz')), 'E_NPY_DTYPE', 'frac.npz:y');
    const xn = new Float32Array(6);
    xn[4] = Number.NaN;
    writeNpz(p('nan.npz'), { x: npyArray(xn, [3, 2]), y });
    await rejectsMia(() => loadNpzDataset(p('nan.npz')), 'E_NOT_FINITE', 'sample 2');
  } finally {
    t.cleanup();
  }
});
