import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBuiltinImages } from '../../src/data/builtin.js';
import {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  locateIdxFiles,
  parseIdx,
  readIdxPair,
} from '../../src/data/idx.js';
import { FASHION_MNIST } from '../../src/data/sources.js';
import { gz, idxBytes, rejectsMia, tempDir, tinyIdx } from './helpers.js';

test('parseIdx reads the header and data of a hand-built labels file', () => {
  const b = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]);
  const a = parseIdx(b, IDX_LABELS_MAGIC, 'l.idx');
  assert.deepEqual(a.dims, [3]);
  assert.deepEqual([...a.data], [7, 0, 9]);
});

test('parseIdx: bad magic, short header, truncated data and trailing bytes are one-line errors naming the file', async () => {
  const good = idxBytes([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  await rejectsMia(
    () => parseIdx(good, IDX_LABELS_MAGIC, 'x.idx'),
    'E_DATASET',
    'x.idx',
    'bad magic',
    '2049',
  );
  await rejectsMia(() => parseIdx(good.subarray(0, 3), IDX_IMAGES_MAGIC, 'x.idx'), 'E_TRUNCATED', 'x.idx');
  await rejectsMia(() => parseIdx(good.subarray(0, 10), IDX_IMAGES_MAGIC, 'x.idx'), 'E_TRUNCATED', 'header');
  await rejectsMia(
    () => parseIdx(good.subarray(0, 20), IDX_IMAGES_MAGIC, 'x.idx'),
    'E_TRUNCATED',
    'x.idx',
    '8 data bytes',
    'found 4',
  );
  const long = new Uint8Array(good.length + 1);
  long.set(good);
  await rejectsMia(() => parseIdx(long, IDX_IMAGES_MAGIC, 'x.idx'), 'E_DATASET', 'after its data');
});

test('readIdxPair reads raw and gzipped files to the same bytes, shape [rows, cols, 1]', async () => {
  const t = tempDir('idx');
  try {
    const { images, labels } = tinyIdx(5, 3, 4);
    writeFileSync(join(t.dir, 'i.raw'), images);
    writeFileSync(join(t.dir, 'l.raw'), labels);
    writeFileSync(join(t.dir, 'i.gz'), gz(images));
    writeFileSync(join(t.dir, 'l.gz'), gz(labels));
    const raw = await readIdxPair(join(t.dir, 'i.raw'), join(t.dir, 'l.raw'), 10);
    const zipped = await readIdxPair(join(t.dir, 'i.gz'), join(t.dir, 'l.gz'), 10);
    assert.equal(raw.n, 5);
    assert.deepEqual(raw.shape, [3, 4, 1]);
    assert.deepEqual([...raw.labels], [0, 1, 2, 3, 4]);
    // pixel (i, r, c) = (7i + 4r + c) mod 256
    assert.equal(raw.pixels[2 * 12 + 1 * 4 + 3], (14 + 4 + 3) % 256);
    assert.deepEqual(zipped.pixels, raw.pixels);
    assert.deepEqual(zipped.labels, raw.labels);
  } finally {
    t.cleanup();
  }
});

test('readIdxPair: truncated gzip, count mismatch and label ≥ numClasses name the file', async () => {
  const t = tempDir('idx');
  try {
    const { images, labels } = tinyIdx(5, 3, 4);
    const z = gz(images);
    writeFileSync(join(t.dir, 'cut.gz'), z.subarray(0, z.length - 12));
    writeFileSync(join(t.dir, 'l.gz'), gz(labels));
    await rejectsMia(
      () => readIdxPair(join(t.dir, 'cut.gz'), join(t.dir, 'l.gz'), 10),
      'E_TRUNCATED',
      'cut.gz',
    );
    writeFileSync(join(t.dir, 'i.gz'), z);
    writeFileSync(join(t.dir, 'l4.gz'), gz(tinyIdx(4, 3, 4).labels));
    await rejectsMia(
      () => readIdxPair(join(t.dir, 'i.gz'), join(t.dir, 'l4.gz'), 10),
      'E_SHAPE_MISMATCH',
      'l4.gz',
    );
    await rejectsMia(
      () => readIdxPair(join(t.dir, 'i.gz'), join(t.dir, 'l.gz'), 3),
      'E_LABEL_RANGE',
      'l.gz',
      'found 3',
    );
    await rejectsMia(() => readIdxPair(join(t.dir, 'nope.gz'), join(t.dir, 'l.gz'), 10), 'E_IO', 'nope.gz');
  } finally {
    t.cleanup();
  }
});

test('locateIdxFiles prefers the official .gz name, then the raw name, then the dotted raw name', () => {
  const present = new Set([
    '/d/train-images-idx3-ubyte.gz',
    '/d/train-images-idx3-ubyte',
    '/d/train-labels-idx1-ubyte',
    '/d/t10k-images.idx3-ubyte',
  ]);
  const r = locateIdxFiles('/d', (p) => present.has(p));
  assert.deepEqual(r, { missing: ['t10k-labels-idx1-ubyte.gz'] });
  present.add('/d/t10k-labels-idx1-ubyte.gz');
  const ok = locateIdxFiles('/d', (p) => present.has(p));
  assert.deepEqual(ok, {
    paths: {
      trainImages: '/d/train-images-idx3-ubyte.gz',
      trainLabels: '/d/train-labels-idx1-ubyte',
      testImages: '/d/t10k-images.idx3-ubyte',
      testLabels: '/d/t10k-labels-idx1-ubyte.gz',
    },
  });
});

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
test('the real Fashion-MNIST of Debian dataset-fashion-mnist: 60000/10000 images of 28×28, 10 classes', {
  skip: existsSync(FASHION_DIR) ? false : `${FASHION_DIR} absent (apt-get install dataset-fashion-mnist)`,
}, async () => {
  const r = await loadBuiltinImages(FASHION_MNIST, { download: false, cacheDir: '/nonexistent' });
  assert.ok(r.found);
  assert.equal(r.source, `${FASHION_DIR} (Debian dataset-fashion-mnist)`);
  assert.equal(r.train.n, 60000);
  assert.equal(r.test.n, 10000);
  assert.deepEqual(r.train.shape, [28, 28, 1]);
  assert.equal(r.train.pixels.length, 60000 * 784);
  const counts = new Array(10).fill(0);
  for (const l of r.train.labels) counts[l]++;
  assert.deepEqual(counts, new Array(10).fill(6000)); // Fashion-MNIST is balanced
  // first training labels as published: Ankle boot, T-shirt/top, T-shirt/top, Dress, ...
  assert.deepEqual([...r.train.labels.subarray(0, 10)], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
});
