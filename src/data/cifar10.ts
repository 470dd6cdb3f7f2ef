/**
 * CIFAR-10, binary version (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html): each batch
 * file is a sequence of 3073-byte records, one label byte (0..9) then 3072 pixel bytes in CHW order
 * (1024 red, 1024 green, 1024 blue, each 32×32 row-major). We convert to NHWC: out[(h·32+w)·3+c] =
 * record[1 + c·1024 + h·32 + w].
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MiaError } from '../errors.js';
import { readFileOrThrow } from '../io/atomic.js';
import type { ByteImages } from './dataset.js';
import { gunzipBytes, isGzip } from './gzip.js';
import { readTar } from './tar.js';

export const CIFAR10_RECORD_BYTES = 3073;
export const CIFAR10_CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
export const CIFAR10_TEST_FILES = ['test_batch.bin'];
/** The folder inside the official archive that holds the batch files. */
export const CIFAR10_BATCH_DIR = 'cifar-10-batches-bin';

const PLANE = 1024;

/**
 * Parses CIFAR-10 binary batches (the bytes of each file, in order) into ByteImages of shape [32, 32, 3],
 * NHWC. Each file's size must be a multiple of 3073 (E_DATASET naming the file otherwise, with the size
 * found) and every label < 10 (E_LABEL_RANGE naming the file and record).
 */
export function parseCifar10Batches(batches: { bytes: Uint8Array; where: string }[]): ByteImages {
  let n = 0;
  for (const b of batches) {
    if (b.bytes.length % CIFAR10_RECORD_BYTES !== 0 || b.bytes.length === 0) {
      throw new MiaError('E_DATASET', 'CIFAR-10 batch size is not a positive multiple of 3073-byte records', {
        where: b.where,
        expected: 'k × 3073 bytes',
        found: `${b.bytes.length} bytes (${Math.floor(b.bytes.length / CIFAR10_RECORD_BYTES)} records + ${b.bytes.length % CIFAR10_RECORD_BYTES})`,
      });
    }
    n += b.bytes.length / CIFAR10_RECORD_BYTES;
  }
  const pixels = new Uint8Array(n * 3 * PLANE);
  const labels = new Uint8Array(n);
  let row = 0;
  for (const b of batches) {
    const records = b.bytes.length / CIFAR10_RECORD_BYTES;
    for (let r = 0; r < records; r++, row++) {
      const off = r * CIFAR10_RECORD_BYTES;
      const label = b.bytes[off]!;
      if (label >= 10) {
        throw new MiaError('E_LABEL_RANGE', `label of record ${r} is outside [0, 10)`, {
          where: b.where,
          found: String(label),
        });
      }
      labels[row] = label;
      const base = row * 3 * PLANE;
      for (let c = 0; c < 3; c++) {
        const src = off + 1 + c * PLANE;
        for (let p = 0; p < PLANE; p++) pixels[base + p * 3 + c] = b.bytes[src + p]!;
      }
    }
  }
  return { pixels, labels, n, shape: [32, 32, 3] };
}

/**
 * The directory holding the batch files: `dir` itself when it has data_batch_1.bin, else
 * `dir/cifar-10-batches-bin` when that does, else undefined.
 */
export function locateCifar10Dir(dir: string): string | undefined {
  if (existsSync(join(dir, CIFAR10_TRAIN_FILES[0]!))) return dir;
  const inner = join(dir, CIFAR10_BATCH_DIR);
  if (existsSync(join(inner, CIFAR10_TRAIN_FILES[0]!))) return inner;
  return undefined;
}

/**
 * Reads the train batches (data_batch_1..5.bin) and test batch (test_batch.bin) from a directory.
 * A missing file throws E_IO naming it.
 */
export async function readCifar10Dir(dir: string): Promise<{ train: ByteImages; test: ByteImages }> {
  const read = (names: string[]) =>
    names.map((f) => ({ bytes: readFileOrThrow(join(dir, f)), where: join(dir, f) }));
  return {
    train: parseCifar10Batches(read(CIFAR10_TRAIN_FILES)),
    test: parseCifar10Batches(read(CIFAR10_TEST_FILES)),
  };
}

/**
 * Reads the batches straight from the official archive cifar-10-binary.tar.gz (or an uncompressed .tar)
 * without extracting it to disk. A batch missing from the archive throws E_DATASET naming the archive.
 */
export async function readCifar10Archive(path: string): Promise<{ train: ByteImages; test: ByteImages }> {
  return decodeCifar10Archive(readFileOrThrow(path), path);
}

/** {@link readCifar10Archive} on archive bytes already in memory; `where` names them in errors. */
export async function decodeCifar10Archive(
  bytes: Uint8Array,
  where: string,
): Promise<{ train: ByteImages; test: ByteImages }> {
  if (isGzip(bytes)) bytes = await gunzipBytes(bytes, where);
  const files = readTar(bytes, where);
  const pick = (names: string[]) =>
    names.map((f) => {
      const key = `${CIFAR10_BATCH_DIR}/${f}`;
      const b = files.get(key) ?? files.get(f);
      if (b === undefined) {
        throw new MiaError('E_DATASET', `the archive has no ${key}`, { where });
      }
      return { bytes: b, where: `${where}:${key}` };
    });
  return {
    train: parseCifar10Batches(pick(CIFAR10_TRAIN_FILES)),
    test: parseCifar10Batches(pick(CIFAR10_TEST_FILES)),
  };
}
