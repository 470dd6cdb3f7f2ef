import { MiaError } from '../errors.js';
import { betaQuantile } from './beta.js';

/** A confidence interval [low, high] for a binomial proportion. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * Throws E_CONFIG unless `confidence` is a number strictly between 0 and 1. `where` names the argument
 * or config field.
 */
export function checkConfidence(confidence: number, where: string): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new MiaError('E_CONFIG', 'the confidence level must be strictly between 0 and 1', {
      where,
      expected: 'a number in (0, 1), e.g. 0.95',
      found: String(confidence),
    });
  }
}

function checkCounts(k: number, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new MiaError('E_CONFIG', 'the number of trials must be a positive integer', {
      where: 'n',
      expected: 'an integer ≥ 1',
      found: String(n),
    });
  }
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new MiaError('E_CONFIG', 'the number of successes must be an integer between 0 and n', {
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
    throw new MiaError('E_CONFIG', 'the error probability must be strictly between 0 and 1', {
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
