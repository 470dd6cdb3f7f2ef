/**
 * The RDP accountant of DP-SGD: Rényi differential privacy of the Poisson-subsampled Gaussian mechanism
 * (Mironov 2017; Mironov, Talwar & Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian
 * Mechanism", §3.3), composed over steps, and its conversion to (ε, δ) by Balle et al. 2020 (Theorem 21
 * of arXiv:1905.09982). The same algorithm, orders and conversion as Opacus's `RDPAccountant`
 * (opacus/accountants/analysis/rdp.py) and TF Privacy's rdp_accountant, so the numbers agree with theirs.
 */
import { logNormalCdf } from '../../core/normal-cdf.js';
import { MiaError } from '../../errors.js';

/** Opacus's default RDP orders: 1.1, 1.2, …, 10.9, then 12, 13, …, 63 (151 orders). */
export const DEFAULT_RDP_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 52 }, (_, i) => 12 + i),
]);

/** log(e^a + e^b), exact for −∞ arguments. */
function logAdd(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo === -Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

/** log(e^a − e^b) for a ≥ b (−∞ when equal; a when e^{a−b} overflows, as Opacus's `_log_sub`). */
function logSub(a: number, b: number): number {
  if (a < b) throw new MiaError('E_ARGUMENT', 'RDP series: a negative partial sum (numerical failure)');
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  const d = Math.expm1(a - b);
  return d === Infinity ? a : Math.log(d) + b;
}

/** log erfc(x) = log 2 + log Φ(−x√2). */
function logErfc(x: number): number {
  return Math.LN2 + logNormalCdf(-x * Math.SQRT2);
}

/** log C(n, k) for integers 0 ≤ k ≤ n. */
function logBinomInt(n: number, k: number): number {
  let s = 0;
  const m = Math.min(k, n - k);
  for (let i = 1; i <= m; i++) s += Math.log((n - m + i) / i);
  return s;
}

/** log A_α for integer α: log Σ_{i=0}^{α} C(α,i) q^i (1−q)^{α−i} exp((i² − i)/(2σ²)). */
function logAInt(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  for (let i = 0; i <= alpha; i++) {
    const s = logBinomInt(alpha, i) + i * lq + (alpha - i) * l1q + (i * i - i) / (2 * sigma * sigma);
    logA = logAdd(logA, s);
  }
  return logA;
}

/**
 * log A_α for fractional α: the two integrals over (−∞, z₀] and [z₀, ∞) as series in the generalised
 * binomial coefficients C(α, i), summed until both terms fall below e^{−30} (Opacus's stopping rule).
 */
function logAFrac(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  const s2 = 2 * sigma * sigma;
  // C(α, i) by the recurrence C(α, i) = C(α, i−1)·(α − i + 1)/i, in log |·| with its sign.
  let logCoef = 0;
  let sign = 1;
  for (let i = 0; ; i++) {
    if (i > 0) {
      const f = (alpha - i + 1) / i;
      logCoef += Math.log(Math.abs(f));
      if (f < 0) sign = -sign;
    }
    const j = alpha - i;
    const logT0 = logCoef + i * lq + j * l1q;
    const logT1 = logCoef + j * lq + i * l1q;
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / s2 + logE0;
    const logS1 = logT1 + (j * j - j) / s2 + logE1;
    if (sign > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30 || i > 100_000) break;
  }
  return logAdd(logA0, logA1);
}

/**
 * log A_α = log E_{x∼μ₀}[(μ(x)/μ₀(x))^α] for the mixture μ = (1−q)N(0,σ²) + qN(1,σ²) against
 * μ₀ = N(0,σ²), 0 < q < 1, σ > 0, α > 1 (Mironov et al. 2019, §3.3). RDP at order α is log A_α/(α−1).
 */
export function logA(q: number, sigma: number, alpha: number): number {
  return Number.isInteger(alpha) ? logAInt(q, sigma, alpha) : logAFrac(q, sigma, alpha);
}

function checkMechanism(q: number, sigma: number, steps: number): void {
  if (!(q >= 0 && q <= 1))
    throw new MiaError('E_ARGUMENT', 'the sample rate q must be in [0, 1]', { found: String(q) });
  if (!(sigma >= 0))
    throw new MiaError('E_ARGUMENT', 'the noise multiplier must be ≥ 0', { found: String(sigma) });
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new MiaError('E_ARGUMENT', 'steps must be an integer ≥ 0', { found: String(steps) });
}

/**
 * RDP of one step of the Poisson-subsampled Gaussian mechanism at order α (in nats): 0 when q = 0,
 * ∞ when σ = 0, α/(2σ²) when q = 1, log A_α/(α − 1) otherwise (Opacus's `_compute_rdp`).
 */
export function rdpOneStep(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (alpha === Infinity) return Infinity;
  return logA(q, sigma, alpha) / (alpha - 1);
}

/**
 * The RDP curve of `steps` compositions of the Poisson-subsampled Gaussian with sampling rate `q` and
 * noise multiplier `sigma` (noise std / L2 sensitivity), at each of `orders` (each > 1): `steps` times the
 * one-step RDP (Opacus's `compute_rdp`).
 */
export function computeRdp(
  q: number,
  sigma: number,
  steps: number,
  orders: readonly number[] = DEFAULT_RDP_ORDERS,
): Float64Array {
  checkMechanism(q, sigma, steps);
  const out = new Float64Array(orders.length);
  for (let k = 0; k < orders.length; k++) {
    const a = orders[k]!;
    if (!(a > 1)) throw new MiaError('E_ARGUMENT', 'every RDP order must be > 1', { found: String(a) });
    out[k] = steps === 0 ? 0 : rdpOneStep(q, sigma, a) * steps;
  }
  return out;
}

/** ε at δ from an RDP curve, and the order that attains it. */
export interface RdpEpsilon {
  /** The smallest ε over the orders (∞ when every order gives ∞ or NaN). */
  epsilon: number;
  /** The order at which it is attained (NaN when ε is ∞). */
  order: number;
  /** True when that order is the first or last of the list: a wider range of orders may give a smaller ε. */
  atEdge: boolean;
}

/**
 * ε(δ) = min_α [ rdp(α) − (log δ + log α)/(α − 1) + log((α − 1)/α) ] (Balle et al. 2020, Thm 21; Opacus's
 * `get_privacy_spent`); NaN entries are skipped, ties go to the first order. 0 < δ < 1.
 */
export function rdpToEpsilon(orders: readonly number[], rdp: ArrayLike<number>, delta: number): RdpEpsilon {
  if (orders.length !== rdp.length)
    throw new MiaError('E_ARGUMENT', 'orders and rdp have different lengths', {
      expected: String(orders.length),
      found: String(rdp.length),
    });
  if (!(delta > 0 && delta < 1))
    throw new MiaError('E_ARGUMENT', 'delta must be in (0, 1)', { found: String(delta) });
  let best = Infinity;
  let at = -1;
  const logDelta = Math.log(delta);
  for (let k = 0; k < orders.length; k++) {
    const a = orders[k]!;
    const eps = rdp[k]! - (logDelta + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
    if (Number.isNaN(eps)) continue;
    if (at < 0 || eps < best) {
      best = eps;
      at = k;
    }
  }
  if (at < 0 || best === Infinity) return { epsilon: Infinity, order: Number.NaN, atEdge: false };
  return { epsilon: best, order: orders[at]!, atEdge: at === 0 || at === orders.length - 1 };
}
