/**
 * The privacy loss random variable (PRV) of one step of the Poisson-subsampled Gaussian mechanism, in the
 * two directions of add/remove-one adjacency (Gopi, Lee & Wutschitz 2021; Koskela et al. 2020), and its
 * discretisation on a grid of spacing h, which the numerical accountant (prv.ts) composes.
 *
 * With μ₀ = N(0, σ²) and μ₁ = (1 − q)N(0, σ²) + qN(1, σ²) and ℓ(x) = log(1 − q + q·e^{(2x−1)/(2σ²)}):
 * - remove: Y = ℓ(x), x ∼ μ₁ (the loss of μ₁ against μ₀; bounded below by log(1 − q));
 * - add: Y = −ℓ(x), x ∼ μ₀ (the loss of μ₀ against μ₁; bounded above by −log(1 − q)).
 * In both, δ(ε) = E[(1 − e^{ε−Y})₊] for one step, and for T steps with Y the sum of T independent copies.
 */
import { logNormalCdf } from '../../core/normal-cdf.js';

export type LossDirection = 'remove' | 'add';

const Phi = (z: number) => Math.exp(logNormalCdf(z));
const PhiC = (z: number) => Math.exp(logNormalCdf(-z));

/** One step's loss distribution: P(Y ≤ y) and P(Y > y), each computed directly (no 1 − the other). */
export interface StepLoss {
  cdf(y: number): number;
  sf(y: number): number;
  /** The loss's support: [lower, upper] (±∞ when unbounded). */
  lower: number;
  upper: number;
}

/** The x at which ℓ(x) = y: σ²·log((e^y − (1 − q))/q) + ½; −∞ when y ≤ log(1 − q). */
function inverseLoss(q: number, sigma: number, y: number): number {
  const inner = Math.expm1(y) + q; // e^y − (1 − q), without cancellation near y = log(1 − q)
  if (inner <= 0) return -Infinity;
  return sigma * sigma * (Math.log(inner) - Math.log(q)) + 0.5;
}

/** The loss distribution of one step in `direction` (0 < q ≤ 1, σ > 0). */
export function stepLoss(q: number, sigma: number, direction: LossDirection): StepLoss {
  const bound = q === 1 ? Infinity : -Math.log1p(-q);
  if (direction === 'remove') {
    return {
      lower: -bound,
      upper: Infinity,
      cdf(y) {
        const x = inverseLoss(q, sigma, y);
        if (x === -Infinity) return 0;
        return (1 - q) * Phi(x / sigma) + q * Phi((x - 1) / sigma);
      },
      sf(y) {
        const x = inverseLoss(q, sigma, y);
        if (x === -Infinity) return 1;
        return (1 - q) * PhiC(x / sigma) + q * PhiC((x - 1) / sigma);
      },
    };
  }
  // add: Y ≤ y ⇔ ℓ(x) ≥ −y ⇔ x ≥ inverseLoss(−y), x ∼ N(0, σ²)
  return {
    lower: -Infinity,
    upper: bound,
    cdf(y) {
      const x = inverseLoss(q, sigma, -y);
      return x === -Infinity ? 1 : PhiC(x / sigma);
    },
    sf(y) {
      const x = inverseLoss(q, sigma, -y);
      return x === -Infinity ? 0 : Phi(x / sigma);
    },
  };
}

/**
 * The smallest y (to ~1e-12 relative) with `tail(y)` ≤ p, for a decreasing `tail` (sf), searching
 * upwards from `from`; or the largest y with `tail(y)` ≤ p for an increasing one (cdf), searching down.
 */
export function tailPoint(tail: (y: number) => number, p: number, from: number, up: boolean): number {
  let step = 1e-3;
  let inside = from;
  let outside = up ? from + step : from - step;
  while (tail(outside) > p) {
    inside = outside;
    step *= 2;
    outside = up ? from + step : from - step;
  }
  for (let i = 0; i < 200 && Math.abs(outside - inside) > 1e-12 * Math.max(1, Math.abs(outside)); i++) {
    const mid = (inside + outside) / 2;
    if (tail(mid) > p) inside = mid;
    else outside = mid;
  }
  return outside;
}

/** One step's loss on the grid y_k = k·h, k = kLo … kLo + mass.length − 1. */
export interface DiscreteStep {
  h: number;
  kLo: number;
  /** P(Ỹ = y_k): the loss clamped to [y_kLo, y_kHi] and rounded to the nearest grid point. */
  mass: Float64Array;
  /** E[Y'] − E[Ỹ] for the clamped Y' (|bias| ≤ h/2): the sum's shift, T·bias. */
  bias: number;
  /** P(Y > y_kHi): the mass the clamp moved down (each step), paid for in δ. */
  upperTail: number;
}

/**
 * Discretises `loss` on the grid of spacing h between the points where its lower tail is below
 * `lowerMass` and its upper tail below `upperMass` (or its support's ends). The lower clamp only moves
 * mass up (pessimistic, free); the upper clamp's mass is reported in `upperTail`. E[Y'] is
 * y_lo + ∫ P(Y' > y) dy by Simpson's rule on half-bins, so `bias` is exact to ~1e-15 per step.
 */
export function discretiseStep(
  loss: StepLoss,
  h: number,
  lowerMass: number,
  upperMass: number,
): DiscreteStep {
  const yLo = Number.isFinite(loss.lower) ? loss.lower : tailPoint((y) => loss.cdf(y), lowerMass, 0, false);
  const yHi = Number.isFinite(loss.upper) ? loss.upper : tailPoint((y) => loss.sf(y), upperMass, 0, true);
  // a finite end of the support is covered whole (no clamp there); an infinite one is cut at its tail point
  const kLo = Number.isFinite(loss.lower) ? Math.floor(yLo / h) : Math.round(yLo / h);
  const kHi = Math.max(kLo, Number.isFinite(loss.upper) ? Math.ceil(yHi / h) : Math.round(yHi / h));
  const n = kHi - kLo + 1;
  const mass = new Float64Array(n);
  // bin k holds (y_k − h/2, y_k + h/2]; the first takes everything below, the last everything above
  let prevCdf = 0;
  let prevSf = 1;
  let meanGrid = 0;
  for (let i = 0; i < n; i++) {
    const edge = (kLo + i + 0.5) * h;
    const c = i === n - 1 ? 1 : loss.cdf(edge);
    const s = i === n - 1 ? 0 : loss.sf(edge);
    // differences of whichever side is small, so tiny masses keep their digits
    const m = c < 0.5 ? c - prevCdf : prevSf - s;
    mass[i] = Math.max(0, m);
    prevCdf = c;
    prevSf = s;
    meanGrid += mass[i]! * (kLo + i) * h;
  }
  // E[Y'] for Y' = clamp(Y, y_lo, y_hi) with y_lo, y_hi the first and last grid points
  const lo = kLo * h;
  let integral = 0;
  for (let i = 0; i < n - 1; i++) {
    const a = (kLo + i) * h;
    const b = a + h;
    integral += (h / 6) * (loss.sf(a) + 4 * loss.sf(a + h / 2) + loss.sf(b));
  }
  const upperTail = loss.sf(kHi * h);
  return { h, kLo, mass, bias: lo + integral - meanGrid, upperTail };
}
