import type { ModelOutputs } from '../signals/model-outputs.js';
import { membershipScore, type SignalName } from '../signals/signals.js';

/**
 * A threshold attack: the score is one signal, oriented so that higher = member. Sweeping the
 * threshold over all values gives the ROC curve; the metrics stage does that sweep.
 *
 * - `threshold` (loss) reproduces TF Privacy's THRESHOLD_ATTACK: TF Privacy labels non-members
 *   positive and thresholds the loss itself; we label members positive and score −loss. The two ROC
 *   curves are mirror images through the anti-diagonal, so AUC and attacker advantage are identical.
 * - `threshold-modified-entropy` reproduces THRESHOLD_ENTROPY_ATTACK with labels (Song & Mittal's
 *   modified entropy); `threshold-entropy` is the label-free Shannon entropy version.
 */
export function thresholdAttackScores(outputs: ModelOutputs, signal: SignalName): Float64Array {
  return membershipScore(outputs, signal);
}
