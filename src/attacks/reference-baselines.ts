/**
 * The two baselines of Ye, Maddi, Murakonda, Bindschaedler & Shokri, "Enhanced Membership Inference
 * Attacks against Machine Learning Models" (CCS 2022), as scores over the reference-model Population:
 *
 *   attack-r (reference models): compares the target's loss on x with the losses on x of the reference
 *     models that did NOT train on x — x looks like a member when the target's loss is lower than most
 *     of theirs. score(x) = ( |{m ∈ OUT(x) : ℓ_m(x) > ℓ_θ(x)}| + ½ |{m ∈ OUT(x) : ℓ_m(x) = ℓ_θ(x)}| ) / |OUT(x)|,
 *     the mid-rank fraction of OUT reference losses above the target's (the per-sample percentile
 *     threshold of the paper, read as a score in [0, 1]).
 *   attack-p (population): compares the target's loss on x with the target's own losses on population
 *     samples z that no model trained on. score(x) = ( |{z : ℓ_θ(z) > ℓ_θ(x)}| + ½ |{z : ℓ_θ(z) = ℓ_θ(x)}| ) / Z.
 *     Its ranking equals the global loss threshold's; what it adds is a threshold calibrated on
 *     non-members (score > 1 − α ⇔ loss below the α-quantile of the population losses).
 *
 * The signal is the scaled logit φ of the true class (LiRA's signal, as in reference.npz), averaged over
 * the A queries. The cross-entropy loss ℓ = −log p = log(1 + e^{−φ}) is strictly decreasing in φ, so
 * "ℓ_m(x) > ℓ_θ(x)" is evaluated exactly as "φ_m(x) < φ_θ(x)" (no rounding from computing ℓ). For a
 * signal where higher = less member-like (a loss), negate it first. Higher score = member.
 */
import { MiaError } from '../errors.js';
import {
  checkSignalLength,
  type FloatArray,
  meanOverQueries,
  type Population,
  type ReferenceView,
} from './population.js';
import type { ReferenceAttack } from './reference-attack.js';

export const REFERENCE_BASELINES = ['attack-r', 'attack-p'] as const;

/**
 * Attack-R scores (see the file header): Float64Array [N] in [0, 1]. One pass over the reference rows.
 * `target` is the target's signal [N, A]. Throws E_EMPTY naming the first sample with no OUT reference
 * model, E_SHAPE_MISMATCH for a target of the wrong length.
 */
export function attackRScores(refs: ReferenceView, target: FloatArray): Float64Array {
  const pop = refs.pop;
  const n = pop.samples;
  const q = pop.queries;
  checkSignalLength(target, n * q, 'target', `[${n}, ${q}]`);
  const t = meanOverQueries(target, n, q);
  const above = new Float64Array(n);
  const count = new Int32Array(n);
  for (const m of refs.rows) {
    const kOff = m * n;
    const sOff = m * n * q;
    for (let i = 0; i < n; i++) {
      if (pop.keep[kOff + i] === 1) continue;
      let r: number;
      if (q === 1) r = pop.signal[sOff + i]!;
      else {
        r = 0;
        for (let a = 0; a < q; a++) r += pop.signal[sOff + i * q + a]!;
        r /= q;
      }
      const ti = t[i]!;
      if (r < ti) above[i]! += 1;
      else if (r === ti) above[i]! += 0.5;
      count[i]!++;
    }
  }
  for (let i = 0; i < n; i++) {
    if (count[i] === 0) {
      throw new MiaError(
        'E_EMPTY',
        `sample ${i} has no OUT reference model (every reference trained on it)`,
        {
          where: 'attack-r',
          expected: 'at least one OUT reference model per sample',
        },
      );
    }
    above[i]! /= count[i]!;
  }
  return above;
}

/**
 * Attack-P scores (see the file header): Float64Array [N] in [0, 1]; `target` [N, A] and `targetPop`
 * [Z, Ap] are the target model's signals on the audit and population samples (shapes from `pop`).
 * Sorts the Z population values once, then two binary searches per sample: O((N + Z) log Z).
 */
export function attackPScores(
  pop: Population,
  target: FloatArray,
  targetPop: FloatArray | undefined,
): Float64Array {
  const n = pop.samples;
  const zn = pop.popSamples;
  if (targetPop === undefined || zn === 0) {
    throw new MiaError(
      'E_MISSING_FIELD',
      'attack-p needs the target model on population samples (pop_target_scores)',
      {
        where: 'attack-p',
      },
    );
  }
  checkSignalLength(target, n * pop.queries, 'target', `[${n}, ${pop.queries}]`);
  checkSignalLength(targetPop, zn * pop.popQueries, 'pop_target', `[${zn}, ${pop.popQueries}]`);
  const t = meanOverQueries(target, n, pop.queries);
  const z = meanOverQueries(targetPop, zn, pop.popQueries).sort();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = t[i]!;
    const below = lowerBound(z, v); // z < v: population loss above the target's
    const upTo = upperBound(z, v, below); // z <= v
    out[i] = (below + 0.5 * (upTo - below)) / zn;
  }
  return out;
}

/** First index k with s[k] >= v. */
function lowerBound(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index k ≥ from with s[k] > v. */
function upperBound(s: Float64Array, v: number, from: number): number {
  let lo = from;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The attack-r and attack-p registry entries (REFERENCE_BASELINES order). */
export const BASELINE_REFERENCE_ATTACKS: readonly ReferenceAttack[] = [
  {
    name: 'attack-r',
    description: "Attack-R: the target's loss against the OUT reference models' losses per sample",
    needs: { references: 'in-and-out', population: false, outputs: false, tuning: false },
    run: (job) => ({ scores: attackRScores(job.references(), job.target) }),
  },
  {
    name: 'attack-p',
    description: "Attack-P: the target's loss against its own losses on population samples",
    needs: { references: 'none', population: true, outputs: false, tuning: false },
    run: (job) => ({ scores: attackPScores(job.population, job.target, job.targetPop) }),
  },
];
