import type { ModelOutputs } from '../signals/model-outputs.js';

/** Above this many classes the label enters the attack features as one number, not one-hot. */
const MAX_ONE_HOT_CLASSES = 20;

export interface AttackFeatures {
  /** n × d row-major. */
  x: Float64Array;
  n: number;
  d: number;
  /** Column names, for reports. */
  columns: string[];
}

/**
 * Features for the trained attack classifiers, from a model's outputs on each sample:
 * the probability vector sorted in decreasing order (so the attack generalises across classes, as
 * Shokri et al. and ML-Leaks do), the cross-entropy loss, and the label (one-hot for up to 20
 * classes, else the class index).
 */
export function attackFeatures(outputs: ModelOutputs): AttackFeatures {
  const { n, numClasses: c, probs, loss, labels } = outputs;
  const oneHot = c <= MAX_ONE_HOT_CLASSES;
  const d = c + 1 + (oneHot ? c : 1);
  const x = new Float64Array(n * d);
  const row = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    row.set(probs.subarray(i * c, (i + 1) * c));
    row.sort();
    const o = i * d;
    for (let k = 0; k < c; k++) x[o + k] = row[c - 1 - k]!;
    x[o + c] = loss[i]!;
    if (oneHot) x[o + c + 1 + labels[i]!] = 1;
    else x[o + c + 1] = labels[i]!;
  }
  const columns = [
    ...Array.from({ length: c }, (_, k) => `p_sorted_${k}`),
    'loss',
    ...(oneHot ? Array.from({ length: c }, (_, k) => `label_${k}`) : ['label']),
  ];
  return { x, n, d, columns };
}
