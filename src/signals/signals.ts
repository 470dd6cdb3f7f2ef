import { MiaError } from '../errors.js';
import type { ModelOutputs } from './model-outputs.js';

/**
 * Per-sample scalar signals computed from a model's outputs. Each is returned in its natural units;
 * `membershipScore` turns a signal into an attack score oriented so that higher = more likely a member.
 */
export type SignalName = 'loss' | 'confidence' | 'entropy' | 'modified-entropy' | 'scaled-logit' | 'max-prob';

export const SIGNAL_NAMES: readonly SignalName[] = [
  'loss',
  'confidence',
  'entropy',
  'modified-entropy',
  'scaled-logit',
  'max-prob',
];

/** +1 when a larger signal means "member" (confidence), −1 when a smaller one does (loss). */
export const SIGNAL_DIRECTION: Readonly<Record<SignalName, 1 | -1>> = {
  loss: -1,
  confidence: 1,
  entropy: -1,
  'modified-entropy': -1,
  'scaled-logit': 1,
  'max-prob': 1,
};

/** Probabilities below this are clipped inside logarithms, as TF Privacy's `_log_value` (1e-30). */
const LOG_FLOOR = 1e-30;

/**
 * Computes one signal for every sample of `outputs`:
 * - `loss`: cross-entropy −ln p[y] (nats), as stored in ModelOutputs.
 * - `confidence`: p[y], the true-class probability, in [0, 1].
 * - `entropy`: Shannon entropy −Σ p ln p (nats), in [0, ln c]; labels unused (TF Privacy's
 *   `_get_entropy` without labels).
 * - `modified-entropy`: Song & Mittal (2021) Mentr = −(1−p[y]) ln p[y] − Σ_{k≠y} p[k] ln(1−p[k]),
 *   ≥ 0; equals TF Privacy's `_get_entropy` with labels (same 1e-30 log floor).
 * - `scaled-logit`: φ = ln(p[y] / (1 − p[y])) (LiRA's logit scaling). From logits it is computed as
 *   z[y] − logsumexp_{k≠y} z[k], exact for extreme confidences; from probabilities as
 *   ln(p[y] + 1e-45) − ln(Σ_{k≠y} p[k] + 1e-45), as the LiRA reference code does.
 * - `max-prob`: max_k p[k], in [1/c, 1].
 */
export function computeSignal(outputs: ModelOutputs, signal: SignalName): Float64Array {
  const { n, numClasses: c, probs, labels, logits } = outputs;
  const out = new Float64Array(n);
  switch (signal) {
    case 'loss':
      out.set(outputs.loss);
      return out;
    case 'confidence':
      for (let i = 0; i < n; i++) out[i] = probs[i * c + labels[i]!]!;
      return out;
    case 'max-prob':
      for (let i = 0; i < n; i++) {
        let m = 0;
        for (let k = 0; k < c; k++) if (probs[i * c + k]! > m) m = probs[i * c + k]!;
        out[i] = m;
      }
      return out;
    case 'entropy':
      for (let i = 0; i < n; i++) {
        let h = 0;
        for (let k = 0; k < c; k++) {
          const p = probs[i * c + k]!;
          h -= p * Math.log(Math.max(p, LOG_FLOOR));
        }
        out[i] = h;
      }
      return out;
    case 'modified-entropy':
      for (let i = 0; i < n; i++) {
        const y = labels[i]!;
        let h = 0;
        for (let k = 0; k < c; k++) {
          const p = probs[i * c + k]!;
          if (k === y) h -= (1 - p) * Math.log(Math.max(p, LOG_FLOOR));
          else h -= p * Math.log(Math.max(1 - p, LOG_FLOOR));
        }
        out[i] = h;
      }
      return out;
    case 'scaled-logit':
      if (logits !== undefined) {
        for (let i = 0; i < n; i++) {
          const o = i * c;
          const y = labels[i]!;
          let m = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < c; k++) if (k !== y && logits[o + k]! > m) m = logits[o + k]!;
          let s = 0;
          for (let k = 0; k < c; k++) if (k !== y) s += Math.exp(logits[o + k]! - m);
          out[i] = logits[o + y]! - (m + Math.log(s));
        }
      } else {
        for (let i = 0; i < n; i++) {
          const o = i * c;
          const y = labels[i]!;
          let wrong = 0;
          for (let k = 0; k < c; k++) if (k !== y) wrong += probs[o + k]!;
          out[i] = Math.log(probs[o + y]! + 1e-45) - Math.log(wrong + 1e-45);
        }
      }
      return out;
    default:
      throw new MiaError('E_UNKNOWN_NAME', `unknown signal '${String(signal)}'`, {
        expected: SIGNAL_NAMES.join(', '),
      });
  }
}

/** The signal oriented as a membership score: higher = more likely a member. */
export function membershipScore(outputs: ModelOutputs, signal: SignalName): Float64Array {
  const v = computeSignal(outputs, signal);
  if (SIGNAL_DIRECTION[signal] === -1) for (let i = 0; i < v.length; i++) v[i] = -v[i]!;
  return v;
}

/** True where the model's arg-max class equals the label (ties: the first maximal class). */
export function correctlyClassified(outputs: ModelOutputs): Uint8Array {
  const { n, numClasses: c, probs, labels } = outputs;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (probs[i * c + k]! > probs[i * c + best]!) best = k;
    out[i] = best === labels[i] ? 1 : 0;
  }
  return out;
}
