/**
 * The standard normal CDF in log space, log Φ (scipy.special.log_ndtr), accurate in the tails where the
 * plain formula underflows. Used by LiRA's Gaussian scores (attacks/) and the DP accountants (models/dp/).
 */
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) for |x| < 2 from erf(x) = (2/√π) e^{−x²} Σ_{n≥0} 2ⁿ x^{2n+1} / (1·3·…·(2n+1)), a series of
 * same-sign terms (no cancellation); relative error ~1e-16.
 */
function erfSmall(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * g(x) = √π · e^{x²} · erfc(x) for x ≥ 2 from Laplace's continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), modified Lentz; ≤ 60 terms at x = 2.
 */
function erfcScaledLarge(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = f;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}

/**
 * log Φ(z), the log of the standard normal CDF (scipy.special.log_ndtr), accurate to ~1e-14 relative
 * over the whole real line: no underflow for very negative z (log Φ(−40) ≈ −804.6) and distinct values
 * −Φ(−z) for large positive z until Φ(−z) underflows (z ≳ 38, where the result is 0). NaN → NaN.
 */
export function logNormalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const x = -z / Math.SQRT2; // Φ(z) = ½ erfc(x); x² is computed as z²/2 (one rounding fewer)
  if (x >= 2) {
    if (x === Infinity) return -Infinity;
    return Math.log(erfcScaledLarge(x)) - (z * z) / 2 - LOG_SQRT_PI - Math.LN2;
  }
  if (x > -2) return Math.log(0.5 * (1 - erfSmall(x)));
  if (x === -Infinity) return 0;
  // Φ(z) = 1 − ½ erfc(−x) with erfc(−x) tiny.
  const tail = 0.5 * Math.exp(-(z * z) / 2 - LOG_SQRT_PI) * erfcScaledLarge(-x);
  return Math.log1p(-tail);
}
