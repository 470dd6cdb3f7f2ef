import { MiaError } from '../../errors.js';

/**
 * Checks the arguments of `BinaryClassifier.fit`: positive integer shapes, x of length n·d with finite
 * values, y of length n holding only 0 and 1 with both classes present. `where` names the classifier.
 * Throws MiaError (E_SHAPE_MISMATCH, E_NOT_FINITE, E_LABEL_RANGE, E_EMPTY).
 */
export function checkFitArgs(where: string, x: Float64Array, n: number, d: number, y: Uint8Array): void {
  checkMatrix(where, x, n, d);
  if (y.length !== n) {
    throw new MiaError('E_SHAPE_MISMATCH', 'labels and features have different lengths', {
      where: `${where}.fit y`,
      expected: `length ${n}`,
      found: `length ${y.length}`,
    });
  }
  let ones = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (v > 1) {
      throw new MiaError('E_LABEL_RANGE', `label at row ${i} is not 0 or 1`, {
        where: `${where}.fit y`,
        expected: '0 or 1',
        found: String(v),
      });
    }
    ones += v;
  }
  if (ones === 0 || ones === n) {
    throw new MiaError('E_EMPTY', 'training data holds only one class', {
      where: `${where}.fit y`,
      expected: 'at least one row of each class',
      found: `${ones} ones and ${n - ones} zeros`,
    });
  }
}

/**
 * Checks the arguments of `predictProba`: x of length m·d with finite values, and d equal to the number
 * of features the classifier was fitted on. Throws MiaError.
 */
export function checkPredictArgs(
  where: string,
  x: Float64Array,
  m: number,
  d: number,
  fittedD: number,
): void {
  if (d !== fittedD) {
    throw new MiaError('E_SHAPE_MISMATCH', 'predict features differ in number from fit features', {
      where: `${where}.predictProba d`,
      expected: String(fittedD),
      found: String(d),
    });
  }
  if (m === 0 && x.length === 0) return;
  checkMatrix(where, x, m, d);
}

function checkMatrix(where: string, x: Float64Array, n: number, d: number): void {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) {
    throw new MiaError('E_SHAPE_MISMATCH', 'shape must be positive integers', {
      where: `${where} x`,
      expected: 'n ≥ 1, d ≥ 1',
      found: `n=${n}, d=${d}`,
    });
  }
  if (x.length !== n * d) {
    throw new MiaError('E_SHAPE_MISMATCH', 'feature array length is not n·d', {
      where: `${where} x`,
      expected: `length ${n}·${d} = ${n * d}`,
      found: `length ${x.length}`,
    });
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new MiaError('E_NOT_FINITE', `feature ${i % d} of row ${Math.floor(i / d)} is not finite`, {
        where: `${where} x`,
        expected: 'finite numbers',
        found: String(x[i]),
      });
    }
  }
}
