import type { Rng } from '../../rng.js';
import type { BinaryClassifier } from './classifier.js';
import { KdTree } from './kd-tree.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from './standardize.js';
import { checkFitArgs, checkPredictArgs } from './validate.js';

/** Options of {@link Knn}. */
export interface KnnOptions {
  /** Neighbours counted (default 5: sklearn's default and the middle of TF Privacy's grid {3, 5, 7}). */
  k?: number;
  /** Training rows per KD-tree leaf (default 32; sklearn's leaf_size is 30). */
  leafSize?: number;
  /**
   * Leaves of the KD-tree a query scans at most (default +∞: exact). Finite, a query descends nearer
   * child first and stops after scanning that many leaves: approximate neighbours at a bounded cost.
   */
  maxLeaves?: number;
}

/**
 * k-nearest-neighbour classifier on standardised features — sklearn's
 * `make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5))`, the model of TF Privacy's
 * KNearestNeighborsAttacker (which grid-searches n_neighbors ∈ {3, 5, 7} by 3-fold CV).
 *
 * P(class 1) of a query row = (number of class-1 rows among its k nearest training rows) / k, distance
 * Euclidean on the standardised features. Ties are broken deterministically: neighbours are the k
 * smallest (squared distance, training row index) pairs in lexicographic order, so among equally distant
 * rows the earlier training row wins (sklearn leaves the order of tied neighbours to its tree). With
 * fewer than k training rows, all of them are the neighbours. Queries run on an exact KD-tree built in
 * principal-axis coordinates (kd-tree.ts), which returns exactly what a brute-force scan would (squared
 * distances summed in feature order) at a small fraction of its cost (bench/classifiers.ts compares it
 * with sklearn's kd_tree).
 */
export class Knn implements BinaryClassifier {
  private readonly k: number;
  private readonly leafSize: number;
  private readonly maxLeaves: number;
  private scaler: Standardizer | undefined;
  private tree: KdTree | undefined;
  private labels: Uint8Array = new Uint8Array(0);

  constructor(options: KnnOptions = {}) {
    this.k = options.k ?? 5;
    this.leafSize = options.leafSize ?? 32;
    this.maxLeaves = options.maxLeaves ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(this.k) || this.k < 1)
      throw new RangeError(`Knn: k must be a positive integer. Got ${this.k}`);
  }

  fit(x: Float64Array, n: number, d: number, y: Uint8Array, _rng: Rng): void {
    checkFitArgs('Knn', x, n, d, y);
    this.scaler = fitStandardizer(x, n, d);
    this.tree = new KdTree(applyStandardizer(this.scaler, x, n, d), n, d, this.leafSize);
    this.labels = y.slice();
  }

  predictProba(x: Float64Array, m: number, d: number): Float64Array {
    const tree = this.tree;
    const s = this.scaler;
    if (tree === undefined || s === undefined) throw new Error('Knn: predictProba before fit');
    checkPredictArgs('Knn', x, m, d, tree.d);
    const k = Math.min(this.k, tree.n);
    const q = applyStandardizer(s, x, m, d);
    const idx = tree.query(q, m, k, this.maxLeaves);
    const out = new Float64Array(m);
    const labels = this.labels;
    for (let i = 0; i < m; i++) {
      let ones = 0;
      for (let j = 0; j < k; j++) ones += labels[idx[i * k + j]!]!;
      out[i] = ones / k;
    }
    return out;
  }
}
