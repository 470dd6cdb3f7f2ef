/**
 * Datasets by name: "fashion-mnist", "mnist", "cifar10", "synthetic", "csv", "npz". `loadDataset`
 * finds the data (builtin.ts for the image datasets), then applies, in this order:
 *   1. a train/test split for single-file csv / npz sources (test = testSize rows, default 20 %, seeded);
 *   2. firstKClasses (keep labels < k; numClasses becomes k);
 *   3. trainSize / testSize subsets (seeded, sorted so the source order is kept);
 *   4. normalisation (default 'unit' for image datasets, 'none' for csv / npz / tabular synthetic).
 * Random choices derive from `seed` (default 0) through fixed forks of one Rng, so the same options give
 * the same rows. Library code never prints: notices (downloads, the synthetic fallback) are returned.
 */
import { MiaError } from '../errors.js';
import { Rng } from '../rng.js';
import { type BuiltinLoadOptions, loadBuiltinImages } from './builtin.js';
import {
  type ByteImages,
  byteImagesToDataset,
  checkDataset,
  type Dataset,
  type DatasetPair,
} from './dataset.js';
import { NORMALIZATIONS, type Normalization, normalizePair } from './normalize.js';
import { loadNpzDataset } from './npz-dataset.js';
import { BUILTIN_IMAGE_SOURCES, type BuiltinImageSource } from './sources.js';
import { firstKClasses, indicesOfFirstKClasses, randomSplit, subsetIndices, take } from './splits.js';
import {
  isImageShape,
  makeSynthetic,
  makeSyntheticImages,
  SYNTHETIC_SOURCE,
  type SyntheticOptions,
} from './synthetic.js';
import { loadCsvDataset } from './tabular.js';

export const DATASET_NAMES = ['fashion-mnist', 'mnist', 'cifar10', 'synthetic', 'csv', 'npz'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetOptions extends Omit<BuiltinLoadOptions, 'path'> {
  /** fashion-mnist / mnist: folder with the 4 IDX files; cifar10: folder or .tar.gz; csv: file or folder with train.csv + test.csv; npz: file. */
  path?: string;
  /** When the image dataset is nowhere to be found, use the synthetic dataset of the same shape (with a notice). */
  allowSyntheticFallback?: boolean;
  /** Keep only labels < k (the case study's 4-class experiment). */
  firstKClasses?: number;
  /** Keep this many training samples (seeded subset). */
  trainSize?: number;
  /** Keep this many test samples (seeded subset; for a single-file csv/npz, the size of the held-out split). */
  testSize?: number;
  normalize?: Normalization;
  /** Seed of every random choice (default 0). */
  seed?: number;
  /** csv: the label column (default "label" when present, else the last column). */
  labelColumn?: string;
  /** synthetic: shape, classes and noise (sizes default to trainSize / testSize, seed to `seed`). */
  synthetic?: SyntheticOptions;
}

export interface LoadedDatasets extends DatasetPair {
  /** Lines for the user (downloads made, the synthetic fallback); the caller decides how to show them. */
  notices: string[];
  /** True when the synthetic dataset stands in for a dataset that was not found. */
  usedFallback: boolean;
}

const ALIASES: Record<string, DatasetName> = {
  'fashion-mnist': 'fashion-mnist',
  fashion_mnist: 'fashion-mnist',
  fashionmnist: 'fashion-mnist',
  mnist: 'mnist',
  cifar10: 'cifar10',
  'cifar-10': 'cifar10',
  cifar_10: 'cifar10',
  synthetic: 'synthetic',
  csv: 'csv',
  npz: 'npz',
};

/** The canonical dataset name for `name` (case-insensitive, a few spellings), or E_UNKNOWN_NAME listing the known ones. */
export function canonicalDatasetName(name: string): DatasetName {
  const hit = ALIASES[name.trim().toLowerCase()];
  if (hit === undefined) {
    throw new MiaError('E_UNKNOWN_NAME', `unknown dataset '${name}'`, {
      where: 'dataset',
      expected: `one of ${DATASET_NAMES.join(', ')}`,
      found: name,
    });
  }
  return hit;
}

function checkOptions(o: DatasetOptions): void {
  const intAtLeast = (field: keyof DatasetOptions, min: number) => {
    const v = o[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
      throw new MiaError('E_ARGUMENT', `dataset option '${field}' must be an integer ≥ ${min}`, {
        where: `dataset.${field}`,
        expected: `an integer ≥ ${min}`,
        found: String(v),
      });
    }
  };
  intAtLeast('firstKClasses', 1);
  intAtLeast('trainSize', 1);
  intAtLeast('testSize', 1);
  if (o.seed !== undefined && !Number.isFinite(o.seed)) {
    throw new MiaError('E_ARGUMENT', "dataset option 'seed' must be a finite number", {
      where: 'dataset.seed',
      found: String(o.seed),
    });
  }
  if (o.normalize !== undefined && !NORMALIZATIONS.includes(o.normalize)) {
    throw new MiaError('E_UNKNOWN_NAME', "dataset option 'normalize' is not known", {
      where: 'dataset.normalize',
      expected: NORMALIZATIONS.join(', '),
      found: String(o.normalize),
    });
  }
}

interface Rngs {
  split: Rng;
  train: Rng;
  test: Rng;
}

function rngs(seed: number): Rngs {
  const root = new Rng(seed);
  return { split: root.fork(), train: root.fork(), test: root.fork() };
}

function tooFew(what: string, name: string, want: number, have: number): MiaError {
  return new MiaError('E_CONFIG', `${what} asks for ${want} samples but ${name} has ${have}`, {
    where: `dataset.${what}`,
    expected: `at most ${have}`,
    found: String(want),
  });
}

/** Rows of `labels` to keep: those with label < k (all when k is undefined), then a seeded subset of `size`. */
function selectRows(
  labels: ArrayLike<number>,
  k: number | undefined,
  size: number | undefined,
  rng: Rng,
  what: 'trainSize' | 'testSize',
  name: string,
): Int32Array | undefined {
  let rows: Int32Array | undefined = k === undefined ? undefined : indicesOfFirstKClasses(labels, k);
  if (size !== undefined) {
    const avail = rows === undefined ? labels.length : rows.length;
    if (size > avail) throw tooFew(what, name, size, avail);
    const pick = subsetIndices(avail, size, rng);
    rows = rows === undefined ? pick : pick.map((i) => rows![i]!);
  }
  return rows;
}

function checkK(k: number | undefined, numClasses: number, name: string): void {
  if (k !== undefined && k > numClasses) {
    throw new MiaError('E_CONFIG', `firstKClasses is larger than the ${numClasses} classes of ${name}`, {
      where: 'dataset.firstKClasses',
      expected: `an integer in [1, ${numClasses}]`,
      found: String(k),
    });
  }
}

function fromBytes(
  raw: { train: ByteImages; test: ByteImages },
  meta: { name: string; source: string; numClasses: number; classNames?: string[] },
  o: DatasetOptions,
  r: Rngs,
): DatasetPair {
  const k = o.firstKClasses;
  checkK(k, meta.numClasses, meta.name);
  const numClasses = k ?? meta.numClasses;
  const m = { name: meta.name, source: meta.source, numClasses };
  const names = meta.classNames?.slice(0, numClasses);
  const withNames = names === undefined ? m : { ...m, classNames: names };
  const trainRows = selectRows(
    raw.train.labels,
    k,
    o.trainSize,
    r.train,
    'trainSize',
    `the ${meta.name} training set`,
  );
  const testRows = selectRows(
    raw.test.labels,
    k,
    o.testSize,
    r.test,
    'testSize',
    `the ${meta.name} test set`,
  );
  return {
    train: byteImagesToDataset(raw.train, trainRows, { ...withNames, split: 'train' }),
    test: byteImagesToDataset(raw.test, testRows, { ...withNames, split: 'test' }),
  };
}

/** Split (single-file sources), first-k classes and subsets for datasets already in float form. */
function fromFloats(train: Dataset, test: Dataset | undefined, o: DatasetOptions, r: Rngs): DatasetPair {
  if (test === undefined) {
    const all = train;
    const nTest = o.testSize ?? Math.round(all.n * 0.2);
    if (nTest >= all.n || nTest < 1) {
      throw new MiaError(
        'E_CONFIG',
        `cannot hold out ${nTest} of the ${all.n} rows of ${all.name} as a test set`,
        {
          where: 'dataset.testSize',
          expected: `an integer in [1, ${all.n - 1}]`,
          found: String(nTest),
        },
      );
    }
    const s = randomSplit(all.n, nTest, r.split);
    test = { ...take(all, s.first), split: 'test' };
    train = { ...take(all, s.rest), split: 'train' };
    o = { ...o };
    delete o.testSize; // already used as the size of the held-out split
  }
  const k = o.firstKClasses;
  checkK(k, train.numClasses, train.name);
  if (k !== undefined) {
    train = firstKClasses(train, k);
    test = firstKClasses(test, k);
  }
  if (o.trainSize !== undefined) {
    if (o.trainSize > train.n)
      throw tooFew('trainSize', `the ${train.name} training set`, o.trainSize, train.n);
    train = take(train, subsetIndices(train.n, o.trainSize, r.train));
  }
  if (o.testSize !== undefined) {
    if (o.testSize > test.n) throw tooFew('testSize', `the ${test.name} test set`, o.testSize, test.n);
    test = take(test, subsetIndices(test.n, o.testSize, r.test));
  }
  return { train, test };
}

function synthetic(o: DatasetOptions, r: Rngs, shape?: number[], numClasses?: number): DatasetPair {
  const so: SyntheticOptions = { ...o.synthetic };
  so.seed ??= o.seed ?? 0;
  if (o.trainSize !== undefined) so.nTrain ??= o.trainSize;
  if (o.testSize !== undefined) so.nTest ??= o.testSize;
  if (shape !== undefined) so.shape = shape;
  if (numClasses !== undefined) so.numClasses ??= numClasses;
  const nc = so.numClasses ?? 10;
  // sizes were used to generate the data: subsets would select everything again
  const rest: DatasetOptions = { ...o };
  delete rest.trainSize;
  delete rest.testSize;
  if (isImageShape(so.shape ?? [28, 28, 1])) {
    return fromBytes(
      makeSyntheticImages(so),
      { name: 'synthetic', source: SYNTHETIC_SOURCE, numClasses: nc },
      rest,
      r,
    );
  }
  const pair = makeSynthetic(so);
  return fromFloats(pair.train, pair.test, rest, r);
}

function needPath(name: DatasetName, o: DatasetOptions): string {
  if (o.path === undefined || o.path === '') {
    throw new MiaError('E_CONFIG', `dataset '${name}' needs a path`, {
      where: 'dataset.path',
      expected: name === 'csv' ? 'a .csv file or a folder with train.csv and test.csv' : 'a .npz file',
    });
  }
  return o.path;
}

async function builtin(spec: BuiltinImageSource, o: DatasetOptions, r: Rngs): Promise<LoadedDatasets> {
  const bo: BuiltinLoadOptions = { ...o };
  const res = await loadBuiltinImages(spec, bo);
  if (res.found) {
    const meta = {
      name: spec.name,
      source: res.source,
      numClasses: spec.numClasses,
      classNames: spec.classNames,
    };
    return { ...fromBytes(res, meta, o, r), notices: res.notices, usedFallback: false };
  }
  const looked = res.looked.join('; ');
  if (o.allowSyntheticFallback !== true) {
    throw new MiaError(
      'E_DATASET',
      `${spec.name} not found. Looked in: ${looked}. To run on a built-in synthetic stand-in instead ` +
        '(results then describe synthetic data), set data.allow_synthetic_fallback: true ' +
        '(or --set data.allow_synthetic_fallback=true)',
      { where: `dataset ${spec.name}` },
    );
  }
  const pair = synthetic(o, r, [...spec.shape], spec.numClasses);
  const notice =
    `${spec.name} not found (looked in: ${looked}); using the built-in synthetic dataset instead ` +
    `(${spec.shape.join('×')}, ${pair.train.numClasses} classes, ${pair.train.n} train / ${pair.test.n} test, ` +
    `seed ${o.seed ?? 0}): results describe the synthetic data, not ${spec.name}`;
  return { ...pair, notices: [notice], usedFallback: true };
}

/**
 * Loads the dataset `name` (see the file header for the steps). Throws E_UNKNOWN_NAME for a name not in
 * DATASET_NAMES or an unknown `normalize`, E_ARGUMENT for options of the wrong type or range (a size or
 * firstKClasses below 1, a non-finite seed), E_CONFIG for options that do not fit the data (a size above
 * what the data has, firstKClasses above the number of classes, a test set that cannot be held out, csv /
 * npz without a path), E_DATASET when a built-in dataset is not found and no
 * fallback is allowed (the message lists every place looked), and the loaders' errors for bad files.
 */
export async function loadDataset(name: string, options: DatasetOptions = {}): Promise<LoadedDatasets> {
  const canonical = canonicalDatasetName(name);
  checkOptions(options);
  const r = rngs(options.seed ?? 0);
  let out: LoadedDatasets;
  let defaultNorm: Normalization = 'unit';
  switch (canonical) {
    case 'fashion-mnist':
    case 'mnist':
    case 'cifar10':
      out = await builtin(BUILTIN_IMAGE_SOURCES[canonical], options, r);
      break;
    case 'synthetic': {
      const pair = synthetic(options, r);
      if (!isImageShape(pair.train.shape)) defaultNorm = 'none';
      out = { ...pair, notices: [], usedFallback: false };
      break;
    }
    case 'csv': {
      const loaded = loadCsvDataset(needPath('csv', options), options.labelColumn);
      out = { ...fromFloats(loaded.train, loaded.test, options, r), notices: [], usedFallback: false };
      defaultNorm = 'none';
      break;
    }
    case 'npz': {
      const loaded = loadNpzDataset(needPath('npz', options));
      out = { ...fromFloats(loaded.train, loaded.test, options, r), notices: [], usedFallback: false };
      defaultNorm = 'none';
      break;
    }
  }
  normalizePair(out, options.normalize ?? defaultNorm);
  checkDataset(out.train);
  checkDataset(out.test);
  return out;
}
