/**
 * A dataset in a numpy .npz file: `x` (n × …, any numeric dtype) and `y` (n integer labels), and
 * optionally a held-out `x_test`, `y_test`. As written by `np.savez(path, x=x, y=y, x_test=…, y_test=…)`.
 */
import { basename } from 'node:path';
import { MiaError } from '../errors.js';
import type { NpyArray } from '../io/npy.js';
import { toFloat32, toInt32 } from '../io/npy-cast.js';
import { readNpz } from '../io/npz.js';
import { checkDataset, type Dataset } from './dataset.js';

/** The .npz's training part and, when the file has x_test and y_test, its test part. */
export interface NpzDatasetResult {
  train: Dataset;
  test: Dataset | undefined;
}

function part(
  arrays: Map<string, NpyArray>,
  path: string,
  xKey: string,
  yKey: string,
): { x: Float32Array; y: Int32Array; n: number; shape: number[] } {
  const xa = arrays.get(xKey);
  const ya = arrays.get(yKey);
  const keys = [...arrays.keys()].join(', ') || 'none';
  if (xa === undefined || ya === undefined) {
    throw new MiaError('E_MISSING_FIELD', `the .npz has no '${xa === undefined ? xKey : yKey}' array`, {
      where: path,
      expected: `arrays ${xKey} and ${yKey}`,
      found: keys,
    });
  }
  if (xa.shape.length < 1) {
    throw new MiaError('E_SHAPE_MISMATCH', `'${xKey}' must have a sample dimension`, {
      where: `${path}:${xKey}`,
      expected: 'shape [n, …]',
      found: `[${xa.shape.join(', ')}]`,
    });
  }
  const n = xa.shape[0]!;
  const yOk =
    (ya.shape.length === 1 && ya.shape[0] === n) ||
    (ya.shape.length === 2 && ya.shape[0] === n && ya.shape[1] === 1);
  if (!yOk) {
    throw new MiaError('E_SHAPE_MISMATCH', `'${yKey}' must hold one label per row of '${xKey}'`, {
      where: `${path}:${yKey}`,
      expected: `shape [${n}]`,
      found: `[${ya.shape.join(', ')}]`,
    });
  }
  const x = Float32Array.from(toFloat32(xa, `${path}:${xKey}`)); // a copy: normalisation writes into x later
  const y = toInt32(ya, `${path}:${yKey}`);
  for (let i = 0; i < y.length; i++) {
    if (y[i]! < 0) {
      throw new MiaError('E_LABEL_RANGE', `label ${i} is negative`, {
        where: `${path}:${yKey}[${i}]`,
        found: String(y[i]),
      });
    }
  }
  const shape = xa.shape.length === 1 ? [1] : xa.shape.slice(1);
  return { x, y: Int32Array.from(y), n, shape };
}

/**
 * Reads `path` (see the file header). numClasses = 1 + the largest label in y and y_test. Throws
 * E_MISSING_FIELD when x or y is absent or only one of x_test / y_test is present, E_SHAPE_MISMATCH
 * naming `path:key` when shapes disagree (also between x and x_test), E_LABEL_RANGE for a negative
 * label, E_NOT_FINITE for NaN/±Inf in x, and the errors of readNpz.
 */
export function loadNpzDataset(path: string): NpzDatasetResult {
  const arrays = readNpz(path);
  const hasXt = arrays.has('x_test');
  const hasYt = arrays.has('y_test');
  if (hasXt !== hasYt) {
    throw new MiaError(
      'E_MISSING_FIELD',
      `the .npz has '${hasXt ? 'x_test' : 'y_test'}' without '${hasXt ? 'y_test' : 'x_test'}'`,
      {
        where: path,
        expected: 'both x_test and y_test, or neither',
        found: [...arrays.keys()].join(', '),
      },
    );
  }
  const tr = part(arrays, path, 'x', 'y');
  const te = hasXt ? part(arrays, path, 'x_test', 'y_test') : undefined;
  if (
    te !== undefined &&
    (te.shape.length !== tr.shape.length || te.shape.some((s, i) => s !== tr.shape[i]))
  ) {
    throw new MiaError('E_SHAPE_MISMATCH', "'x_test' samples have a different shape from 'x' samples", {
      where: `${path}:x_test`,
      expected: `[n, ${tr.shape.join(', ')}]`,
      found: `[${te.n}, ${te.shape.join(', ')}]`,
    });
  }
  let maxLabel = 0;
  for (const p of te === undefined ? [tr] : [tr, te]) for (const v of p.y) if (v > maxLabel) maxLabel = v;
  const name = basename(path);
  const make = (p: typeof tr, split: 'train' | 'test'): Dataset =>
    checkDataset({
      name,
      source: `${path} (.npz)`,
      x: p.x,
      y: p.y,
      n: p.n,
      shape: p.shape,
      numClasses: maxLabel + 1,
      split,
    });
  return { train: make(tr, 'train'), test: te === undefined ? undefined : make(te, 'test') };
}
