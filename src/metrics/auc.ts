import type { RocCurve } from './roc.js';

/**
 * Area under the ROC curve by the trapezoid rule over every point — the value of
 * sklearn.metrics.roc_auc_score(isMember, scores) and of TF Privacy's RocCurve.get_auc(), and equal to
 * the Mann–Whitney statistic U / (nMembers · nNonMembers): the probability that a random member scores
 * above a random non-member, ties counting ½. 0.5 = chance, 1 = perfect separation, 0 = perfectly inverted.
 *
 * Computed in integer arithmetic: Σ (fp[i+1] − fp[i]) · (tp[i+1] + tp[i]) is an exact integer while it
 * stays below 2^53 (always when nMembers · nNonMembers ≤ 4.5e15, e.g. 6.7e7 of each), so the result is
 * the correctly rounded ratio 2U / (2 n1 n0) — sklearn's floating-point trapezoid agrees to ~1e-15.
 * Beyond that a compensated (Neumaier) sum keeps it within an ulp or two.
 */
export function auc(roc: RocCurve): number {
  const { tp, fp } = roc;
  const points = tp.length;
  const denominator = 2 * roc.nMembers * roc.nNonMembers;
  if (denominator <= 2 ** 53) {
    let sum = 0;
    let prevTp = tp[0]!;
    let prevFp = fp[0]!;
    for (let i = 1; i < points; i++) {
      const t = tp[i]!;
      const f = fp[i]!;
      sum += (f - prevFp) * (t + prevTp);
      prevTp = t;
      prevFp = f;
    }
    return sum / denominator;
  }
  let sum = 0;
  let compensation = 0;
  for (let i = 1; i < points; i++) {
    const term = (fp[i]! - fp[i - 1]!) * (tp[i]! + tp[i - 1]!);
    const s = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - s + term : term - s + sum;
    sum = s;
  }
  return (sum + compensation) / denominator;
}
