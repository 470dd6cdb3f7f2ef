import { auc } from './auc.js';
import { checkConfidence, normalQuantileBounds } from './intervals.js';
import type { RocCurve } from './roc.js';

/** A confidence interval on the AUC, and how it was computed. */
export interface AucInterval {
  /** The AUC itself (see auc). */
  auc: number;
  /**
   * Standard error of the AUC by DeLong's method; under 'Birnbaum–Klose' the interval's half-width
   * divided by z, so that comparisons have a non-zero noise to work with.
   */
  se: number;
  /** Lower end, ≥ 0. */
  low: number;
  /** Upper end, ≤ 1. */
  high: number;
  /**
   * 'DeLong': auc ± z·se, clipped to [0, 1]. 'Birnbaum–Klose': used when DeLong's variance is 0 or a
   * class has a single sample, where DeLong's interval would collapse to a point — the A solving
   * (auc − A)² = z²·A(1 − A)/min(nMembers, nNonMembers), from the bound var(AUC) ≤ A(1 − A)/min(m, n)
   * (Birnbaum & Klose 1957), which is never a point for finite samples.
   */
  method: 'DeLong' | 'Birnbaum–Klose';
  confidence: number;
}

/**
 * The two-sided interval on the AUC of `roc` at `confidence` (default 0.95), by DeLong, DeLong &
 * Clarke-Pearson (1988), "Comparing the areas under two or more correlated ROC curves", with the
 * structural components computed per ROC point (ties count ½, as in the AUC):
 *   V10(member x) = (#non-members below x + ½ #tied) / nNonMembers,
 *   V01(non-member y) = (#members above y + ½ #tied) / nMembers,
 *   se² = var(V10)/nMembers + var(V01)/nNonMembers (sample variances, ddof 1),
 * and the interval auc ± Φ⁻¹((1 + c)/2)·se clipped to [0, 1] — the numbers of R's pROC
 * `ci.auc(method = "delong")`. See AucInterval.method for the fallback when se is 0. O(ROC points).
 *
 * Throws E_ARGUMENT unless confidence ∈ (0, 1).
 */
export function aucInterval(roc: RocCurve, confidence = 0.95): AucInterval {
  checkConfidence(confidence, 'confidence');
  const a = auc(roc);
  const n1 = roc.nMembers;
  const n0 = roc.nNonMembers;
  const { tp, fp } = roc;
  let s10 = 0;
  let s01 = 0;
  for (let k = 1; k < tp.length; k++) {
    const members = tp[k]! - tp[k - 1]!;
    const nonMembers = fp[k]! - fp[k - 1]!;
    if (members > 0) {
      const v = (n0 - fp[k]! + 0.5 * nonMembers) / n0;
      s10 += members * (v - a) ** 2;
    }
    if (nonMembers > 0) {
      const v = (tp[k - 1]! + 0.5 * members) / n1;
      s01 += nonMembers * (v - a) ** 2;
    }
  }
  const zb = normalQuantileBounds((1 - confidence) / 2);
  const z = 0.5 * (zb.below + zb.above);
  const variance = n1 > 1 && n0 > 1 ? s10 / (n1 - 1) / n1 + s01 / (n0 - 1) / n0 : 0;
  const se = Math.sqrt(variance);
  if (se > 0) {
    return {
      auc: a,
      se,
      low: Math.max(0, a - z * se),
      high: Math.min(1, a + z * se),
      method: 'DeLong',
      confidence,
    };
  }
  const { low, high } = wilsonType(a, Math.min(n1, n0), z);
  return { auc: a, se: (high - low) / (2 * z), low, high, method: 'Birnbaum–Klose', confidence };
}

/** The roots A of (x − A)² = z²·A(1 − A)/m: Wilson's score interval with x in place of k/m. */
function wilsonType(x: number, m: number, z: number): { low: number; high: number } {
  const z2 = z * z;
  const centre = (x + z2 / (2 * m)) / (1 + z2 / m);
  const half = (z / (1 + z2 / m)) * Math.sqrt((x * (1 - x)) / m + z2 / (4 * m * m));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** True when the interval includes 0.5: the attack is not distinguishable from chance at its confidence. */
export function includesChance(interval: { low: number; high: number }): boolean {
  return interval.low <= 0.5 && interval.high >= 0.5;
}
