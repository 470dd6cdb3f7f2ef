/**
 * LiRA, the likelihood-ratio attack of Carlini, Chien, Nasr, Song, Terzis & Tramèr, "Membership
 * Inference Attacks From First Principles" (IEEE S&P 2022), following the formulas of the authors' code
 * (tensorflow/privacy research/mi_lira_2021/plot.py: generate_ours, generate_ours_offline,
 * generate_global), on a signal matrix — typically the scaled logit φ = log p_y − log(1 − p_y) of the
 * true class, one value per (model, sample, query).
 *
 * For sample i and query a, over the reference models that trained on i (IN) and those that did not
 * (OUT): μ_in, μ_out = means; σ_in, σ_out = population standard deviations (ddof 0, numpy's np.std).
 * With t the target model's signal and N(t; μ, σ) the Gaussian log density, every score is a mean over
 * the A queries (as the reference averages the per-query log-likelihood ratios):
 *
 *   lira-online                  (1/A) Σ_a [ log N(t; μ_in, σ_in + 1e-30) − log N(t; μ_out, σ_out + 1e-30) ]
 *   lira-online-fixed-variance   same with σ_in, σ_out replaced by the global σ̄_in, σ̄_out
 *   lira-offline                 (1/A) Σ_a log Φ((t − μ_out) / (σ_out + 1e-30))
 *   lira-offline-fixed-variance  same with the global σ̄_out
 *   lira-global                  (1/A) Σ_a t                         (the global-threshold attack)
 *
 * σ̄_in is np.std over every IN value of every sample and query around their grand mean (the
 * reference's np.std(dat_in)); σ̄_out the same over every OUT value. Higher = member for all.
 *
 * Deliberate differences from the reference code, all documented here:
 *   - μ is the mean (the paper's μ and what one pass of sums allows); the code uses the median;
 *   - every IN/OUT reference is used (the code truncates all samples to the smallest IN/OUT count);
 *   - the fixed OUT variance is the OUT values' (the code reuses np.std(dat_in) for σ_out — a slip);
 *   - offline is one-sided as in the paper, Λ = Pr[Z ≤ t], Z ~ N(μ_out, σ_out²), reported as log Λ
 *     (the code ranks by the two-sided −log N(t; μ_out, σ_out));
 *   - the sign is flipped so that higher = member (the code's scores are lower = member).
 *
 * Cost: {@link liraStatistics} makes ONE pass over the reference rows of the signal matrix, accumulating
 * per (sample, query) sums and sums of squares of IN and of all values (OUT = all − IN) in float64; the
 * working memory is 8·N·A + 2·N numbers (accumulators and the fits), no M×N temporaries. Reference rows
 * are read four at a time so each accumulator is updated once per four values.
 */
import { MiaError } from '../errors.js';
import { type FloatArray, meanOverQueries, type ReferenceView, referenceCount } from './population.js';

export const LIRA_VARIANTS = [
  'lira-online',
  'lira-online-fixed-variance',
  'lira-offline',
  'lira-offline-fixed-variance',
  'lira-global',
] as const;
export type LiraVariant = (typeof LIRA_VARIANTS)[number];

/** True when `name` is one of {@link LIRA_VARIANTS}. */
export function isLiraVariant(name: string): name is LiraVariant {
  return (LIRA_VARIANTS as readonly string[]).includes(name);
}

/** Per-sample Gaussian fits from the reference models (the output of one pass). */
export interface LiraStatistics {
  /** N and A. */
  samples: number;
  queries: number;
  /** Number of reference models. */
  references: number;
  /** [N]: reference models that trained on sample i / did not. */
  countIn: Int32Array;
  countOut: Int32Array;
  /** [N, A]: mean and population std (ddof 0) of IN / OUT values; NaN where the count is 0. */
  meanIn: Float64Array;
  stdIn: Float64Array;
  meanOut: Float64Array;
  stdOut: Float64Array;
  /** np.std over all IN values (every sample, reference and query); NaN when there are none. */
  globalStdIn: number;
  /** np.std over all OUT values; NaN when there are none. */
  globalStdOut: number;
}

/**
 * One pass over the reference rows `refs.rows` of `refs.pop.signal`: per (i, a) the
 * IN/OUT means and standard deviations, and the global IN/OUT standard deviations. Variances are
 * E[x²] − E[x]² in float64, clamped at 0.
 */
export function liraStatistics(refs: ReferenceView): LiraStatistics {
  const pop = refs.pop;
  const n = pop.samples;
  const q = pop.queries;
  const nq = n * q;
  const keep = pop.keep;
  const sig = pop.signal;
  const sumAll = new Float64Array(nq);
  const sqAll = new Float64Array(nq);
  const sumIn = new Float64Array(nq);
  const sqIn = new Float64Array(nq);
  const cntIn = new Int32Array(n);
  // Reference rows are taken four at a time so that each accumulator is read and written once per four
  // values (the pass is bound by those read-modify-writes, not by reading the signal); each signal
  // value is still read exactly once.
  const rows = refs.rows;
  let r = 0;
  if (q === 1) {
    for (; r + 4 <= rows.length; r += 4) {
      const o0 = rows[r]! * n;
      const o1 = rows[r + 1]! * n;
      const o2 = rows[r + 2]! * n;
      const o3 = rows[r + 3]! * n;
      for (let i = 0; i < n; i++) {
        const x0 = sig[o0 + i]!;
        const x1 = sig[o1 + i]!;
        const x2 = sig[o2 + i]!;
        const x3 = sig[o3 + i]!;
        const k0 = keep[o0 + i]!;
        const k1 = keep[o1 + i]!;
        const k2 = keep[o2 + i]!;
        const k3 = keep[o3 + i]!;
        const a0 = k0 * x0;
        const a1 = k1 * x1;
        const a2 = k2 * x2;
        const a3 = k3 * x3;
        sumAll[i]! += x0 + x1 + (x2 + x3);
        sqAll[i]! += x0 * x0 + x1 * x1 + (x2 * x2 + x3 * x3);
        sumIn[i]! += a0 + a1 + (a2 + a3);
        sqIn[i]! += a0 * x0 + a1 * x1 + (a2 * x2 + a3 * x3);
        cntIn[i]! += k0 + k1 + k2 + k3;
      }
    }
  }
  for (; r < rows.length; r++) {
    const m = rows[r]!;
    const kOff = m * n;
    const sOff = m * nq;
    if (q === 1) {
      for (let i = 0; i < n; i++) {
        const x = sig[sOff + i]!;
        const k = keep[kOff + i]!;
        const kx = k * x;
        sumAll[i]! += x;
        sqAll[i]! += x * x;
        sumIn[i]! += kx;
        sqIn[i]! += kx * x;
        cntIn[i]! += k;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const k = keep[kOff + i]!;
        cntIn[i]! += k;
        const o = i * q;
        for (let a = 0; a < q; a++) {
          const x = sig[sOff + o + a]!;
          const kx = k * x;
          sumAll[o + a]! += x;
          sqAll[o + a]! += x * x;
          sumIn[o + a]! += kx;
          sqIn[o + a]! += kx * x;
        }
      }
    }
  }
  const references = referenceCount(refs);
  const countOut = new Int32Array(n);
  const meanIn = new Float64Array(nq);
  const stdIn = new Float64Array(nq);
  const meanOut = new Float64Array(nq);
  const stdOut = new Float64Array(nq);
  let gSumIn = 0;
  let gSqIn = 0;
  let gCntIn = 0;
  let gSumOut = 0;
  let gSqOut = 0;
  let gCntOut = 0;
  for (let i = 0; i < n; i++) {
    const ci = cntIn[i]!;
    const co = references - ci;
    countOut[i] = co;
    gCntIn += ci * q;
    gCntOut += co * q;
    for (let a = 0; a < q; a++) {
      const j = i * q + a;
      const si = sumIn[j]!;
      const qi = sqIn[j]!;
      const so = sumAll[j]! - si;
      const qo = sqAll[j]! - qi;
      gSumIn += si;
      gSqIn += qi;
      gSumOut += so;
      gSqOut += qo;
      const mi = si / ci;
      const mo = so / co;
      meanIn[j] = mi;
      meanOut[j] = mo;
      stdIn[j] = Math.sqrt(Math.max(0, qi / ci - mi * mi));
      stdOut[j] = Math.sqrt(Math.max(0, qo / co - mo * mo));
    }
  }
  const gmi = gSumIn / gCntIn;
  const gmo = gSumOut / gCntOut;
  return {
    samples: n,
    queries: q,
    references,
    countIn: cntIn,
    countOut,
    meanIn,
    stdIn,
    meanOut,
    stdOut,
    globalStdIn: Math.sqrt(Math.max(0, gSqIn / gCntIn - gmi * gmi)),
    globalStdOut: Math.sqrt(Math.max(0, gSqOut / gCntOut - gmo * gmo)),
  };
}

/**
 * The scores of one LiRA variant (see the file header for the formulas) for the target's signal
 * `target` [N, A], from statistics of the same N and A. Returns Float64Array [N], higher = member.
 * Throws E_EMPTY naming the first sample that has no IN (online variants) or no OUT reference model,
 * and E_SHAPE_MISMATCH when `target` is not N·A long.
 */
export function liraScoresFromStatistics(
  stats: LiraStatistics,
  target: FloatArray,
  variant: LiraVariant,
): Float64Array {
  const n = stats.samples;
  const q = stats.queries;
  checkTarget(target, n, q);
  if (variant === 'lira-global') return meanOverQueries(target, n, q);
  const online = variant === 'lira-online' || variant === 'lira-online-fixed-variance';
  const fixed = variant === 'lira-online-fixed-variance' || variant === 'lira-offline-fixed-variance';
  requireReferences(stats, online, variant);
  const out = new Float64Array(n);
  const gIn = stats.globalStdIn + 1e-30;
  const gOut = stats.globalStdOut + 1e-30;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < q; a++) {
      const j = i * q + a;
      const t = target[j]!;
      const sdOut = fixed ? gOut : stats.stdOut[j]! + 1e-30;
      if (online) {
        const sdIn = fixed ? gIn : stats.stdIn[j]! + 1e-30;
        s += normalLogPdf(t, stats.meanIn[j]!, sdIn) - normalLogPdf(t, stats.meanOut[j]!, sdOut);
      } else {
        s += logNormalCdf((t - stats.meanOut[j]!) / sdOut);
      }
    }
    out[i] = q === 1 ? s : s / q;
  }
  return out;
}

/**
 * LiRA scores of `variant` for the target signal [N, A] against the reference models of `refs`
 * (one pass over the signal matrix; lira-global reads only the target). Float64Array [N], higher = member.
 */
export function liraScores(refs: ReferenceView, target: FloatArray, variant: LiraVariant): Float64Array {
  const { samples, queries } = refs.pop;
  if (variant === 'lira-global') {
    checkTarget(target, samples, queries);
    return meanOverQueries(target, samples, queries);
  }
  return liraScoresFromStatistics(liraStatistics(refs), target, variant);
}

function checkTarget(target: FloatArray, n: number, q: number): void {
  if (target.length !== n * q) {
    throw new MiaError('E_SHAPE_MISMATCH', 'the target signal does not match the reference signals', {
      where: 'target',
      expected: `[${n}, ${q}] = ${n * q} values`,
      found: `${target.length} values`,
    });
  }
}

function requireReferences(stats: LiraStatistics, online: boolean, variant: string): void {
  for (let i = 0; i < stats.samples; i++) {
    if (online && stats.countIn[i] === 0) {
      throw new MiaError('E_EMPTY', `sample ${i} has no IN reference model (no model trained on it)`, {
        where: variant,
        expected: 'at least one IN and one OUT reference model per sample (or use lira-offline)',
        found: `${stats.countIn[i]} IN, ${stats.countOut[i]} OUT of ${stats.references} references`,
      });
    }
    if (stats.countOut[i] === 0) {
      throw new MiaError('E_EMPTY', `sample ${i} has no OUT reference model (every model trained on it)`, {
        where: variant,
        expected: 'at least one OUT reference model per sample',
        found: `${stats.countIn[i]} IN, ${stats.countOut[i]} OUT of ${stats.references} references`,
      });
    }
  }
}

// ---- the standard normal distribution in float64 --------------------------------------------------
// No external constants: erfc from its same-sign series (small arguments) and Laplace's continued
// fraction (large arguments, modified Lentz method).

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * log N(x; mu, sigma²) = −½((x − mu)/sigma)² − log sigma − ½ log 2π (scipy.stats.norm.logpdf(x, mu, sigma)).
 * sigma must be > 0.
 */
export function normalLogPdf(x: number, mu: number, sigma: number): number {
  const t = (x - mu) / sigma;
  return -0.5 * t * t - Math.log(sigma) - LOG_SQRT_2PI;
}

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
