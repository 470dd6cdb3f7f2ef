/**
 * Seeded index selection and dataset slicing: subsets, halves, train/test splits, first-k-classes
 * truncation. Every function that chooses at random takes an Rng; the same seed gives the same indices.
 * Index arrays are Int32Array; "sorted" means ascending, so a subset keeps the order of the source.
 */
import { MiaError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { Dataset } from './dataset.js';
import { gatherRows } from './samples.js';

function checkCount(fn: string, param: string, k: number, n: number): void {
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new MiaError(
      'E_ARGUMENT',
      `The '${param}' parameter of ${fn} must be an integer in [0, ${n}]. Got ${k}`,
      {
        where: param,
        expected: `an integer in [0, ${n}]`,
        found: String(k),
      },
    );
  }
}

/** A random permutation of 0..n-1 (Fisher–Yates with `rng`). */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  return rng.permutation(n);
}

/**
 * k distinct indices drawn uniformly without replacement from [0, n), returned sorted ascending.
 * Partial Fisher–Yates: the first k positions of a lazily shuffled 0..n-1. Throws E_ARGUMENT unless
 * 0 ≤ k ≤ n.
 */
export function subsetIndices(n: number, k: number, rng: Rng): Int32Array {
  checkCount('subsetIndices', 'k', k, n);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p.subarray(0, k).sort();
}

/**
 * Splits 0..n-1 at random into two disjoint sorted sets: `a` with floor(n/2) indices and `b` with the
 * remaining ceil(n/2). Together they cover 0..n-1 exactly once. (The member / non-member halves of
 * shadow and reference models, as in LiRA's and Privacy Meter's keep matrices.)
 */
export function randomHalves(n: number, rng: Rng): { a: Int32Array; b: Int32Array } {
  const split = randomSplit(n, Math.floor(n / 2), rng);
  return { a: split.first, b: split.rest };
}

/**
 * Splits 0..n-1 at random into `first` (k indices) and `rest` (n−k indices), both sorted, disjoint,
 * covering 0..n-1. Throws E_ARGUMENT unless 0 ≤ k ≤ n.
 */
export function randomSplit(n: number, k: number, rng: Rng): { first: Int32Array; rest: Int32Array } {
  checkCount('randomSplit', 'k', k, n);
  const first = subsetIndices(n, k, rng);
  const inFirst = new Uint8Array(n);
  for (const i of first) inFirst[i] = 1;
  const rest = new Int32Array(n - k);
  let j = 0;
  for (let i = 0; i < n; i++) if (inFirst[i] === 0) rest[j++] = i;
  return { first, rest };
}

/** The indices i (ascending) whose label satisfies labels[i] < k. */
export function indicesOfFirstKClasses(labels: ArrayLike<number>, k: number): Int32Array {
  let count = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! < k) count++;
  const out = new Int32Array(count);
  let j = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! < k) out[j++] = i;
  return out;
}

/**
 * A new Dataset holding the samples `indices` of `d`, in the order given (repeats allowed). x and y
 * are copies; name, source, shape, numClasses, classNames and split are kept. Throws E_ARGUMENT on an
 * index outside [0, n).
 */
export function take(d: Dataset, indices: ArrayLike<number>): Dataset {
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= d.n) {
      throw new MiaError('E_ARGUMENT', `index ${r} is outside [0, ${d.n})`, {
        where: `take(${d.name}, indices[${i}])`,
      });
    }
  }
  const { x, y, n } = gatherRows(d, indices);
  return withArrays(d, x, y, n);
}

/**
 * Keeps only the samples with label < k and sets numClasses = k (classNames cut to the first k), as in
 * the case study's 4-class CIFAR-10 experiment. Throws E_ARGUMENT unless 1 ≤ k ≤ numClasses.
 */
export function firstKClasses(d: Dataset, k: number): Dataset {
  if (!Number.isInteger(k) || k < 1 || k > d.numClasses) {
    throw new MiaError(
      'E_ARGUMENT',
      `The 'k' parameter of firstKClasses must be an integer in [1, ${d.numClasses}]. Got ${k}`,
      { where: `firstKClasses(${d.name})`, expected: `an integer in [1, ${d.numClasses}]`, found: String(k) },
    );
  }
  const out = take(d, indicesOfFirstKClasses(d.y, k));
  out.numClasses = k;
  if (d.classNames !== undefined) out.classNames = d.classNames.slice(0, k);
  return out;
}

/**
 * The samples of `a` followed by those of `b` as one Dataset (name, source and split of `a`). Shapes
 * must match (E_SHAPE_MISMATCH otherwise); numClasses is the larger of the two.
 */
export function concat(a: Dataset, b: Dataset): Dataset {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new MiaError('E_SHAPE_MISMATCH', 'datasets with different sample shapes cannot be joined', {
      where: `concat(${a.name}, ${b.name})`,
      expected: `[${a.shape.join(', ')}]`,
      found: `[${b.shape.join(', ')}]`,
    });
  }
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x, 0);
  x.set(b.x, a.x.length);
  const y = new Int32Array(a.n + b.n);
  y.set(a.y, 0);
  y.set(b.y, a.n);
  const out = withArrays(a, x, y, a.n + b.n);
  if (b.numClasses > a.numClasses) {
    out.numClasses = b.numClasses;
    if (b.classNames !== undefined) out.classNames = [...b.classNames];
    else delete out.classNames;
  }
  return out;
}

/** Counts of each label 0..numClasses-1. */
export function classCounts(d: Dataset): Int32Array {
  const c = new Int32Array(d.numClasses);
  for (let i = 0; i < d.n; i++) {
    const label = d.y[i]!;
    c[label] = c[label]! + 1;
  }
  return c;
}

function withArrays(d: Dataset, x: Float32Array, y: Int32Array, n: number): Dataset {
  const out: Dataset = {
    name: d.name,
    source: d.source,
    x,
    y,
    n,
    shape: [...d.shape],
    numClasses: d.numClasses,
    split: d.split,
  };
  if (d.classNames !== undefined) out.classNames = [...d.classNames];
  return out;
}
