/**
 * What keeps the trained attacks (lr, mlp, rf, knn) affordable on millions of samples: a cap on the rows
 * that train each attacker, the cost limits rf and knn take when the cap is reached, and scoring in
 * chunks with progress. Below the cap nothing here changes a result.
 */
import { MiaError } from '../errors.js';
import type { BinaryClassifier, ClassifierKind } from './classifiers/classifier.js';
import type { KnnOptions } from './classifiers/knn.js';
import type { RandomForestOptions } from './classifiers/random-forest.js';
import { createClassifier } from './classifiers/registry.js';

/**
 * The cap `runOutputAttacks` (and so `mia attack` and the audit pipeline) puts on each attacker's
 * training rows: at most 50,000 members and 50,000 non-members. Measured on bench/attack-suite.ts at
 * 2,000,000 + 2,000,000 samples, lr and mlp trained on 50,000 per class score within 0.0002 AUC of
 * 100,000 or 200,000 per class; the 100,000 + 100,000 benchmark's halves hold exactly 50,000 per class,
 * so its results are unchanged. runTrainedAttack alone has no cap unless given one.
 */
export const DEFAULT_MAX_TRAIN_PER_CLASS = 50_000;

/**
 * The cost limits an attacker takes when its training rows were capped (the input is large): rf's
 * trees stop at depth 10 (a point of TF Privacy's grid {5, 10, 20, None}; on 2 M + 2 M synthetic samples
 * it scored 0.675 AUC against 0.664 unlimited, at half the cost), and knn queries scan at most 2 leaves of
 * its KD-tree (approximate neighbours at ~4 µs a query; the exact search scans a third of a 100,000-row
 * tree in these 21 dimensions). Below the cap the classifiers keep their defaults (unlimited depth,
 * exact neighbours).
 */
export const SUBSAMPLED_CLASSIFIER_OPTIONS: { readonly rf: RandomForestOptions; readonly knn: KnnOptions } = {
  rf: { maxDepth: 10 },
  knn: { maxLeaves: 2 },
};

/** In words, the limits {@link SUBSAMPLED_CLASSIFIER_OPTIONS} sets for `kind` ('' for lr and mlp). */
export function subsampledLimits(kind: ClassifierKind): string {
  if (kind === 'rf') return `trees at most ${SUBSAMPLED_CLASSIFIER_OPTIONS.rf.maxDepth} deep`;
  if (kind === 'knn') {
    return `approximate neighbours: at most ${SUBSAMPLED_CLASSIFIER_OPTIONS.knn.maxLeaves} KD-tree leaves scanned per sample`;
  }
  return '';
}

/** A new classifier of `kind`: with the limits of a capped training set when `subsampled`. */
export function trainedAttackClassifier(kind: ClassifierKind, subsampled: boolean): BinaryClassifier {
  if (!subsampled) return createClassifier(kind);
  if (kind === 'rf') return createClassifier('rf', SUBSAMPLED_CLASSIFIER_OPTIONS.rf);
  if (kind === 'knn') return createClassifier('knn', SUBSAMPLED_CLASSIFIER_OPTIONS.knn);
  return createClassifier(kind);
}

/** Checks TrainedAttackOptions.maxTrainPerClass: an integer ≥ 1 or +∞. Throws MiaError E_ARGUMENT. */
export function checkMaxTrainPerClass(value: number): void {
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)) return;
  throw new MiaError('E_ARGUMENT', 'maxTrainPerClass must be a positive integer or Infinity', {
    where: 'maxTrainPerClass',
    expected: 'an integer ≥ 1, or Infinity for no cap',
    found: String(value),
  });
}

/**
 * One step of a trained attack, for progress output (TrainedAttackOptions.onProgress). Attacker `fold`
 * (0-based, of `folds`: 2 cross-fitted, else 1) has `step` 'fit' when it starts training, 'trained' when
 * it has, then 'scored' after each chunk with `scored` of its `toScore` rows done.
 */
export interface TrainedAttackProgress {
  fold: number;
  folds: number;
  step: 'fit' | 'trained' | 'scored';
  scored: number;
  toScore: number;
  /** Rows this attacker trains on (members + non-members). */
  trainRows: number;
}

/** Rows scored per predictProba call: bounds the scoring copies (and is the progress granularity). */
export const SCORE_CHUNK = 65_536;

/**
 * P(member) by `classifier` for `rows` of the n×d row-major `features`, in the order of `rows`, scored
 * SCORE_CHUNK rows at a time (every classifier scores a row independently of the others, so the result
 * equals one call on all rows). `onChunk(done)` follows each chunk.
 */
export function scoreRows(
  classifier: BinaryClassifier,
  features: Float64Array,
  d: number,
  rows: ArrayLike<number>,
  onChunk?: (done: number) => void,
): Float64Array {
  const m = rows.length;
  const out = new Float64Array(m);
  const x = new Float64Array(Math.min(m, SCORE_CHUNK) * d);
  for (let start = 0; start < m; start += SCORE_CHUNK) {
    const bs = Math.min(SCORE_CHUNK, m - start);
    for (let e = 0; e < bs; e++) {
      const r = rows[start + e]!;
      x.set(features.subarray(r * d, r * d + d), e * d);
    }
    out.set(classifier.predictProba(bs === SCORE_CHUNK ? x : x.subarray(0, bs * d), bs, d), start);
    onChunk?.(start + bs);
  }
  return out;
}
