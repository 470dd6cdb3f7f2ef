/**
 * The regularized incomplete beta function I_x(a, b) and its inverse, to near double precision for the
 * parameter sizes audits meet (a, b up to 10^8, tail probabilities down to 10^-300).
 *
 * Method:
 * - I_x(a, b) by the continued fraction of Numerical Recipes (3rd ed., §6.4, `betacf`, modified Lentz),
 *   evaluated on whichever side converges (x < (a+1)/(a+b+2) for I_x(a,b), else I_{1−x}(b,a)); the other
 *   tail is 1 minus it. The smaller tail is therefore always computed directly, never as 1 − (≈1).
 * - The prefactor x^a (1−x)^b / B(a,b) is formed in logarithms without cancellation: for a, b ≥ 10 by
 *   Stirling's series around x0 = a/(a+b), as in DiDonato & Morris (1992, TOMS 708, `brcomp`):
 *   a·ln(x/x0) + b·ln(y/y0) = −a·rlog1(e1) − b·rlog1(e2) with rlog1(e) = e − ln(1+e); otherwise from
 *   ln Γ differences written so that large terms cancel analytically.
 * - The inverse by safeguarded Newton iteration on the logarithm of the smaller tail, started from the
 *   Numerical Recipes `invbetai` initial guess, with a bracketing bisection fallback; it solves for the
 *   smaller of x and 1 − x so both are returned to full relative precision.
 */

const LN_SQRT_2PI = 0.9189385332046728; // ½·ln(2π)

/** μ(z) = ln Γ(z) − [(z − ½)·ln z − z + ½·ln 2π], Stirling's series; error < 1e-16 for z ≥ 10. */
function stirlingCorrection(z: number): number {
  const r = 1 / z;
  const r2 = r * r;
  return (
    r *
    (1 / 12 +
      r2 *
        (-1 / 360 +
          r2 *
            (1 / 1260 +
              r2 *
                (-1 / 1680 +
                  r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156 + r2 * (-3617 / 122400))))))))
  );
}

/** ln Γ(x) for x > 0 (Stirling's series for x ≥ 10, upward recurrence below); absolute error ≈ 1e-15. */
export function logGamma(x: number): number {
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
  let prod = 1;
  let z = x;
  while (z < 10) {
    prod *= z;
    z += 1;
  }
  return logGamma(z) - Math.log(prod);
}

/** e − ln(1 + e) where 1 + e = v / v0, accurate also for small |e| and for v ≪ v0. */
function rlog1(e: number, v: number, v0: number): number {
  if (Math.abs(e) < 0.1) {
    // e − ln(1+e) = e²/2 − e³/3 + e⁴/4 − …
    let term = e * e;
    let sum = term / 2;
    for (let k = 3; k < 60; k++) {
      term *= -e;
      const t = term / k;
      sum += t;
      if (Math.abs(t) <= 1e-17 * sum) break;
    }
    return sum;
  }
  if (e < -0.5) return e - (Math.log(v) - Math.log(v0));
  return e - Math.log1p(e);
}

/**
 * ln[x^a · y^b / B(a, b)] with y = 1 − x given separately (so that whichever of x, y is small keeps full
 * relative precision).
 */
export function logBetaPrefactor(a: number, b: number, x: number, y: number): number {
  if (a >= 10 && b >= 10) {
    const s = a + b;
    const x0 = a / s;
    const y0 = b / s;
    const d = x <= y ? x - x0 : y0 - y;
    const e1 = d / x0;
    const e2 = -d / y0;
    const r1 = rlog1(e1, x, x0);
    const r2 = rlog1(e2, y, y0);
    const mu = stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(s);
    return -(a * r1 + b * r2) + 0.5 * Math.log(x0 * b) - LN_SQRT_2PI - mu;
  }
  // At least one parameter is small. By symmetry, let `p` be the smaller parameter (paired with u).
  let p = a;
  let q = b;
  let u = x;
  let w = y;
  if (a > b) {
    p = b;
    q = a;
    u = y;
    w = x;
  }
  const s = p + q;
  // D = ln Γ(q) − ln Γ(p + q), written so the O(q ln q) terms cancel analytically when q is large.
  const D =
    q >= 10
      ? -(q - 0.5) * Math.log1p(p / q) - p * Math.log(s) + p + stirlingCorrection(q) - stirlingCorrection(s)
      : logGamma(q) - logGamma(s);
  const lnU = w < 0.5 ? Math.log1p(-w) : Math.log(u);
  const lnW = u < 0.5 ? Math.log1p(-u) : Math.log(w);
  return p * lnU + q * lnW - logGamma(p) - D;
}

const TINY = 1e-300;

/**
 * Continued fraction for I_x(a, b) (Numerical Recipes `betacf`, modified Lentz); converges fast for
 * x < (a+1)/(a+b+2). Its first denominator 1 − (a+b)x/(a+1) is formed as y + (1−b)x/(a+1) so that x near 1
 * (y = 1 − x small, passed exactly) loses no precision.
 */
function betaContinuedFraction(a: number, b: number, x: number, y: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = y + ((1 - b) * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  const maxIter = 1000 + Math.ceil(20 * Math.sqrt(Math.max(a, b)));
  for (let m = 1; m <= maxIter; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= 2.5e-16) return h;
  }
  throw new Error(`betaContinuedFraction did not converge (a=${a}, b=${b}, x=${x})`);
}

/** Both tails of the Beta(a, b) distribution at x (y = 1 − x), in logarithms. */
export interface BetaTails {
  /** ln I_x(a, b) = ln P(X ≤ x). */
  logLower: number;
  /** ln (1 − I_x(a, b)) = ln P(X > x). */
  logUpper: number;
  /** ln of the density at x. */
  logPdf: number;
}

/**
 * ln P(X ≤ x), ln P(X > x) and ln pdf(x) for X ~ Beta(a, b), with y = 1 − x passed accurately.
 * At x ≤ 0 or y ≤ 0 the tails are exact and logPdf is NaN.
 */
export function betaTails(a: number, b: number, x: number, y: number): BetaTails {
  if (x <= 0) return { logLower: -Infinity, logUpper: 0, logPdf: Number.NaN };
  if (y <= 0) return { logLower: 0, logUpper: -Infinity, logPdf: Number.NaN };
  const front = logBetaPrefactor(a, b, x, y);
  const logPdf = front - Math.log(x) - Math.log(y);
  const integral = Number.isInteger(a) && Number.isInteger(b) && a + b < 2 ** 52;
  if (x < (a + 1) / (a + b + 2)) {
    const logLower = integral
      ? logBinomialUpperSum(a, a + b - 1, x, y)
      : front + Math.log(betaContinuedFraction(a, b, x, y) / a);
    return { logLower, logUpper: Math.log1p(-Math.exp(logLower)), logPdf };
  }
  const logUpper = integral
    ? logBinomialUpperSum(b, a + b - 1, y, x)
    : front + Math.log(betaContinuedFraction(b, a, y, x) / b);
  return { logLower: Math.log1p(-Math.exp(logUpper)), logUpper, logPdf };
}

/** ln C(n, j) x^j y^(n−j), the binomial probability mass, for 0 ≤ j ≤ n. */
function logBinomialPmf(j: number, n: number, x: number, y: number): number {
  const lnX = y < 0.5 ? Math.log1p(-y) : Math.log(x);
  const lnY = x < 0.5 ? Math.log1p(-x) : Math.log(y);
  if (j === 0) return n * lnY;
  if (j === n) return n * lnX;
  // C(n, j) = n / (j (n − j) B(j, n − j)).
  return logBetaPrefactor(j, n - j, x, y) + Math.log(n / j / (n - j));
}

/**
 * ln P(Bin(n, x) ≥ k) = ln I_x(k, n − k + 1) for integer 1 ≤ k ≤ n, summed upward from j = k (the terms
 * fall geometrically when x is below the mode, the only case it is called for). A sum of positive terms
 * started at the largest one: no cancellation, relative error a few ulp (Boost uses the same finite sum
 * for integer parameters).
 */
function logBinomialUpperSum(k: number, n: number, x: number, y: number): number {
  const logFirst = logBinomialPmf(k, n, x, y);
  const ratio = x / y;
  let term = 1;
  let sum = 1;
  for (let j = k; j < n; j++) {
    term *= ((n - j) / (j + 1)) * ratio;
    sum += term;
    if (term <= 1e-17 * sum) break;
  }
  return logFirst + Math.log(sum);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** The regularized incomplete beta function I_x(a, b) = P(X ≤ x), X ~ Beta(a, b). */
export function betaCdf(x: number, a: number, b: number): number {
  return Math.exp(betaTails(a, b, x, 1 - x).logLower);
}

/**
 * Initial guess for the inverse (Numerical Recipes 3rd ed. `Beta::invbetai`): `pSmall` is the smaller of
 * the two tail probabilities, `lowerTail` says whether it is the lower one.
 */
function initialGuess(pSmall: number, lowerTail: boolean, a: number, b: number): number {
  if (a >= 1 && b >= 1) {
    const t = Math.sqrt(-2 * Math.log(pSmall));
    let z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (lowerTail) z = -z;
    const al = (z * z - 3) / 6;
    const h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    const w = (z * Math.sqrt(al + h)) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h));
    return a / (a + b * Math.exp(2 * w));
  }
  const lna = Math.log(a / (a + b));
  const lnb = Math.log(b / (a + b));
  const t = Math.exp(a * lna) / a;
  const u = Math.exp(b * lnb) / b;
  const w = t + u;
  const p = lowerTail ? pSmall : 1 - pSmall;
  if (p < t / w) return (a * w * p) ** (1 / a);
  return 1 - (b * w * (lowerTail ? 1 - pSmall : pSmall)) ** (1 / b);
}

/** The solution x of the inverse problem with y = 1 − x, both to full relative precision. */
export interface BetaQuantile {
  x: number;
  y: number;
}

/**
 * Solves P(X ≤ x) = p (lowerTail = true) or P(X > x) = p (lowerTail = false) for X ~ Beta(a, b).
 * `p` is taken as exact, so pass the small tail probability itself (e.g. 1e-9), never 1 − 1e-9.
 * Returns x and y = 1 − x. Equivalent to scipy.stats.beta.ppf(p, a, b) (lower) / beta.isf(p, a, b)
 * (upper); agrees with them to ~1e-13 relative.
 */
export function betaQuantile(p: number, a: number, b: number, lowerTail: boolean): BetaQuantile {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`betaQuantile: p must be in [0, 1]. Got ${p}`);
  if (!(a > 0 && b > 0)) throw new RangeError(`betaQuantile: a and b must be positive. Got a=${a}, b=${b}`);
  if (p === 0) return lowerTail ? { x: 0, y: 1 } : { x: 1, y: 0 };
  if (p === 1) return lowerTail ? { x: 1, y: 0 } : { x: 0, y: 1 };
  // Work with the smaller tail probability exactly as given.
  let pSmall = p;
  let lower = lowerTail;
  if (p > 0.5) {
    pSmall = 1 - p;
    lower = !lowerTail;
  }
  const guess = initialGuess(pSmall, lower, a, b);
  // Solve for the smaller of x and y: by symmetry, P(X ≤ x) for Beta(a,b) = P(Y ≥ 1−x) for Beta(b,a).
  if (guess > 0.5) {
    const r = solve(pSmall, !lower, b, a, 1 - guess);
    return { x: r.y, y: r.x };
  }
  return solve(pSmall, lower, a, b, guess);
}

/** Newton on ln(tail) − ln(target), safeguarded by a bracket; x is the variable solved for. */
function solve(target: number, lower: boolean, a: number, b: number, guess: number): BetaQuantile {
  const logTarget = Math.log(target);
  let lo = 0;
  let hi = 1;
  let x = guess > 0 && guess < 1 ? guess : 0.5;
  for (let iter = 0; iter < 300; iter++) {
    const y = 1 - x;
    const t = betaTails(a, b, x, y);
    const logTail = lower ? t.logLower : t.logUpper;
    const g = logTail - logTarget;
    if (g === 0) return { x, y };
    // The lower tail increases with x, the upper tail decreases.
    if (g < 0 === lower) lo = x;
    else hi = x;
    // d ln(tail)/dx = ± pdf / tail.
    const slope = Math.exp(t.logPdf - logTail);
    let next = lower ? x - g / slope : x + g / slope;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) {
      next = lo > 0 && hi / lo > 16 ? Math.sqrt(lo * hi) : lo === 0 ? hi / 16 : 0.5 * (lo + hi);
    }
    if (Math.abs(next - x) <= 2e-16 * x || hi - lo <= 2e-16 * hi) {
      return { x: next, y: 1 - next };
    }
    x = next;
  }
  return { x, y: 1 - x };
}
