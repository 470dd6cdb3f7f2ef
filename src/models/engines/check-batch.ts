/**
 * The argument checks every engine runs before touching its runtime, so that both engines reject the
 * same bad calls with the same errors: rows that do not fit the model's input shape (predict and
 * trainStep), and for trainStep also too few labels, no optimiser, and labels outside [0, classes).
 */

import type { LabelledSamples } from '../../data/samples.js';
import { MiaError } from '../../errors.js';
import { shapeSize } from '../layer-graph.js';

/**
 * Throws E_SHAPE_MISMATCH (naming `where`) unless `n` is a non-negative integer and `x` holds at least
 * n × prod(inputShape) values.
 */
export function checkRows(x: Float32Array, n: number, inputShape: readonly number[], where: string): void {
  const size = shapeSize(inputShape);
  if (!Number.isInteger(n) || n < 0 || x.length < n * size) {
    throw new MiaError(
      'E_SHAPE_MISMATCH',
      `x holds ${x.length} values, fewer than n × ${size} = ${n * size}`,
      {
        where,
        expected: `${n} × [${inputShape.join(', ')}]`,
      },
    );
  }
}

/**
 * Checks a trainStep call and returns its optimiser. In this order: E_SHAPE_MISMATCH when `batch.x` does
 * not fit (checkRows) or `batch.y` holds fewer than n labels; E_ARGUMENT when `optimizer` is undefined (no
 * setOptimizer yet); E_LABEL_RANGE naming `trainStep y[i]` for the first label outside [0, numClasses).
 */
export function checkTrainBatch<O>(
  batch: LabelledSamples,
  inputShape: readonly number[],
  numClasses: number,
  optimizer: O | undefined,
): O {
  const { n } = batch;
  checkRows(batch.x, n, inputShape, 'trainStep');
  if (batch.y.length < n) {
    throw new MiaError('E_SHAPE_MISMATCH', `y holds ${batch.y.length} labels, fewer than n = ${n}`, {
      where: 'trainStep',
    });
  }
  if (optimizer === undefined)
    throw new MiaError('E_ARGUMENT', 'no optimizer set (call setOptimizer first)', { where: 'trainStep' });
  for (let i = 0; i < n; i++) {
    const y = batch.y[i]!;
    if (!(y >= 0 && y < numClasses)) {
      throw new MiaError('E_LABEL_RANGE', `label ${y} outside [0, ${numClasses})`, {
        where: `trainStep y[${i}]`,
      });
    }
  }
  return optimizer;
}
