import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  locateCifar10Dir,
  parseCifar10Batches,
  readCifar10Archive,
  readCifar10Dir,
} from '../../src/data/cifar10.js';
import { readTar } from '../../src/data/tar.js';
import { cifarBatch, rejectsMia, tempDir } from './helpers.js';

test('one record: CHW planes become NHWC exactly, out[(h·32+w)·3+c] = record[1 + c·1024 + h·32 + w]', () => {
  const rec = new Uint8Array(3073);
  rec[0] = 7;
  // distinct marks: red at (0,0), green at (0,1), blue at (31,31), red at (1,0)
  rec[1 + 0 * 1024 + 0] = 11;
  rec[1 + 1 * 1024 + 1] = 22;
  rec[1 + 2 * 1024 + 31 * 32 + 31] = 33;
  rec[1 + 0 * 1024 + 32] = 44;
  const d = parseCifar10Batches([{ bytes: rec, where: 'r.bin' }]);
  assert.equal(d.n, 1);
  assert.deepEqual(d.shape, [32, 32, 3]);
  assert.deepEqual([...d.labels], [7]);
  assert.deepEqual([...d.pixels.subarray(0, 6)], [11, 0, 0, 0, 22, 0]); // (0,0) rgb, (0,1) rgb
  assert.deepEqual([...d.pixels.subarray(32 * 3, 32 * 3 + 3)], [44, 0, 0]); // (1,0)
  assert.deepEqual([...d.pixels.subarray(3069, 3072)], [0, 0, 33]); // (31,31)
  let nonzero = 0;
  for (const v of d.pixels) if (v !== 0) nonzero++;
  assert.equal(nonzero, 4);
});

test('several batches: every pixel of every record lands where the HWC formula says', () => {
  const a = cifarBatch([3, 0]);
  const b = cifarBatch([9]);
  const d = parseCifar10Batches([
    { bytes: a, where: 'a' },
    { bytes: b, where: 'b' },
  ]);
  assert.deepEqual([...d.labels], [3, 0, 9]);
  const recs = [a.subarray(0, 3073), a.subarray(3073), b];
  for (let i = 0; i < 3; i++) {
    for (let h = 0; h < 32; h++) {
      for (let w = 0; w < 32; w++) {
        for (let c = 0; c < 3; c++) {
          const got = d.pixels[i * 3072 + (h * 32 + w) * 3 + c];
          if (got !== recs[i]![1 + c * 1024 + h * 32 + w]) assert.fail(`record ${i} (${h},${w},${c})`);
        }
      }
    }
  }
});

test('a batch whose size is not a multiple of 3073, or a label ≥ 10, is a one-line error naming the file', async () => {
  const bad = cifarBatch([1, 2]).subarray(0, 3073 * 2 - 5);
  await rejectsMia(
    () => parseCifar10Batches([{ bytes: bad, where: 'data_batch_1.bin' }]),
    'E_DATASET',
    'data_batch_1.bin',
    '6141 bytes',
    '3073',
  );
  await rejectsMia(
    () => parseCifar10Batches([{ bytes: new Uint8Array(0), where: 'e.bin' }]),
    'E_DATASET',
    'e.bin',
  );
  await rejectsMia(
    () => parseCifar10Batches([{ bytes: cifarBatch([4, 10]), where: 'l.bin' }]),
    'E_LABEL_RANGE',
    'l.bin',
    'record 1',
  );
});

function writeBatches(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), cifarBatch([i, (i + 5) % 10]));
  writeFileSync(join(dir, 'test_batch.bin'), cifarBatch([0, 9, 8]));
}

test('readCifar10Dir reads data_batch_1..5 then test_batch; locate finds the folder or its cifar-10-batches-bin', async () => {
  const t = tempDir('cifar');
  try {
    const inner = join(t.dir, 'cifar-10-batches-bin');
    writeBatches(inner);
    assert.equal(locateCifar10Dir(t.dir), inner);
    assert.equal(locateCifar10Dir(inner), inner);
    assert.equal(locateCifar10Dir(join(t.dir, 'none')), undefined);
    const d = await readCifar10Dir(inner);
    assert.equal(d.train.n, 10);
    assert.deepEqual([...d.train.labels], [1, 6, 2, 7, 3, 8, 4, 9, 5, 0]);
    assert.deepEqual([...d.test.labels], [0, 9, 8]);
  } finally {
    t.cleanup();
  }
});

test('readCifar10Archive reads a .tar.gz written by GNU tar (as the official archive is laid out)', async () => {
  const t = tempDir('cifar');
  try {
    writeBatches(join(t.dir, 'src', 'cifar-10-batches-bin'));
    writeFileSync(join(t.dir, 'src', 'cifar-10-batches-bin', 'batches.meta.txt'), 'airplane\n');
    const archive = join(t.dir, 'cifar-10-binary.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', join(t.dir, 'src'), 'cifar-10-batches-bin']);
    const fromTar = await readCifar10Archive(archive);
    const fromDir = await readCifar10Dir(join(t.dir, 'src', 'cifar-10-batches-bin'));
    assert.deepEqual(fromTar.train.pixels, fromDir.train.pixels);
    assert.deepEqual(fromTar.test.labels, fromDir.test.labels);

    // an archive without test_batch.bin names the archive
    execFileSync('rm', [join(t.dir, 'src', 'cifar-10-batches-bin', 'test_batch.bin')]);
    const partial = join(t.dir, 'partial.tar.gz');
    execFileSync('tar', ['-czf', partial, '-C', join(t.dir, 'src'), 'cifar-10-batches-bin']);
    await rejectsMia(() => readCifar10Archive(partial), 'E_DATASET', 'partial.tar.gz', 'test_batch.bin');
  } finally {
    t.cleanup();
  }
});

test('readTar: GNU tar long names, a corrupt header and a truncated archive', async () => {
  const t = tempDir('tar');
  try {
    const long = 'd'.repeat(60);
    mkdirSync(join(t.dir, 'src', long, long), { recursive: true });
    writeFileSync(join(t.dir, 'src', long, long, 'f.bin'), 'hello');
    const path = join(t.dir, 'a.tar');
    execFileSync('tar', ['--format=gnu', '-cf', path, '-C', join(t.dir, 'src'), long]);
    const bytes = new Uint8Array(execFileSync('cat', [path]));
    const files = readTar(bytes, 'a.tar');
    assert.equal(new TextDecoder().decode(files.get(`${long}/${long}/f.bin`)), 'hello');
    const corrupt = bytes.slice();
    corrupt[10] = (corrupt[10]! + 1) % 256;
    await rejectsMia(() => readTar(corrupt, 'a.tar'), 'E_DATASET', 'a.tar', 'checksum');
    // cut inside the body of the last file
    const dataAt = Buffer.from(bytes).indexOf('hello');
    assert.ok(dataAt > 0);
    await rejectsMia(() => readTar(bytes.subarray(0, dataAt + 2), 'a.tar'), 'E_TRUNCATED', 'a.tar', 'f.bin');
  } finally {
    t.cleanup();
  }
});
