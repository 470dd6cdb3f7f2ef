import { MiaError } from '../errors.js';
import { betaQuantile } from './beta.js';

/** A confidence interval [low, high] for a binomial proportion. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * Throws E_ARGUMENT unless `confidence` is a number strictly between 0 and 1. `where` names the
 * argument.
 */
export function checkConfidence(confidence: number, where: string): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new MiaError('E_ARGUMENT', 'the confidence level must be strictly between 0 and 1', {
      where,
      expected: 'a number in (0, 1), e.g. 0.95',
      found: String(confidence),
    });
  }
}

function checkCounts(k: number, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new MiaError('E_ARGUMENT', 'the number of trials must be a positive integer', {
      where: 'n',
      expected: 'an integer ≥ 1',
      found: String(n),
    });
  }
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new MiaError('E_ARGUMENT', 'the number of successes must be an integer between 0 and n', {
      where: 'k',
      expected: `an integer in [0, ${n}]`,
      found: String(k),
    });
  }
}

/**
 * One-sided Clopper–Pearson upper bound on a binomial proportion: the p with P(Bin(n, p) ≤ k) = alpha,
 * i.e. the (1 − alpha) quantile of Beta(k + 1, n − k) (scipy.stats.beta.isf(alpha, k+1, n-k)); exactly 1
 * when k = n. `alpha` is the one-sided error probability, passed as the small number itself (e.g. 2.5e-9)
 * so it keeps full precision. With probability ≥ 1 − alpha the true proportion is ≤ the bound.
 */
export function clopperPearsonUpper(k: number, n: number, alpha: number): number {
  checkCounts(k, n);
  checkAlpha(alpha);
  if (k === n) return 1;
  return betaQuantile(alpha, k + 1, n - k, false).x;
}

/**
 * One-sided Clopper–Pearson lower bound: the p with P(Bin(n, p) ≥ k) = alpha, i.e. the alpha quantile of
 * Beta(k, n − k + 1) (scipy.stats.beta.ppf(alpha, k, n-k+1)); exactly 0 when k = 0.
 */
export function clopperPearsonLower(k: number, n: number, alpha: number): number {
  checkCounts(k, n);
  checkAlpha(alpha);
  if (k === 0) return 0;
  return betaQuantile(alpha, k, n - k + 1, true).x;
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) {
    throw new MiaError('E_ARGUMENT', 'the error probability must be strictly between 0 and 1', {
      where: 'alpha',
      expected: 'a number in (0, 1)',
      found: String(alpha),
    });
  }
}

/**
 * Two-sided Clopper–Pearson ("exact") interval for a binomial proportion k/n at the given confidence
 * (Clopper & Pearson 1934): low = Beta((1−c)/2; k, n−k+1) quantile (0 when k = 0), high =
 * Beta((1+c)/2; k+1, n−k) quantile (1 when k = n) — the same numbers as statsmodels'
 * proportion_confint(k, n, 1−c, method='beta') and scipy.stats.beta.ppf, to ~1e-14 relative.
 * Coverage is ≥ c for every true proportion.
 */
export function clopperPearson(k: number, n: number, confidence: number): Interval {
  checkConfidence(confidence, 'confidence');
  const alpha = (1 - confidence) / 2;
  return { low: clopperPearsonLower(k, n, alpha), high: clopperPearsonUpper(k, n, alpha) };
}

// ---------------------------------------------------------------------------------------------------------
// Cheap rigorous lower bounds on the one-sided Clopper–Pearson bounds, for searches over many counts.
//
// They rest on the inequality of Zubkov & Serov (2013, "A complete proof of universal inequalities for the
// distribution function of the binomial law", Theory Probab. Appl. 57(3), 539–544): for S ~ Bin(n, p) and
// 0 ≤ c < n,
//   Φ(sign(c − np)·√(2n·H(c/n, p))) ≤ P(S ≤ c),
// with H(q, p) = q·ln(q/p) + (1 − q)·ln((1 − q)/(1 − p)) = ∫_q^p (t − q)/(t(1 − t)) dt the Bernoulli
// Kullback–Leibler divergence. Every value computed in floating point is shrunk by a relative 1e-10 (or
// 1e-9 after Newton iterations), orders of magnitude above its rounding error, so the results are ≤ the
// computed clopperPearsonUpper / clopperPearsonLower values themselves, not only the true ones.
// ---------------------------------------------------------------------------------------------------------

const LN_SQRT_2PI = 0.9189385332046728; // ½·ln(2π)
const MARGIN = 1 - 1e-10;
const NEWTON_MARGIN = 1 - 1e-9;

/**
 * ln Φ(−z) for z ≥ 0, relative error ~1e-15: for z < 2 as ½ − φ(z)·Σ z^(2j+1)/(2j+1)!! (positive terms),
 * else as φ(z)/K(z) with Laplace's continued fraction K(z) = z + 1/(z + 2/(z + 3/(z + …))), 100 levels.
 */
function logNormalUpperTail(z: number): number {
  const z2 = z * z;
  if (z < 2) {
    let term = z;
    let sum = z;
    for (let j = 1; j < 200; j++) {
      term *= z2 / (2 * j + 1);
      sum += term;
      if (term <= 1e-17 * sum) break;
    }
    return Math.log(0.5 - Math.exp(-0.5 * z2 - LN_SQRT_2PI) * sum);
  }
  let t = z;
  for (let j = 100; j >= 1; j--) t = z + j / t;
  return -0.5 * z2 - LN_SQRT_2PI - Math.log(t);
}

/** Lower and upper bounds on a normal quantile; see {@link normalQuantileBounds}. */
export interface NormalQuantileBounds {
  below: number;
  above: number;
}

/**
 * Numbers below ≤ z_α ≤ above around z_α = Φ⁻¹(1 − α), the standard normal upper-α point, within about
 * 1e-9 relative (below ≥ 0). Bisection on ln Φ(−z) = ln α, then widened by 1e-9·max(1, z) each way,
 * far beyond the ~1e-15 error of ln Φ(−z). Throws RangeError unless 0 < α ≤ ½.
 */
export function normalQuantileBounds(alpha: number): NormalQuantileBounds {
  if (!(alpha > 0 && alpha <= 0.5))
    throw new RangeError(`normalQuantileBounds: alpha must be in (0, 0.5]. Got ${alpha}`);
  const target = Math.log(alpha);
  let lo = 0; // ln Φ(−lo) ≥ target
  let hi = Math.sqrt(-2 * target) + 1; // ln Φ(−z) < −z²/2 there, so below target
  while (hi - lo > 1e-14 * hi) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (logNormalUpperTail(mid) >= target) lo = mid;
    else hi = mid;
  }
  const slack = 1e-9 * Math.max(1, hi);
  return { below: Math.max(0, lo - slack), above: hi + slack };
}

/** H(q, p) for 0 < p < 1, 0 ≤ q ≤ 1, in the log1p form that keeps its relative precision for p near q. */
function bernoulliKl(q: number, p: number): number {
  const d = p - q;
  return (q > 0 ? -q * Math.log1p(d / q) : 0) + (q < 1 ? (1 - q) * Math.log1p(d / (1 - p)) : 0);
}

/**
 * A lower bound on clopperPearsonUpper(k, n, α) for any α ≤ ½ with z ≤ z_α (take
 * normalQuantileBounds(α).below), at the cost of one or two square roots. With q = k/n: the inequality
 * above at p = U > q gives H(q, U) ≥ z_α²/(2n), and H(q, p) ≤ (p − q)²/(2m) for m ≤ min of t(1 − t) on
 * [q, p]; so U ≥ q + z·√(m/n), a Wald-type bound — good for large counts, weak for small ones (0 at k = 0).
 * Returns 1 for k = n. Unchecked: integers 0 ≤ k ≤ n, n ≥ 1, 0 ≤ z ≤ z_α are the caller's job.
 */
export function clopperPearsonUpperBelow(k: number, n: number, z: number): number {
  if (k === n) return 1;
  const q = k / n;
  const v = q * (1 - q);
  let m = v;
  const hat = q + z * Math.sqrt(v / n); // ≥ the result, so [q, result] ⊂ [q, hat]
  if (hat > 0.5) {
    const w = hat * (1 - hat);
    if (w < m) m = w > 0 ? w : 0;
  }
  return (q + z * Math.sqrt(m / n)) * MARGIN;
}

/**
 * A lower bound on clopperPearsonUpper(k, n, α), same conditions as clopperPearsonUpperBelow, within about
 * one count (1/n) of the exact value for z near z_α: the root p > k/n of H(k/n, p) = z²/(2n), by Newton's
 * method (H(q, ·) is convex and increasing on (q, 1), so Newton from above stays above the root; the
 * result is then shrunk and checked). Costs ~10 logarithms. Never below clopperPearsonUpperBelow.
 */
export function clopperPearsonUpperBelowTight(k: number, n: number, z: number): number {
  const start = clopperPearsonUpperBelow(k, n, z);
  const t = (z * z) / (2 * n);
  if (k === n || t === 0) return start;
  if (k === 0) return Math.max(start, -Math.expm1(-t) * NEWTON_MARGIN); // H(0, p) = −ln(1 − p)
  const q = k / n;
  // Start above the root: at q + √(t/2) by Pinsker's H ≥ 2(p − q)², or halfway to 1 until H exceeds t.
  let p = q + Math.sqrt(t / 2);
  if (!(p < 1)) {
    p = q;
    for (let i = 0; i < 64 && !(bernoulliKl(q, p) > t); i++) p = 0.5 * (p + 1);
    if (!(p < 1)) return start;
  }
  for (let i = 0; i < 60; i++) {
    const step = ((bernoulliKl(q, p) - t) * p * (1 - p)) / (p - q);
    if (!(step >= 0)) break;
    p -= step;
    if (step <= 1e-13 * p) break;
  }
  p *= NEWTON_MARGIN;
  return p > start && bernoulliKl(q, p) <= t ? p : start;
}

/**
 * A lower bound (≥ 0) on clopperPearsonLower(k, n, α) for any α ≤ ½ with z ≥ z_α (take
 * normalQuantileBounds(α).above), at the cost of one square root. With q = (k − 1)/n: the inequality above
 * at c = k − 1 and p = L (P(S ≤ k − 1) = 1 − α there) gives H(q, L) ≤ z_α²/(2n) when L < q, and H(q, p) ≥
 * (q − p)²/(2M) for M ≥ max of t(1 − t) on [p, q]; so L ≥ q − z·√(M/n) (trivially also when L ≥ q).
 * 0 for k ≤ 1. Unchecked: integers 0 ≤ k ≤ n, n ≥ 1, z ≥ z_α ≥ 0 are the caller's job.
 */
export function clopperPearsonLowerBelow(k: number, n: number, z: number): number {
  if (k <= 1) return 0;
  const q = (k - 1) / n;
  const m = q <= 0.5 ? q * (1 - q) : 0.25;
  const p = (q - z * Math.sqrt(m / n)) * MARGIN;
  return p > 0 ? p : 0;
}

/**
 * A lower bound on clopperPearsonLower(k, n, α), same conditions as clopperPearsonLowerBelow, within about
 * one count of the exact value for z near z_α: the root p < q = (k − 1)/n of H(q, p) = z²/(2n), by
 * Newton's method from below (H(q, ·) is convex and decreasing on (0, q), so the iterates stay below the
 * root; the result is then shrunk and checked). Costs ~10 logarithms. Never below clopperPearsonLowerBelow.
 */
export function clopperPearsonLowerBelowTight(k: number, n: number, z: number): number {
  const start = clopperPearsonLowerBelow(k, n, z);
  if (k <= 1) return start;
  const t = (z * z) / (2 * n);
  const q = (k - 1) / n;
  // Also below the root: q·e^(−1 − t/q), since H(q, p) ≥ q·ln(q/p) − q.
  let p = Math.max(start, q * Math.exp(-1 - t / q));
  if (!(p > 0 && p < q)) return start;
  for (let i = 0; i < 60; i++) {
    const step = ((bernoulliKl(q, p) - t) * p * (1 - p)) / (q - p);
    if (!(step >= 0)) break;
    p += step;
    if (step <= 1e-13 * p) break;
  }
  p *= NEWTON_MARGIN;
  return p > start && bernoulliKl(q, p) >= t ? p : start;
}
