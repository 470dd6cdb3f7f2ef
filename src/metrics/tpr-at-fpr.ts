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
  /** Members at or above the threshold (integer). */
  truePositives: number;
  /**
   * Precision (positive predictive value) at that threshold: tp / (tp + fp), at the audit's own ratio of
   * members to non-members; NaN when nothing is flagged (tp + fp = 0).
   */
  precision: number;
  /**
   * Interval on precision at the requested confidence: Clopper–Pearson intervals on TPR and on FPR, each
   * at confidence 1 − (1 − c)/2 (Bonferroni, so both hold together with probability ≥ c), mapped through
   * precision = n₁·TPR / (n₁·TPR + n₀·FPR), which rises with TPR and falls with FPR. NaN with precision.
   */
  precisionLow: number;
  precisionHigh: number;
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
  const p = precisionAt(tp, fp, roc.nMembers, roc.nNonMembers, confidence);
  return {
    tpr: roc.tpr[lo]!,
    low: interval.low,
    high: interval.high,
    fpr: fpr[lo]!,
    threshold: roc.thresholds[lo]!,
    falsePositives: fp,
    truePositives: tp,
    precision: p.precision,
    precisionLow: p.low,
    precisionHigh: p.high,
    lowSupport: fp < 10,
  };
}

/**
 * Precision tp / (tp + fp) of a threshold test flagging tp of n1 members and fp of n0 non-members, with
 * its interval at `confidence` (see TprAtFprResult.precisionLow). All NaN when tp + fp = 0.
 */
export function precisionAt(
  tp: number,
  fp: number,
  n1: number,
  n0: number,
  confidence: number,
): { precision: number; low: number; high: number } {
  if (tp + fp === 0) return { precision: Number.NaN, low: Number.NaN, high: Number.NaN };
  const each = 1 - (1 - confidence) / 2;
  const t = clopperPearson(tp, n1, each);
  const f = clopperPearson(fp, n0, each);
  const ratio = (a: number, b: number) => (a === 0 ? 0 : (n1 * a) / (n1 * a + n0 * b));
  return { precision: tp / (tp + fp), low: ratio(t.low, f.high), high: ratio(t.high, f.low) };
}
