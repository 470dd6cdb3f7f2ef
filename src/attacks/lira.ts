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
 * A per-example σ needs at least 2 observations: for a sample with a single IN (OUT) reference model
 * the per-example variants use σ̄_in (σ̄_out) in its place — for that sample they equal the
 * fixed-variance variant. This happens with few reference models: with 1 + 3 paired models every
 * sample has 1 IN and 2 OUT references or 2 IN and 1 OUT; without the fallback σ = 0 made the scores
 * ±1e61 and the ROC meaningless. A per-example σ below {@link LIRA_STD_FLOOR}·σ̄ (identical
 * observations) is raised to it, so no division blows up. {@link liraVarianceNote} says how many samples
 * fell back or were floored.
 *
 * Deliberate differences from the reference code, all documented here:
 *   - μ is the mean (the paper's μ and what one pass of sums allows); the code uses the median;
 *   - every IN/OUT reference is used (the code truncates all samples to the smallest IN/OUT count);
 *   - the fixed OUT variance is the OUT values' (the code reuses np.std(dat_in) for σ_out — a slip);
 *   - offline is one-sided as in the paper, Λ = Pr[Z ≤ t], Z ~ N(μ_out, σ_out²), reported as log Λ
 *     (the code ranks by the two-sided −log N(t; μ_out, σ_out));
 *   - the sign is flipped so that higher = member (the code's scores are lower = member);
 *   - the per-example σ falls back to σ̄ for a single observation and is floored at 1e-3·σ̄ (the code's
 *     σ + 1e-30 alone gives scores of ±1e60 there).
 *
 * Cost: {@link liraStatistics} makes ONE pass over the reference rows of the signal matrix, accumulating
 * per (sample, query) sums and sums of squares of IN and of all values (OUT = all − IN) in float64; the
 * working memory is 8·N·A + 2·N numbers (accumulators and the fits), no M×N temporaries. Reference rows
 * are added four at a time — per sample (x0 + x1) + (x2 + x3), then the remaining rows one by one. With
 * one query per sample this runs in a WebAssembly SIMD kernel (two samples per step; written in
 * wasm/lira-kernels.wat.ts, assembled by `npm run build:wasm`), with up to 64 whole reference rows
 * copied into its memory at a time (≤ 8 MB): the same float64 operations in the same order, so the same
 * bits as the plain loop.
 */
import { MiaError } from '../errors.js';
import { logNormalCdf, normalLogPdf } from './lira-gaussian.js';
import { type LiraStatistics, liraStatistics } from './lira-statistics.js';
import { type FloatArray, meanOverQueries, type ReferenceView } from './population.js';

export { type LiraStatistics, liraStatistics } from './lira-statistics.js';

export const LIRA_VARIANTS = [
  'lira-online',
  'lira-online-fixed-variance',
  'lira-offline',
  'lira-offline-fixed-variance',
  'lira-global',
] as const;
export type LiraVariant = (typeof LIRA_VARIANTS)[number];

/**
 * A per-example standard deviation below this fraction of the global one (of the same IN / OUT
 * distribution) is raised to it: two identical observations give σ = 0, and (t − μ)/σ must stay finite.
 */
export const LIRA_STD_FLOOR = 1e-3;

/** True when `name` is one of {@link LIRA_VARIANTS}. */
export function isLiraVariant(name: string): name is LiraVariant {
  return (LIRA_VARIANTS as readonly string[]).includes(name);
}

/**
 * The scores of one LiRA variant (see the file header for the formulas) for the target's signal
 * `target` [N, A], from statistics of the same N and A. Returns Float64Array [N], higher = member.
 * The per-example variants use the global σ̄ for a sample with fewer than 2 IN (OUT) reference models
 * and floor every per-example σ at {@link LIRA_STD_FLOOR}·σ̄ ({@link liraVarianceNote} counts both).
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
  // per-example σ: the global one below 2 observations, at least LIRA_STD_FLOOR·σ̄ (+ 1e-30 as the
  // reference code, which leaves every σ above the floor exactly as before)
  const { floorIn, floorOut } = stdFloors(stats);
  const { countIn, countOut, stdIn, stdOut, meanIn, meanOut } = stats;
  for (let i = 0; i < n; i++) {
    const oneIn = fixed || countIn[i]! < 2;
    const oneOut = fixed || countOut[i]! < 2;
    let s = 0;
    for (let a = 0; a < q; a++) {
      const j = i * q + a;
      const t = target[j]!;
      const sdOut = oneOut ? gOut : Math.max(stdOut[j]!, floorOut) + 1e-30;
      if (online) {
        const sdIn = oneIn ? gIn : Math.max(stdIn[j]!, floorIn) + 1e-30;
        s += normalLogPdf(t, meanIn[j]!, sdIn) - normalLogPdf(t, meanOut[j]!, sdOut);
      } else {
        s += logNormalCdf((t - meanOut[j]!) / sdOut);
      }
    }
    out[i] = q === 1 ? s : s / q;
  }
  return out;
}

/** LIRA_STD_FLOOR × the global IN / OUT std (0 when a side has no values: its σ̄ is NaN). */
export function stdFloors(stats: LiraStatistics): { floorIn: number; floorOut: number } {
  const f = (g: number) => (Number.isFinite(g) ? LIRA_STD_FLOOR * g : 0);
  return { floorIn: f(stats.globalStdIn), floorOut: f(stats.globalStdOut) };
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
