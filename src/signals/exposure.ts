/**
 * Output exposures: what a model's API returns to the caller, as a transformation of the full
 * probabilities it computed. The audit queries the models once and derives every exposure from those
 * outputs (audit.exposure), so the attacks on each exposure see exactly what an API returning it leaks.
 *
 * - `probs`: the full probability vector (and the logits, when the model gave them) — no change.
 * - `top-k` (k ≥ 1): the k largest probabilities are kept; the remaining mass 1 − Σ top-k is spread
 *   uniformly over the other C − k classes (so rows still sum to 1 and every signal stays finite). This
 *   is the "spread uniformly" convention: an attacker who gets only the top k and fills the rest
 *   with the least informative guess. Ties in the ranking keep the lower class index.
 * - `round-d` (d ≥ 0): every probability rounded to d decimals (Math.round of p·10^d, halves up), as
 *   an API that prints them; rows may then sum to slightly more or less than 1, and a probability that
 *   rounds to 0 gives the loss −ln(1e-300) (the clip of crossEntropyFromProbs).
 * - `label`: only the predicted label (argmax; lowest index on ties): a label-only output (one-hot
 *   probs, ModelOutputs.labelOnly), on which only the label-only attacks run.
 */
import { MiaError } from '../errors.js';
import { crossEntropyFromProbs, type ModelOutputs } from './model-outputs.js';

export type Exposure =
  | { kind: 'probs' }
  | { kind: 'top'; k: number }
  | { kind: 'round'; decimals: number }
  | { kind: 'label' };

/** The exposures of the sweep, in order: the default list of docs/exposure.md. */
export const EXPOSURE_EXAMPLE = ['probs', 'top-3', 'top-1', 'round-2', 'label'] as const;

/** "probs", "top-3", "round-2", "label": the name an exposure is written as (config, results). */
export function exposureName(e: Exposure): string {
  switch (e.kind) {
    case 'probs':
      return 'probs';
    case 'top':
      return `top-${e.k}`;
    case 'round':
      return `round-${e.decimals}`;
    case 'label':
      return 'label';
  }
}

/**
 * Parses "probs", "top-K" (K an integer ≥ 1), "round-D" (D an integer in [0, 15]) or "label". Throws
 * E_CONFIG naming `where` otherwise.
 */
export function parseExposure(name: string, where: string): Exposure {
  if (name === 'probs') return { kind: 'probs' };
  if (name === 'label') return { kind: 'label' };
  const m = /^(top|round)-(\d+)$/.exec(name);
  if (m !== null) {
    const v = Number(m[2]);
    if (m[1] === 'top' && v >= 1) return { kind: 'top', k: v };
    if (m[1] === 'round' && v <= 15) return { kind: 'round', decimals: v };
  }
  throw new MiaError('E_CONFIG', `'${name}' is not an output exposure`, {
    where,
    expected: 'probs, top-K (K ≥ 1), round-D (D in 0..15) or label',
    found: name,
  });
}

/** Argmax of each row of an n × c matrix; the lowest index wins ties. */
export function argmaxRows(p: Float64Array | Float32Array, n: number, c: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let best = 0;
    for (let k = 1; k < c; k++) if (p[o + k]! > p[o + best]!) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * The outputs an API returning exposure `e` gives (see the file header). `probs` returns `o` itself;
 * the others return new outputs without logits (top-k with k ≥ C is the full vector). The predicted
 * label (ModelOutputs.predicted) is the argmax of what the exposure shows, or `o.predicted` when given.
 */
export function exposeOutputs(o: ModelOutputs, e: Exposure): ModelOutputs {
  if (e.kind === 'probs') return o;
  const { n, numClasses: c, labels } = o;
  const predicted = o.predicted ?? argmaxRows(o.probs, n, c);
  const probs = new Float64Array(n * c);
  if (e.kind === 'label') {
    for (let i = 0; i < n; i++) probs[i * c + predicted[i]!] = 1;
    const loss = crossEntropyFromProbs(probs, n, c, labels);
    return { n, numClasses: c, logits: undefined, probs, loss, labels, predicted, labelOnly: true };
  }
  if (o.labelOnly === true) return o;
  if (e.kind === 'round') {
    const f = 10 ** e.decimals;
    for (let i = 0; i < n * c; i++) probs[i] = Math.round(o.probs[i]! * f) / f;
    const loss = crossEntropyFromProbs(probs, n, c, labels);
    return { n, numClasses: c, logits: undefined, probs, loss, labels, predicted: argmaxRows(probs, n, c) };
  }
  const k = Math.min(e.k, c);
  const order = new Int32Array(c);
  for (let i = 0; i < n; i++) {
    const row = o.probs.subarray(i * c, (i + 1) * c);
    for (let j = 0; j < c; j++) order[j] = j;
    order.sort((a, b) => row[b]! - row[a]! || a - b);
    let kept = 0;
    for (let j = 0; j < k; j++) kept += row[order[j]!]!;
    const rest = c > k ? Math.max(0, 1 - kept) / (c - k) : 0;
    for (let j = 0; j < c; j++) probs[i * c + j] = rest;
    for (let j = 0; j < k; j++) probs[i * c + order[j]!] = row[order[j]!]!;
  }
  const loss = crossEntropyFromProbs(probs, n, c, labels);
  return { n, numClasses: c, logits: undefined, probs, loss, labels, predicted };
}
