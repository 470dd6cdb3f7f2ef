/**
 * The dataset vocabulary of mia-audit: a labelled set of samples held as one row-major Float32Array with
 * the per-sample shape beside it. Images are NHWC (height, width, channels), tabular rows are [d].
 */
import { MiaError } from '../errors.js';
import type { ShapedSamples } from './samples.js';

export interface Dataset extends ShapedSamples {
  /** Short name, e.g. "fashion-mnist", "cifar10", "synthetic", "purchase.csv". */
  name: string;
  /** Where it came from, in words and path ("/usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist)"). */
  source: string;
  /** n × prod(shape) values, row-major (NHWC for images), normalised as the loader's options asked. */
  x: Float32Array;
  /** n labels in [0, numClasses). */
  y: Int32Array;
  /** Names of the classes 0..numClasses-1, when known. */
  classNames?: string[];
  split: 'train' | 'test';
}

export interface DatasetPair {
  train: Dataset;
  test: Dataset;
}

/**
 * Raw 8-bit images as the IDX and CIFAR-10 files hold them, before any conversion to float: `pixels` is
 * n × prod(shape) bytes, NHWC; `labels` is n bytes. Loaders return this form so that subsets can be taken
 * before the (4× larger) float copy is made.
 */
export interface ByteImages {
  pixels: Uint8Array;
  labels: Uint8Array;
  n: number;
  shape: number[];
}

/** The number of values per sample: the product of `shape` (1 for an empty shape). */
export function sampleSize(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/**
 * Checks that a Dataset is internally consistent and returns it: x.length = n·prod(shape), y.length = n,
 * every label in [0, numClasses), classNames (if given) has numClasses entries, x has no NaN/±Inf.
 * Throws E_SHAPE_MISMATCH, E_LABEL_RANGE or E_NOT_FINITE naming the dataset and field.
 */
export function checkDataset(d: Dataset): Dataset {
  const where = `dataset ${d.name} (${d.split})`;
  const size = sampleSize(d.shape);
  if (!Number.isInteger(d.n) || d.n < 0) {
    throw new MiaError('E_SHAPE_MISMATCH', 'n must be a non-negative integer', { where, found: String(d.n) });
  }
  if (d.shape.some((s) => !Number.isInteger(s) || s <= 0)) {
    throw new MiaError('E_SHAPE_MISMATCH', 'shape entries must be positive integers', {
      where: `${where}.shape`,
      found: `[${d.shape.join(', ')}]`,
    });
  }
  if (d.x.length !== d.n * size) {
    throw new MiaError('E_SHAPE_MISMATCH', 'x and n·prod(shape) disagree', {
      where: `${where}.x`,
      expected: `${d.n} × ${size} = ${d.n * size} values`,
      found: `${d.x.length}`,
    });
  }
  if (d.y.length !== d.n) {
    throw new MiaError('E_SHAPE_MISMATCH', 'y and x have different numbers of samples', {
      where: `${where}.y`,
      expected: `${d.n} labels`,
      found: `${d.y.length}`,
    });
  }
  if (!Number.isInteger(d.numClasses) || d.numClasses < 1) {
    throw new MiaError('E_SHAPE_MISMATCH', 'numClasses must be a positive integer', {
      where: `${where}.numClasses`,
      found: String(d.numClasses),
    });
  }
  if (d.classNames !== undefined && d.classNames.length !== d.numClasses) {
    throw new MiaError('E_SHAPE_MISMATCH', 'classNames and numClasses disagree', {
      where: `${where}.classNames`,
      expected: `${d.numClasses} names`,
      found: `${d.classNames.length}`,
    });
  }
  for (let i = 0; i < d.n; i++) {
    const label = d.y[i]!;
    if (label < 0 || label >= d.numClasses) {
      throw new MiaError('E_LABEL_RANGE', `label of sample ${i} is outside [0, ${d.numClasses})`, {
        where: `${where}.y[${i}]`,
        found: String(label),
      });
    }
  }
  for (let i = 0; i < d.x.length; i++) {
    const v = d.x[i]!;
    if (!Number.isFinite(v)) {
      throw new MiaError('E_NOT_FINITE', `x has a non-finite value in sample ${Math.floor(i / size)}`, {
        where: `${where}.x[${i}]`,
        found: String(v),
      });
    }
  }
  return d;
}

/**
 * Converts the rows `rows` of raw byte images (all rows, in order, when `rows` is undefined) to a Dataset
 * whose x holds the byte values as floats in [0, 255]. Labels are copied into an Int32Array.
 */
export function byteImagesToDataset(
  raw: ByteImages,
  rows: Int32Array | undefined,
  meta: Pick<Dataset, 'name' | 'source' | 'numClasses' | 'split'> & { classNames?: string[] },
): Dataset {
  const size = sampleSize(raw.shape);
  const n = rows === undefined ? raw.n : rows.length;
  const x = new Float32Array(n * size);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows === undefined ? i : rows[i]!;
    const src = raw.pixels.subarray(r * size, (r + 1) * size);
    x.set(src, i * size);
    y[i] = raw.labels[r]!;
  }
  const d: Dataset = {
    name: meta.name,
    source: meta.source,
    x,
    y,
    n,
    shape: [...raw.shape],
    numClasses: meta.numClasses,
    split: meta.split,
  };
  if (meta.classNames !== undefined) d.classNames = [...meta.classNames];
  return d;
}
