/**
 * Label-only attacks: the attacker sees only the label the model predicts.
 *
 * - `label-gap` (Yeom et al. 2018, "Privacy Risk in Machine Learning", the gap attack): score 1 when the
 *   predicted label is the true label, 0 otherwise. With two score values its ROC has one inner point
 *   (FPR, TPR) = (acc_non-members, acc_members), so AUC = ½(1 + acc_members − acc_non-members).
 * - `label-augment` and `label-noise` (Choquette-Choo et al., ICML 2021, "Label-Only Membership
 *   Inference Attacks", data-augmentation and noise robustness): the share of a sample's perturbed
 *   queries (signals/label-queries.ts) that the model still labels correctly, in [0, 1].
 * - `label-boundary` (the same paper's decision-boundary distance, HopSkipJump of Chen et al. 2020, ART's
 *   LabelOnlyDecisionBoundary): the L2 distance from the sample to the nearest point found with another
 *   label, 0 for a misclassified sample (signals/boundary-distance.ts).
 */
import { MiaError } from '../errors.js';
import type { PooledOutputs } from '../signals/attack-input.js';
import { argmaxRows } from '../signals/exposure.js';
import type { ModelOutputs } from '../signals/model-outputs.js';

/** The predicted label of every sample: ModelOutputs.predicted when given, else the argmax of probs (lowest index on ties). */
export function predictedLabels(o: ModelOutputs): Int32Array {
  return o.predicted ?? argmaxRows(o.probs, o.n, o.numClasses);
}

/** label-gap: 1 where the predicted label equals the true label, else 0 (Float64Array, length n). */
export function labelGapScores(o: ModelOutputs): Float64Array {
  const pred = predictedLabels(o);
  const out = new Float64Array(o.n);
  for (let i = 0; i < o.n; i++) out[i] = pred[i] === o.labels[i] ? 1 : 0;
  return out;
}

/** ½(1 + acc_members − acc_non-members): label-gap's AUC in closed form (Yeom et al. 2018). */
export function labelGapAuc(pooled: PooledOutputs): number {
  const s = labelGapScores(pooled);
  let m = 0;
  let t = 0;
  for (let i = 0; i < pooled.n; i++) {
    if (pooled.isMember[i]) m += s[i]!;
    else t += s[i]!;
  }
  return 0.5 * (1 + m / pooled.nMembers - t / pooled.nNonMembers);
}

/**
 * The share of queries labelled correctly per sample: `preds` holds q blocks of n predicted labels
 * (query-major, [q, n]); returns (#{j : preds[j, i] = labels[i]}) / q for each sample i, in [0, 1].
 * Throws E_SHAPE_MISMATCH when preds.length ≠ q · n, E_ARGUMENT when q < 1.
 */
export function labelAgreementScores(preds: Int32Array, q: number, labels: Int32Array): Float64Array {
  const n = labels.length;
  if (!(q >= 1))
    throw new MiaError('E_ARGUMENT', 'label agreement needs at least one query', { found: String(q) });
  if (preds.length !== q * n) {
    throw new MiaError('E_SHAPE_MISMATCH', 'predicted labels and samples disagree', {
      where: 'label queries',
      expected: `${q} × ${n} labels`,
      found: String(preds.length),
    });
  }
  const out = new Float64Array(n);
  for (let j = 0; j < q; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) if (preds[o + i] === labels[i]) out[i]! += 1;
  }
  for (let i = 0; i < n; i++) out[i]! /= q;
  return out;
}
