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
import { type FloatArray, meanOverQueries, type ReferenceView, referenceCount } from './population.js';
import { type WasmMemory, wasmInstantiator } from './wasm/instantiate.js';
import { LIRA_KERNELS_WASM } from './wasm/kernels.generated.js';

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
  /**
   * [N, A]: mean and population std (ddof 0) of IN / OUT values; NaN where the count is 0, 0 where it
   * is 1 (the scores then use the global std, see {@link liraScoresFromStatistics}).
   */
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
  const rows = refs.rows;
  const groups = q === 1 ? rows.length - (rows.length % 4) : 0;
  let acc: Accumulators;
  let release = () => {};
  if (groups > 0) {
    // four reference rows at a time in the WebAssembly kernel (wasm/lira-kernels.wat.ts), whole rows at once
    const k = statsKernel(n, sig, keep);
    acc = k.acc;
    release = k.release;
    for (let g0 = 0; g0 < groups; g0 += k.group) k.run(rows, g0, Math.min(k.group, groups - g0));
  } else {
    acc = {
      sumAll: new Float64Array(nq),
      sqAll: new Float64Array(nq),
      sumIn: new Float64Array(nq),
      sqIn: new Float64Array(nq),
      cntIn: new Int32Array(n),
    };
  }
  const { sumAll, sqAll, sumIn, sqIn, cntIn } = acc;
  // the remaining rows one at a time, in blocks of samples so that the accumulators stay in cache
  for (let i0 = 0; i0 < n; i0 += STATS_BLOCK) {
    const i1 = Math.min(n, i0 + STATS_BLOCK);
    for (let r = groups; r < rows.length; r++) {
      const m = rows[r]!;
      if (q === 1) accumulate1(sig, keep, m * n, i0, i1, acc);
      else accumulateQueries(sig, keep, m * n, m * nq, q, i0, i1, acc);
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
  const countIn = groups > 0 ? cntIn.slice() : cntIn; // out of the kernels' memory
  release();
  return {
    samples: n,
    queries: q,
    references,
    countIn,
    countOut,
    meanIn,
    stdIn,
    meanOut,
    stdOut,
    globalStdIn: Math.sqrt(Math.max(0, gSqIn / gCntIn - gmi * gmi)),
    globalStdOut: Math.sqrt(Math.max(0, gSqOut / gCntOut - gmo * gmo)),
  };
}

/** Samples per block of the statistics pass: 5 accumulators × 2048 × 8 bytes = 80 KB. */
const STATS_BLOCK = 2048;

/** Per (sample, query) sums of all and of IN values and of their squares; IN counts per sample. */
interface Accumulators {
  sumAll: Float64Array;
  sqAll: Float64Array;
  sumIn: Float64Array;
  sqIn: Float64Array;
  cntIn: Int32Array;
}

/** Adds one reference row (offset o, one query) for samples [i0, i1). */
function accumulate1(
  sig: FloatArray,
  keep: Uint8Array,
  o: number,
  i0: number,
  i1: number,
  acc: Accumulators,
): void {
  const { sumAll, sqAll, sumIn, sqIn, cntIn } = acc;
  for (let i = i0; i < i1; i++) {
    const x = sig[o + i]!;
    const k = keep[o + i]!;
    const kx = k * x;
    sumAll[i]! += x;
    sqAll[i]! += x * x;
    sumIn[i]! += kx;
    sqIn[i]! += kx * x;
    cntIn[i]! += k;
  }
}

/** Adds one reference row with q queries per sample (keep offset kOff, signal offset sOff), [i0, i1). */
function accumulateQueries(
  sig: FloatArray,
  keep: Uint8Array,
  kOff: number,
  sOff: number,
  q: number,
  i0: number,
  i1: number,
  acc: Accumulators,
): void {
  const { sumAll, sqAll, sumIn, sqIn, cntIn } = acc;
  for (let i = i0; i < i1; i++) {
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
function stdFloors(stats: LiraStatistics): { floorIn: number; floorOut: number } {
  const f = (g: number) => (Number.isFinite(g) ? LIRA_STD_FLOOR * g : 0);
  return { floorIn: f(stats.globalStdIn), floorOut: f(stats.globalStdOut) };
}

/** How the per-example variances of one variant were estimated (see {@link liraVarianceFallbacks}). */
export interface LiraVarianceFallbacks {
  samples: number;
  /** Samples with fewer than 2 IN reference models (online only; 0 for offline): σ̄_in used. */
  fewIn: number;
  /** Samples with fewer than 2 OUT reference models: σ̄_out used. */
  fewOut: number;
  /** (sample, query) values whose per-example σ_in or σ_out was raised to LIRA_STD_FLOOR·σ̄. */
  floored: number;
}

/**
 * The samples of `stats` whose per-example variance the per-example variant `variant` replaced (fewer
 * than 2 observations) or floored; undefined for the fixed-variance variants and lira-global.
 */
export function liraVarianceFallbacks(
  stats: LiraStatistics,
  variant: LiraVariant,
): LiraVarianceFallbacks | undefined {
  if (variant !== 'lira-online' && variant !== 'lira-offline') return undefined;
  const online = variant === 'lira-online';
  const q = stats.queries;
  const { floorIn, floorOut } = stdFloors(stats);
  let fewIn = 0;
  let fewOut = 0;
  let floored = 0;
  for (let i = 0; i < stats.samples; i++) {
    const oneIn = online && stats.countIn[i]! < 2;
    const oneOut = stats.countOut[i]! < 2;
    if (oneIn) fewIn++;
    if (oneOut) fewOut++;
    for (let a = 0; a < q; a++) {
      const j = i * q + a;
      if ((!oneOut && stats.stdOut[j]! < floorOut) || (online && !oneIn && stats.stdIn[j]! < floorIn))
        floored++;
    }
  }
  return { samples: stats.samples, fewIn, fewOut, floored };
}

/**
 * A line for the audit's notes when `variant` (lira-online or lira-offline) did not use a per-example
 * variance everywhere: how many samples had fewer than 2 IN / OUT reference models and so used the
 * global variance, and how many standard deviations were floored. Undefined when none did.
 */
export function liraVarianceNote(stats: LiraStatistics, variant: LiraVariant): string | undefined {
  const f = liraVarianceFallbacks(stats, variant);
  if (f === undefined || f.fewIn + f.fewOut + f.floored === 0) return undefined;
  const parts: string[] = [];
  if (f.fewIn > 0) parts.push(`${f.fewIn} of ${f.samples} samples have fewer than 2 IN`);
  if (f.fewOut > 0) parts.push(`${f.fewOut} of ${f.samples} samples have fewer than 2 OUT`);
  let line = '';
  if (parts.length > 0) {
    const sides = f.fewIn > 0 && f.fewOut > 0 ? 'IN / OUT' : f.fewIn > 0 ? 'IN' : 'OUT';
    line =
      `${parts.join(', ')} reference models: a per-example variance needs 2, so they use the global ` +
      `${sides} variance (as ${variant}-fixed-variance)`;
  }
  if (f.floored > 0) {
    const what = `${f.floored} per-example standard deviation${f.floored > 1 ? 's were' : ' was'} below ${LIRA_STD_FLOOR} × the global one and raised to it`;
    line = line === '' ? what : `${line}; ${what}`;
  }
  return `${variant}: ${line}`;
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

// ---- the statistics kernel (WebAssembly text in wasm/lira-kernels.wat.ts) ----------------------------

let instantiateStats: (() => Record<string, unknown>) | undefined;
let statsInstance: Record<string, unknown> | undefined;
/** A call that needed more kernel memory than this drops the instance afterwards (it cannot shrink). */
const RETAIN_BYTES = 64 * 1024 * 1024;

/**
 * The accumulators of N samples in the kernel's memory and a runner that copies G reference rows
 * (from rows[g0]) into it and adds them. `group` rows per run (a multiple of 4, the copied rows ≤ 8 MB).
 */
function statsKernel(
  n: number,
  sig: FloatArray,
  keep: Uint8Array,
): {
  acc: Accumulators;
  group: number;
  run: (rows: Int32Array, g0: number, count: number) => void;
  release: () => void;
} {
  instantiateStats ??= wasmInstantiator(LIRA_KERNELS_WASM);
  statsInstance ??= instantiateStats();
  const ex = statsInstance;
  const memory = ex.memory as WasmMemory;
  const f32 = sig instanceof Float32Array;
  const esz = sig.BYTES_PER_ELEMENT;
  const kernel = (f32 ? ex.stats4_f32 : ex.stats4_f64) as (...args: number[]) => void;
  const ns = n + (n % 2); // even: the kernel takes two samples per step
  const up = (v: number) => Math.ceil(v / 64) * 64;
  const group = 4 * Math.max(1, Math.min(16, Math.floor((8 << 20) / (ns * (esz + 1)) / 4)));
  const offs = [0, 1, 2, 3].map((k) => up(8 * ns) * k);
  const cnt = up(8 * ns) * 4;
  const rowsAt = up(cnt + 4 * ns);
  const keepAt = up(rowsAt + esz * ns * group);
  const end = up(keepAt + ns * group);
  const have = memory.buffer.byteLength;
  if (end > have) memory.grow(Math.ceil((end - have) / 65536));
  const buf = memory.buffer;
  new Uint8Array(buf, 0, rowsAt).fill(0);
  const acc: Accumulators = {
    sumAll: new Float64Array(buf, offs[0], n),
    sqAll: new Float64Array(buf, offs[1], n),
    sumIn: new Float64Array(buf, offs[2], n),
    sqIn: new Float64Array(buf, offs[3], n),
    cntIn: new Int32Array(buf, cnt, n),
  };
  const rowView = f32 ? new Float32Array(buf, rowsAt, ns * group) : new Float64Array(buf, rowsAt, ns * group);
  const keepView = new Uint8Array(buf, keepAt, ns * group);
  return {
    acc,
    group,
    run: (rows, g0, count) => {
      for (let j = 0; j < count; j++) {
        const o = rows[g0 + j]! * n;
        rowView.set(sig.subarray(o, o + n), j * ns);
        keepView.set(keep.subarray(o, o + n), j * ns);
        if (ns > n) {
          rowView[j * ns + n] = 0;
          keepView[j * ns + n] = 0;
        }
      }
      kernel(ns, count, ns, rowsAt, keepAt, offs[0]!, offs[1]!, offs[2]!, offs[3]!, cnt);
    },
    release: () => {
      if (end > RETAIN_BYTES) statsInstance = undefined;
    },
  };
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
