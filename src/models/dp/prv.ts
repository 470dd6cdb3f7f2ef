/**
 * The numerical (PRV) accountant: ε of T steps of the Poisson-subsampled Gaussian from the distribution of
 * the summed privacy loss, composed by FFT (Gopi, Lee & Wutschitz 2021, "Numerical Composition of
 * Differential Privacy"; Opacus's `PRVAccountant` follows the same paper). Tighter than RDP, and an upper
 * bound with its error made explicit:
 *
 * 1. Each step's loss Y (privacy-loss.ts, both directions of add/remove) is clamped to [y_lo, y_hi] and
 *    rounded to the nearest point of a grid of spacing h: Ỹ. The rounding error D = Y' − Ỹ − b (b its
 *    mean, computed exactly) is mean-zero and lies in an interval of width h, so by Hoeffding the sum
 *    satisfies ΣY' ≤ ΣỸ + T·b + t except with probability δ_err, t = h·√(T·ln(1/δ_err)/2).
 * 2. ΣỸ's distribution is the T-fold convolution of Ỹ's, computed exactly (to rounding) by FFT on a
 *    circular window [L, U]; the mass above U (which wraps to the bottom) is bounded by Chernoff with
 *    Ỹ's exact moment generating function: η = min_λ exp(T·log E[e^{λỸ}] − λU). Mass below L wraps to
 *    the top, which only raises δ.
 * 3. δ(ε) = E[(1 − e^{ε−ΣY})₊] is increasing in ΣY, hence
 *    δ(ε) ≤ δ_Ỹ(ε − T·b − t) + δ_err + T·P(Y > y_hi) + η, and the reported ε is the smallest ε at which
 *    this is ≤ δ (max over the two directions). The estimate is δ_Ỹ(ε − T·b) = δ.
 */
import { MiaError } from '../../errors.js';
import { fft } from './fft.js';
import { type DiscreteStep, discretiseStep, type LossDirection, stepLoss } from './privacy-loss.js';

/** How finely the PRV accountant works. */
export interface PrvOptions {
  /** The slack t of step 1 the grid is sized for (Opacus: eps_error = 0.01). */
  epsilonError?: number;
  /** The largest FFT (a power of two); a coarser grid (larger t, reported) beyond it. Default 2²². */
  maxGridSize?: number;
}

/** ε of the PRV accountant and how it was reached. */
export interface PrvEpsilon {
  /** The upper bound on ε at δ (step 3). */
  epsilon: number;
  /** The point estimate (no error terms). */
  estimate: number;
  delta: number;
  /** t of step 1 (the width between estimate and bound comes mostly from it). */
  epsilonError: number;
  /** The direction of adjacency that gave the larger ε. */
  direction: LossDirection;
  gridSize: number;
  meshSize: number;
}

function logMgf(step: DiscreteStep, lambda: number): number {
  let m = -Infinity;
  for (let i = 0; i < step.mass.length; i++)
    if (step.mass[i]! > 0) m = Math.max(m, lambda * (step.kLo + i) * step.h);
  let s = 0;
  for (let i = 0; i < step.mass.length; i++)
    s += step.mass[i]! * Math.exp(lambda * (step.kLo + i) * step.h - m);
  return m + Math.log(s);
}

const LAMBDAS = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];

/** The smallest u with the Chernoff bound P(Σ_T Ỹ ≥ u) ≤ η. */
function chernoffUpper(step: DiscreteStep, steps: number, eta: number): number {
  let best = Infinity;
  for (const l of LAMBDAS) best = Math.min(best, (steps * logMgf(step, l) - Math.log(eta)) / l);
  return best;
}

/** min_λ exp(T·log M(λ) − λu). */
function chernoffMass(step: DiscreteStep, steps: number, u: number): number {
  let best = 0;
  for (const l of LAMBDAS) best = Math.min(best, steps * logMgf(step, l) - l * u);
  return Math.exp(best);
}

function meanAndVariance(step: DiscreteStep): [number, number] {
  let m = 0;
  let m2 = 0;
  for (let i = 0; i < step.mass.length; i++) {
    const y = (step.kLo + i) * step.h;
    m += step.mass[i]! * y;
    m2 += step.mass[i]! * y * y;
  }
  return [m, Math.max(0, m2 - m * m)];
}

/** ε of one direction (see the module header). */
function directionEpsilon(
  q: number,
  sigma: number,
  steps: number,
  delta: number,
  direction: LossDirection,
  o: Required<PrvOptions>,
): Omit<PrvEpsilon, 'direction'> {
  const loss = stepLoss(q, sigma, direction);
  const deltaErr = delta * 1e-3;
  const tailPerStep = (delta * 1e-4) / steps;
  const lowerPerStep = (delta * 1e-6) / steps;
  const spread = Math.sqrt((steps * Math.log(1 / deltaErr)) / 2);
  // the window from a coarse grid: Chernoff above, at least as far below the mean
  const coarse = discretiseStep(loss, Math.max(o.epsilonError / spread, 1e-4), lowerPerStep, tailPerStep);
  const [mean, variance] = meanAndVariance(coarse);
  const upper = chernoffUpper(coarse, steps, delta * 1e-5) + 1;
  const lower = steps * mean - Math.max(upper - steps * mean, 12 * Math.sqrt(steps * variance) + 1);
  let h = o.epsilonError / spread;
  let n = 1;
  while (n < (upper - lower) / h + 1) n *= 2;
  if (n > o.maxGridSize) {
    n = o.maxGridSize;
    h = (upper - lower) / (n - 1);
  }
  const step = discretiseStep(loss, h, lowerPerStep, tailPerStep);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const c = Math.round(meanAndVariance(step)[0] / h); // per-step shift keeps indices small
  for (let i = 0; i < step.mass.length; i++) {
    const idx = (((step.kLo + i - c) % n) + n) % n;
    re[idx] = re[idx]! + step.mass[i]!;
  }
  fft(re, im);
  for (let j = 0; j < n; j++) {
    const r = Math.hypot(re[j]!, im[j]!);
    if (r === 0) continue;
    const mag = Math.exp(steps * Math.log(r));
    const ang = steps * Math.atan2(im[j]!, re[j]!);
    re[j] = mag * Math.cos(ang);
    im[j] = mag * Math.sin(ang);
  }
  fft(re, im, true);
  // position p in the window holds the sum s = sLo + p (in grid units); array index J ≡ s − T·c (mod n)
  const sLo = Math.floor(lower / h);
  const off = ((((sLo - steps * c) % n) + n) % n) as number;
  const p = new Float64Array(n);
  for (let pos = 0; pos < n; pos++) p[pos] = Math.max(0, re[(pos + off) % n]!);
  const eta = chernoffMass(step, steps, (sLo + n) * h);
  const shift = steps * step.bias;
  const t = h * spread;
  const extra = deltaErr + steps * step.upperTail + eta;
  if (!(delta - extra > 0))
    throw new MiaError(
      'E_ARGUMENT',
      'delta is too small for the PRV accountant (its error terms exceed it)',
      {
        found: `delta ${delta}, error terms ${extra.toExponential(2)}`,
      },
    );
  // suffix sums over the window's points above sRef: A_j = Σ_{i≥j} p_i, B_j = Σ_{i≥j} p_i e^{sRef − s_i}
  const sRef = -5;
  const first = Math.max(0, Math.ceil(sRef / h) - sLo);
  const A = new Float64Array(n + 1);
  const B = new Float64Array(n + 1);
  for (let pos = n - 1; pos >= first; pos--) {
    A[pos] = A[pos + 1]! + p[pos]!;
    B[pos] = B[pos + 1]! + p[pos]! * Math.exp(sRef - (sLo + pos) * h);
  }
  /** The smallest x ≥ sRef with δ_Ỹ(x) ≤ target. */
  const solve = (target: number): number => {
    const deltaAt = (pos: number) => A[pos + 1]! - Math.exp((sLo + pos) * h - sRef) * B[pos + 1]!;
    if (first >= n || deltaAt(first) <= target) return sRef;
    if (deltaAt(n - 1) > target) return Infinity;
    let lo = first; // δ(lo) > target
    let hi = n - 1; // δ(hi) ≤ target
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (deltaAt(mid) > target) lo = mid;
      else hi = mid;
    }
    // on (s_lo, s_hi] the suffix is {i ≥ hi}: δ(x) = A_hi − e^{x − sRef} B_hi
    const x = sRef + Math.log((A[hi]! - target) / B[hi]!);
    return Math.min(Math.max(x, (sLo + lo) * h), (sLo + hi) * h);
  };
  const xUp = solve(delta - extra);
  const xEst = solve(delta);
  return {
    epsilon: Math.max(0, xUp + shift + t),
    estimate: Math.max(0, xEst + shift),
    delta,
    epsilonError: t,
    gridSize: n,
    meshSize: h,
  };
}

/**
 * ε at δ of `steps` steps of the Poisson-subsampled Gaussian with sampling rate q and noise multiplier σ
 * under add/remove-one adjacency (see the module header). 0 when q = 0 or steps = 0; ∞ when σ = 0.
 */
export function prvEpsilon(
  q: number,
  sigma: number,
  steps: number,
  delta: number,
  options: PrvOptions = {},
): PrvEpsilon {
  if (!(q >= 0 && q <= 1))
    throw new MiaError('E_ARGUMENT', 'the sample rate q must be in [0, 1]', { found: String(q) });
  if (!(sigma >= 0))
    throw new MiaError('E_ARGUMENT', 'the noise multiplier must be ≥ 0', { found: String(sigma) });
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new MiaError('E_ARGUMENT', 'steps must be an integer ≥ 0', { found: String(steps) });
  if (!(delta > 0 && delta < 1))
    throw new MiaError('E_ARGUMENT', 'delta must be in (0, 1)', { found: String(delta) });
  const o = { epsilonError: options.epsilonError ?? 0.01, maxGridSize: options.maxGridSize ?? 2 ** 22 };
  const trivial = (epsilon: number): PrvEpsilon => ({
    epsilon,
    estimate: epsilon,
    delta,
    epsilonError: 0,
    direction: 'remove',
    gridSize: 0,
    meshSize: 0,
  });
  if (q === 0 || steps === 0) return trivial(0);
  if (sigma === 0) return trivial(Infinity);
  const remove = directionEpsilon(q, sigma, steps, delta, 'remove', o);
  const add = directionEpsilon(q, sigma, steps, delta, 'add', o);
  return remove.epsilon >= add.epsilon ? { ...remove, direction: 'remove' } : { ...add, direction: 'add' };
}
