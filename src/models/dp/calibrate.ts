/**
 * σ from a privacy budget: the smallest noise multiplier (to a tolerance in ε) whose accountant ε after
 * `steps` steps at sampling rate q is at most the target ε at δ. The search is Opacus's
 * `get_noise_multiplier` (opacus/accountants/utils.py): double σ from 10 until ε ≤ target, then bisect
 * until target − ε ≤ tolerance, returning the upper end (its ε never exceeds the target).
 */
import { MiaError } from '../../errors.js';
import { computeRdp, DEFAULT_RDP_ORDERS, rdpToEpsilon } from './rdp.js';

/** What `noiseForEpsilon` needs; the accountant defaults to RDP. */
export interface NoiseTarget {
  targetEpsilon: number;
  sampleRate: number;
  steps: number;
  delta: number;
  /** ε of a candidate σ; the RDP accountant at Opacus's orders when absent. */
  epsilonOf?: (sigma: number) => number;
  /** Stop when target − ε(σ) ≤ this (Opacus: 0.01). */
  epsilonTolerance?: number;
}

/** The calibrated σ and the ε it reaches (≤ the target, within the tolerance). */
export interface NoiseCalibration {
  noiseMultiplier: number;
  epsilon: number;
}

/** ε of the RDP accountant (Opacus's orders) for σ, q, steps, δ. */
export function rdpEpsilon(q: number, sigma: number, steps: number, delta: number): number {
  return rdpToEpsilon(DEFAULT_RDP_ORDERS, computeRdp(q, sigma, steps), delta).epsilon;
}

const MAX_SIGMA = 1e6;

/** See the module header. Throws E_ARGUMENT when no σ ≤ 10⁶ reaches the target ("budget too low"). */
export function noiseForEpsilon(t: NoiseTarget): NoiseCalibration {
  if (!(t.targetEpsilon > 0 && Number.isFinite(t.targetEpsilon)))
    throw new MiaError('E_ARGUMENT', 'the target epsilon must be a finite number > 0', {
      found: String(t.targetEpsilon),
    });
  const tol = t.epsilonTolerance ?? 0.01;
  const eps = t.epsilonOf ?? ((s: number) => rdpEpsilon(t.sampleRate, s, t.steps, t.delta));
  let lo = 0;
  let hi = 10;
  let epsHi = Infinity;
  while (epsHi > t.targetEpsilon) {
    hi *= 2;
    if (hi > MAX_SIGMA)
      throw new MiaError(
        'E_ARGUMENT',
        `the privacy budget is too low: no noise multiplier up to ${MAX_SIGMA} reaches epsilon ${t.targetEpsilon}`,
        { found: `sample rate ${t.sampleRate}, ${t.steps} steps, delta ${t.delta}` },
      );
    epsHi = eps(hi);
  }
  while (t.targetEpsilon - epsHi > tol) {
    const mid = (lo + hi) / 2;
    const e = eps(mid);
    if (e < t.targetEpsilon) {
      hi = mid;
      epsHi = e;
    } else lo = mid;
  }
  return { noiseMultiplier: hi, epsilon: epsHi };
}
