import type { RocCurve } from './roc.js';

/**
 * TF Privacy's tolerance below which a TPR or FPR counts as 0 in get_ppv (`_ABSOLUTE_TOLERANCE`).
 */
const ABSOLUTE_TOLERANCE = 1e-3;

/**
 * Positive predictive value of the attacker (Jayaraman et al. 2021, https://arxiv.org/abs/2005.10881):
 * the highest precision TP / (TP + FP) over all thresholds, with TF Privacy's exact conventions.
 *
 * Matches `RocCurve.get_ppv()` in tensorflow/privacy,
 * tensorflow_privacy/privacy/privacy_tests/membership_inference_attack/data_structures.py (read at commit
 * 2b5d5b6ef559c81f1be49719dee8ce7da57a6255), operation for operation:
 *   ratio = nNonMembers / nMembers (test_train_ratio),
 *   at each point num = tpr, den = tpr + fpr · ratio;
 *   where |tpr| ≤ 1e-3 AND |fpr| ≤ 1e-3 (np.isclose(·, 0, atol=1e-3)) the value is 1 / (1 + ratio) —
 *     the precision of random guessing — including the (0, 0) point where TP + FP = 0;
 *   elsewhere num / den, or 0 where den = 0;
 *   PPV = the maximum over points.
 * Mathematically num / den = TP / (TP + FP). TF Privacy evaluates it on sklearn's thinned curve
 * (drop_intermediate=True); precision is monotone along each dropped collinear run, so the maximum over
 * the full curve is the same except when the tolerance rule replaces a near-origin point.
 * Note the consequence of the tolerance: points within 0.1% TPR and 0.1% FPR of the origin never count
 * as high-precision, however few their false positives.
 */
export function ppv(roc: RocCurve): number {
  const { tpr, fpr } = roc;
  const ratio = roc.nNonMembers / roc.nMembers;
  const atOrigin = 1 / (1 + ratio);
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < tpr.length; i++) {
    const t = tpr[i]!;
    const f = fpr[i]!;
    let v: number;
    if (Math.abs(t) <= ABSOLUTE_TOLERANCE && Math.abs(f) <= ABSOLUTE_TOLERANCE) v = atOrigin;
    else {
      const den = t + f * ratio;
      v = den !== 0 ? t / den : 0;
    }
    if (v > best) best = v;
  }
  return best;
}
