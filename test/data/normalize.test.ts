import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../src/data/dataset.js';
import { channelStats, normalizePair } from '../../src/data/normalize.js';
import { toFloat32, toFloat64 } from '../../src/io/npy-cast.js';
import { readNpz } from '../../src/io/npz.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function ds(x: Float32Array, shape: number[], split: 'train' | 'test'): Dataset {
  const size = shape.reduce((a, b) => a * b, 1);
  const n = x.length / size;
  return { name: 't', source: 't', x, y: new Int32Array(n), n, shape, numClasses: 1, split };
}

test('hand-computed: unit divides by 255; standard uses per-channel train mean and population std', () => {
  // 2 samples of shape [1, 1, 2]: channel 0 = [0, 2], channel 1 = [5, 5] (std 0 → only centred)
  const train = ds(Float32Array.from([0, 5, 2, 5]), [1, 1, 2], 'train');
  const test = ds(Float32Array.from([4, 7]), [1, 1, 2], 'test');
  const st = channelStats(train);
  assert.deepEqual([...st.mean], [1, 5]);
  assert.deepEqual([...st.std], [1, 0]);
  normalizePair({ train, test }, 'standard');
  assert.deepEqual([...train.x], [-1, 0, 1, 0]);
  assert.deepEqual([...test.x], [3, 2]);

  const a = ds(Float32Array.from([0, 255, 51]), [3], 'train');
  const b = ds(Float32Array.from([102, 0, 0]), [3], 'test');
  normalizePair({ train: a, test: b }, 'unit');
  assert.deepEqual([...a.x], [0, 1, Math.fround(0.2)]);
  assert.equal(b.x[0], Math.fround(0.4));
  const c = ds(Float32Array.from([3]), [1], 'train');
  assert.equal(normalizePair({ train: c, test: c }, 'none'), undefined);
  assert.equal(c.x[0], 3);
});

test('standard normalisation matches numpy (fixtures/norm.npz, make_fixtures.py)', () => {
  const f = readNpz(join(FIX, 'norm.npz'));
  const x = Float32Array.from(toFloat32(f.get('x')!, 'x'));
  const t = Float32Array.from(toFloat32(f.get('t')!, 't'));
  const train = ds(x, [2, 2, 3], 'train');
  const test = ds(t, [2, 2, 3], 'test');
  const stats = normalizePair({ train, test }, 'standard')!;
  const mean = toFloat64(f.get('mean')!, 'mean');
  const std = toFloat64(f.get('std')!, 'std');
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(stats.mean[c]! - mean[c]!) <= 1e-9 * Math.max(1, Math.abs(mean[c]!)), `mean ${c}`);
    assert.ok(Math.abs(stats.std[c]! - std[c]!) <= 1e-9 * std[c]!, `std ${c}`);
  }
  const xs = toFloat64(f.get('x_std')!, 'x_std');
  const ts = toFloat64(f.get('t_std')!, 't_std');
  for (let i = 0; i < xs.length; i++) assert.ok(Math.abs(train.x[i]! - xs[i]!) < 1e-5, `train ${i}`);
  for (let i = 0; i < ts.length; i++) assert.ok(Math.abs(test.x[i]! - ts[i]!) < 1e-5, `test ${i}`);
});

test('property: after standard normalisation the train set has per-channel mean 0 and std 1', () => {
  const x = new Float32Array(300);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 101) * (1 + (i % 3));
  const train = ds(x, [10, 3], 'train');
  normalizePair({ train, test: ds(new Float32Array(3), [1, 3], 'test') }, 'standard');
  const s = channelStats(train);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(s.mean[c]!) < 1e-5);
    assert.ok(Math.abs(s.std[c]! - 1) < 1e-5);
  }
});
