import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canonicalDatasetName, DATASET_NAMES, loadDataset } from '../../src/data/registry.js';
import { cifarBatch, gz, rejectsMia, tempDir, tinyIdx } from './helpers.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A folder with the four MNIST IDX files: 40 train and 20 test images of 28×28, labels i mod 10. */
function idxFolder(dir: string): string {
  const tr = tinyIdx(40, 28, 28);
  const te = tinyIdx(20, 28, 28);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gz(tr.images));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gz(tr.labels));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), te.images); // raw works too
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gz(te.labels));
  return dir;
}

test('unknown names are E_UNKNOWN_NAME listing the known ones; spellings are forgiven', async () => {
  await rejectsMia(
    () => loadDataset('imagenet', {}),
    'E_UNKNOWN_NAME',
    "'imagenet'",
    DATASET_NAMES.join(', '),
  );
  assert.equal(canonicalDatasetName('CIFAR-10'), 'cifar10');
  assert.equal(canonicalDatasetName('Fashion_MNIST'), 'fashion-mnist');
});

test('a missing dataset with download disabled: one-line E_DATASET listing every place looked', async () => {
  const t = tempDir('reg');
  try {
    const e = await rejectsMia(
      () => loadDataset('mnist', { cacheDir: t.dir, download: false }),
      'E_DATASET',
      'mnist not found',
      `cache ${join(t.dir, 'mnist')}: missing train-images-idx3-ubyte.gz`,
      'download: not allowed',
    );
    assert.equal(e.where, 'dataset mnist');
    await rejectsMia(
      () =>
        loadDataset('fashion-mnist', {
          cacheDir: t.dir,
          systemDirs: [
            {
              path: join(t.dir, 'sys'),
              via: 'Debian dataset-fashion-mnist',
              install: 'apt-get install dataset-fashion-mnist',
            },
          ],
        }),
      'E_DATASET',
      `${join(t.dir, 'sys')} (Debian dataset-fashion-mnist): absent; install with \`apt-get install dataset-fashion-mnist\``,
      `cache ${join(t.dir, 'fashion-mnist')}`,
    );
  } finally {
    t.cleanup();
  }
});

test('the synthetic fallback, only when allowed: same shape as the missing dataset, flagged, with a notice', async () => {
  const t = tempDir('reg');
  try {
    const r = await loadDataset('cifar10', {
      cacheDir: t.dir,
      allowSyntheticFallback: true,
      trainSize: 30,
      testSize: 10,
      seed: 4,
    });
    assert.equal(r.usedFallback, true);
    assert.equal(r.notices.length, 1);
    assert.match(
      r.notices[0]!,
      /^cifar10 not found \(looked in: cache .*\); using the built-in synthetic dataset instead \(32×32×3, 10 classes, 30 train \/ 10 test, seed 4\)/,
    );
    assert.deepEqual(r.train.shape, [32, 32, 3]);
    assert.equal(r.train.n, 30);
    assert.equal(r.test.n, 10);
    assert.equal(r.train.source, 'synthetic (built in)');
    for (const v of r.train.x) assert.ok(v >= 0 && v <= 1, 'unit-normalised by default');
  } finally {
    t.cleanup();
  }
});

test('IDX folder by path: sizes, firstKClasses, seeded subsets, unit normalisation', async () => {
  const t = tempDir('reg');
  try {
    const dir = idxFolder(join(t.dir, 'mnist'));
    const all = await loadDataset('mnist', { path: dir });
    assert.equal(all.usedFallback, false);
    assert.deepEqual(all.notices, []);
    assert.equal(all.train.n, 40);
    assert.equal(all.test.n, 20);
    assert.deepEqual(all.train.shape, [28, 28, 1]);
    assert.equal(all.train.source, `${dir} (given path)`);
    assert.equal(all.train.classNames?.length, 10);
    // pixel (i, p) = (7i + p) mod 256, / 255
    assert.equal(all.train.x[3 * 784 + 5], Math.fround(((21 + 5) % 256) / 255));

    const four = await loadDataset('mnist', { path: dir, firstKClasses: 4, normalize: 'none' });
    assert.equal(four.train.numClasses, 4);
    assert.deepEqual(four.train.classNames, ['0', '1', '2', '3']);
    assert.equal(four.train.n, 16); // labels i mod 10 < 4 for 4 of every 10
    assert.equal(four.test.n, 8);
    for (const l of four.train.y) assert.ok(l < 4);
    assert.equal(four.train.x[784 + 10], (7 + 10) % 256, 'second kept row is image 1');

    const a = await loadDataset('mnist', {
      path: dir,
      trainSize: 10,
      testSize: 5,
      seed: 1,
      firstKClasses: 5,
    });
    const b = await loadDataset('mnist', {
      path: dir,
      trainSize: 10,
      testSize: 5,
      seed: 1,
      firstKClasses: 5,
    });
    const c = await loadDataset('mnist', {
      path: dir,
      trainSize: 10,
      testSize: 5,
      seed: 2,
      firstKClasses: 5,
    });
    assert.equal(a.train.n, 10);
    assert.equal(a.test.n, 5);
    assert.deepEqual(a.train.x, b.train.x);
    assert.deepEqual(a.test.y, b.test.y);
    assert.notDeepEqual(a.train.x, c.train.x);
    for (const l of a.train.y) assert.ok(l < 5);

    await rejectsMia(
      () => loadDataset('mnist', { path: dir, trainSize: 41 }),
      'E_CONFIG',
      'trainSize',
      '41',
      '40',
    );
    await rejectsMia(
      () => loadDataset('mnist', { path: dir, firstKClasses: 11 }),
      'E_CONFIG',
      'firstKClasses',
    );
    await rejectsMia(() => loadDataset('mnist', { path: dir, trainSize: 0 }), 'E_ARGUMENT', 'trainSize');
    await rejectsMia(
      () => loadDataset('mnist', { path: dir, normalize: 'minmax' as never }),
      'E_UNKNOWN_NAME',
      'normalize',
    );
    await rejectsMia(() => loadDataset('mnist', { path: join(t.dir, 'none') }), 'E_DATASET', 'given path');
  } finally {
    t.cleanup();
  }
});

test('CIFAR-10 folder by path: NHWC floats, standard normalisation from the train set', async () => {
  const t = tempDir('reg');
  try {
    const dir = join(t.dir, 'cifar-10-batches-bin');
    mkdirSync(dir);
    for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), cifarBatch([i, 9 - i]));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBatch([2]));
    const raw = await loadDataset('cifar10', { path: t.dir, normalize: 'none' });
    assert.equal(raw.train.n, 10);
    assert.deepEqual(raw.train.shape, [32, 32, 3]);
    assert.deepEqual(raw.train.classNames?.slice(0, 2), ['airplane', 'automobile']);
    // record value(c, p) = (label·31 + c·101 + p) mod 256; sample 0 has label 1, pixel (h=2, w=5), c=2
    assert.equal(raw.train.x[(2 * 32 + 5) * 3 + 2], (31 + 202 + 69) % 256);
    const std = await loadDataset('cifar10', { path: t.dir, normalize: 'standard' });
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let i = c; i < std.train.x.length; i += 3) s += std.train.x[i]!;
      assert.ok(Math.abs(s / (std.train.x.length / 3)) < 1e-4, `channel ${c} mean`);
    }
  } finally {
    t.cleanup();
  }
});

test('csv: one file is split 80/20 by seed; testSize sets the held-out rows; a folder gives both parts', async () => {
  const t = tempDir('reg');
  try {
    const rows = ['f1,f2,label'];
    for (let i = 0; i < 50; i++) rows.push(`${i},${i * 2},${i % 3}`);
    const file = join(t.dir, 'p.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const a = await loadDataset('csv', { path: file, seed: 7 });
    assert.equal(a.train.n, 40);
    assert.equal(a.test.n, 10);
    assert.equal(a.train.split, 'train');
    assert.equal(a.test.split, 'test');
    const seen = new Set([
      ...a.train.x.filter((_, i) => i % 2 === 0),
      ...a.test.x.filter((_, i) => i % 2 === 0),
    ]);
    assert.equal(seen.size, 50, 'train and test partition the rows');
    assert.deepEqual((await loadDataset('csv', { path: file, seed: 7 })).test.x, a.test.x);
    assert.notDeepEqual((await loadDataset('csv', { path: file, seed: 8 })).test.x, a.test.x);
    const b = await loadDataset('csv', { path: file, testSize: 5, trainSize: 12, firstKClasses: 2 });
    assert.equal(b.test.n <= 5, true);
    assert.equal(b.train.n, 12);
    assert.equal(b.train.numClasses, 2);
    assert.equal(b.train.x[0]! % 1, 0, "no normalisation by default for csv ('none')");
    await rejectsMia(() => loadDataset('csv', {}), 'E_CONFIG', "'csv' needs a path");
    await rejectsMia(() => loadDataset('csv', { path: file, testSize: 50 }), 'E_CONFIG', 'hold out 50');
  } finally {
    t.cleanup();
  }
});

test('npz with x_test: both parts as saved; synthetic by name: sizes from trainSize/testSize, tabular not normalised', async () => {
  const n = await loadDataset('npz', { path: join(FIX, 'tiny.npz') });
  assert.equal(n.train.n, 6);
  assert.equal(n.test.n, 3);
  const s = await loadDataset('synthetic', { trainSize: 50, testSize: 20, seed: 3 });
  assert.equal(s.train.n, 50);
  assert.deepEqual(s.train.shape, [28, 28, 1]);
  const s2 = await loadDataset('synthetic', { trainSize: 50, testSize: 20, seed: 3 });
  assert.deepEqual(s.train.x, s2.train.x);
  const tab = await loadDataset('synthetic', {
    synthetic: { shape: [6], numClasses: 3 },
    trainSize: 30,
    testSize: 9,
  });
  assert.deepEqual(tab.train.shape, [6]);
  assert.equal(tab.train.numClasses, 3);
  assert.ok(
    tab.train.x.some((v) => v < 0),
    'raw Gaussians',
  );
  const four = await loadDataset('synthetic', { trainSize: 200, testSize: 50, firstKClasses: 4 });
  assert.equal(four.train.numClasses, 4);
  for (const l of four.train.y) assert.ok(l < 4);
});
