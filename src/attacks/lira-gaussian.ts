/**
 * The Gaussian log-densities LiRA's scores are made of: log φ and log Φ, accurate in the tails where
 * the plain formulas underflow (tested against scipy.stats.norm.logpdf / logcdf).
 */
import { logNormalCdf } from '../core/normal-cdf.js';

export { logNormalCdf };

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log N(x; mu, sigma²) = −½((x − mu)/sigma)² − log sigma − ½ log 2π (scipy.stats.norm.logpdf(x, mu, sigma)).
 * sigma must be > 0.
 */
export function normalLogPdf(x: number, mu: number, sigma: number): number {
  const t = (x - mu) / sigma;
  return -0.5 * t * t - Math.log(sigma) - LOG_SQRT_2PI;
}
