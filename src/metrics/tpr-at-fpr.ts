import { clopperPearson } from './intervals.js';
import type { RocCurve } from './roc.js';
import { checkRate } from './validate.js';

/** TPR at a fixed FPR budget, with its Clopper–Pearson interval. */
export interface TprAtFprResult {
  /** Highest TPR among ROC points with FPR ≤ the target (tp / nMembers at that point). */
  tpr: number;
  /** Two-sided Clopper–Pearson interval on tpr at the requested confidence (low = 0 when tp = 0). */
  low: number;
  /** Upper end of the interval (1 when tp = nMembers). */
  high: number;
  /** The actual FPR of that point (≤ the target). */
  fpr: number;
  /** Its threshold: predict member iff score ≥ threshold (+Infinity for the (0, 0) point). */
  threshold: number;
  /** Non-members at or above the threshold (integer). */
  falsePositives: number;
  /**
   * true when fewer than 10 non-members are false positives at that point: the FPR itself is then
   * resolved by a handful of samples and the TPR says little about the population (LiRA, Carlini et al.
   * 2022, report low-FPR numbers only with enough non-members).
   */
  lowSupport: boolean;
}

/**
 * TPR at FPR ≤ `targetFpr` (Carlini et al. 2022, "Membership Inference Attacks From First Principles"):
 * the last ROC point whose fpr ≤ targetFpr — the highest TPR reachable within the budget, and among the
 * points with that TPR the one with the largest FPR still within the budget, as numpy's
 * `tpr[np.where(fpr <= target)[0][-1]]` picks it. fpr is compared as stored (fp / nNonMembers), so an
 * FPR exactly equal to the target is within it. Point (0, 0) always qualifies. The interval is the
 * two-sided Clopper–Pearson interval on tp out of nMembers at `confidence` (default 0.95); it treats the
 * threshold as fixed, i.e. ignores that it was chosen on the same data.
 *
 * Throws E_ARGUMENT unless targetFpr ∈ [0, 1] and confidence ∈ (0, 1).
 */
export function tprAtFpr(roc: RocCurve, targetFpr: number, confidence = 0.95): TprAtFprResult {
  checkRate(targetFpr, 'targetFpr');
  const { fpr } = roc;
  // Largest index with fpr ≤ target (fpr is non-decreasing, fpr[0] = 0).
  let lo = 0;
  let hi = fpr.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (fpr[mid]! <= targetFpr) lo = mid;
    else hi = mid - 1;
  }
  const tp = roc.tp[lo]!;
  const fp = roc.fp[lo]!;
  const interval = clopperPearson(tp, roc.nMembers, confidence);
  return {
    tpr: roc.tpr[lo]!,
    low: interval.low,
    high: interval.high,
    fpr: fpr[lo]!,
    threshold: roc.thresholds[lo]!,
    falsePositives: fp,
    lowSupport: fp < 10,
  };
}
