import type { RocCurve } from './roc.js';

/** Options of {@link attackerAdvantage}. */
export interface AdvantageOptions {
  /**
   * false (default): max(tpr − fpr), the advantage of the attack as scored (higher = member).
   * true: max |tpr − fpr|, exactly TF Privacy's RocCurve.get_attacker_advantage(), which also credits an
   * attack whose scores point the wrong way (as if it were inverted).
   */
  absolute?: boolean;
}

/**
 * Membership advantage (Yeom et al. 2018, Definition 4): the largest TPR − FPR over all thresholds of the
 * ROC curve, in [0, 1] (point (0, 0) always gives 0). Computed on the curve's float tpr and fpr exactly as
 * numpy's max(tpr − fpr) does. With `absolute: true`, TF Privacy's max |tpr − fpr|.
 */
export function attackerAdvantage(roc: RocCurve, options: AdvantageOptions = {}): number {
  const { tpr, fpr } = roc;
  let best = 0;
  if (options.absolute === true) {
    for (let i = 0; i < tpr.length; i++) {
      const d = Math.abs(tpr[i]! - fpr[i]!);
      if (d > best) best = d;
    }
  } else {
    for (let i = 0; i < tpr.length; i++) {
      const d = tpr[i]! - fpr[i]!;
      if (d > best) best = d;
    }
  }
  return best;
}
