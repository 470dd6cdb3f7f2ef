/**
 * RMIA, the robust membership inference attack of Zarifzadeh, Liu & Shokri, "Low-Cost High-Power
 * Membership Inference Attacks" (ICML 2024), with the conventions of Privacy Meter
 * (privacytrustlab/ml_privacy_meter, modules/mia/attacks/rmia.py: run_rmia, tune_offline_a).
 *
 * Signal: Pr(x|θ), the model's probability of the true class. From the scaled logit φ (LiRA's signal,
 * what reference.npz holds) it is p = sigmoid(φ) = 1 / (1 + e^{−φ}) — exact for φ = log p − log(1 − p).
 * With A queries per sample, Pr(x|θ) is the mean of p over the queries. (signal: 'probability' takes
 * the values as probabilities in [0, 1] directly.)
 *
 * For an audit sample x and a population sample z (no model trained on z), with θ the target and the
 * reference models θ' (summed in ascending row order, in float64):
 *   online:   Pr(x) = mean of Pr(x|θ') over ALL reference models;
 *   offline:  Pr(x) = ((1 + a)/2) · mean_OUT + (1 − a)/2, mean_OUT over the reference models that did
 *             not train on x (Privacy Meter's `(1 + a) / 2 * mean_out_x + (1 - a) / 2`, the paper's
 *             linear approximation of the IN models from the OUT ones);
 *   Pr(z) is the same with every reference model (all are OUT for z);
 *   LR(x) = Pr(x|θ) / Pr(x),  LR(z) = Pr(z|θ) / Pr(z);
 *   score(x) = |{ z : LR(x) / LR(z) > γ }| / Z  ∈ [0, 1]   (strict >, as the paper; higher = member).
 *
 * Privacy Meter computes the last line as an N×Z matrix (`ratios = prob_ratio_x[:, None] / prob_ratio_z;
 * np.average(ratios > gamma, axis=1)`). {@link rmiaCountScores} gives IDENTICAL values by sorting the Z
 * population ratios once and locating, for each x, the end of the prefix of sorted LR(z) for which the
 * float64 predicate `LR(x) / LR(z) > γ` holds (the predicate is monotone along the sorted array because
 * correctly rounded division is monotone in its divisor). The sort is a bucket sort, so the cost is
 * O(N + Z) expected for spread-out ratios and O((N + Z) log Z) at worst; memory O(N + Z).
 *
 * Speed: the per-sample work (the likelihood ratios for probability signals, the population sort and
 * the counting) runs in small WebAssembly kernels written below in the WebAssembly text format and
 * assembled at first use by a minimal assembler in this file (no binary in the repository, no build
 * step): SIMD over two or four samples per step, the same IEEE float64 operations in the same order as
 * the plain definitions — so the same bits. (In V8 11, plain JavaScript re-checks the map, bounds and
 * detachment of every typed-array access in these loops; measured 3× slower.) Samples stream through
 * the kernels' memory in blocks of a few thousand, so its size is O(Z) plus one block.
 *
 * Saturation: sigmoid(φ) rounds to exactly 1 for φ ≳ 37, so samples beyond that tie (as they do in
 * Privacy Meter's float64 probabilities).
 *
 * Differences from Privacy Meter, documented: mean_OUT uses every OUT reference model (PM keeps the
 * `num_reference_models` LARGEST OUT values per sample — the same set when models are paired, but for
 * population samples it keeps the largest half); PM's single-reference branch that converts IN values
 * into OUT estimates is not reproduced (a sample with no OUT reference is an error); when tuning `a`, the
 * paired model is left out of the references (PM keeps it among them).
 */
import { MiaError } from '../errors.js';
import type { FloatArray, ReferenceView } from './population.js';
import { withoutRow } from './population.js';

export type RmiaMode = 'offline' | 'online';
/** How signal values become Pr(x|θ): sigmoid of a scaled logit (default), or used as probabilities. */
export type RmiaSignal = 'scaled-logit' | 'probability';

export interface RmiaOptions {
  mode: RmiaMode;
  /** The offline coefficient a ∈ [0, 1]; required when mode is 'offline', ignored online. */
  a?: number;
  /** γ > 0; default 1 (Privacy Meter's threshold). */
  gamma?: number;
  /** Default 'scaled-logit'. */
  signal?: RmiaSignal;
}

/** The attack names RMIA registers: offline ('rmia') and online ('rmia-online'). */
export const RMIA_ATTACKS = ['rmia', 'rmia-online'] as const;

/** Pr(x|θ) for the target and the reference means, before `a` is applied (shared by the a-grid). */
interface RmiaMeans {
  /** [N] target Pr(x|θ); [N] mean over the chosen references. */
  px: Float64Array;
  meanX: Float64Array;
  /** [Z] target Pr(z|θ); [Z] mean over all references. */
  pz: Float64Array;
  meanZ: Float64Array;
}

/** LR(x) [N] and LR(z) [Z] (see the file header). */
export interface RmiaRatios {
  x: Float64Array;
  z: Float64Array;
}

/**
 * The likelihood ratios LR(x) for the audit samples and LR(z) for the population samples.
 * `target` is the target's signal [N, A] and `targetPop` its signal on the population [Z, Ap]; the
 * references' signals are the rows `refs.rows` of refs.pop.signal / popSignal. Throws MiaError:
 * E_MISSING_FIELD without population signals, E_EMPTY without references or (offline) when a sample has
 * no OUT reference, E_CONFIG for a ∉ [0, 1] or a probability signal outside [0, 1], E_SHAPE_MISMATCH
 * for target arrays of the wrong length.
 */
export function rmiaRatios(
  refs: ReferenceView,
  target: FloatArray,
  targetPop: FloatArray | undefined,
  options: RmiaOptions,
): RmiaRatios {
  const a = checkA(options);
  const means = rmiaMeans(refs, target, targetPop, options.mode, options.signal ?? 'scaled-logit');
  return ratiosFromMeans(means, options.mode, a);
}

/**
 * RMIA scores (see the file header): Float64Array [N] in [0, 1], higher = member; each score is
 * count / Z with count the number of population samples z with LR(x) / LR(z) > γ in float64 — the
 * values of `rmiaCountScores(rmiaRatios(…).x, rmiaRatios(…).z, γ)`, bit for bit.
 *
 * With probability signals and one query per sample, the likelihood ratios are computed by the
 * WebAssembly kernel (four samples per SIMD step, the same float64 operations in the same order as
 * rmiaRatios); otherwise rmiaRatios computes them (one Math.exp per value for scaled logits). Counting
 * is rmiaCountScores' method in both cases. Working memory: O(Z) plus blocks of a few thousand samples.
 */
export function rmiaScores(
  refs: ReferenceView,
  target: FloatArray,
  targetPop: FloatArray | undefined,
  options: RmiaOptions,
): Float64Array {
  const a = checkA(options);
  const signal = options.signal ?? 'scaled-logit';
  const gamma = options.gamma ?? 1;
  const pop = refs.pop;
  if (signal !== 'probability' || pop.queries !== 1 || pop.popQueries !== 1) {
    const means = rmiaMeans(refs, target, targetPop, options.mode, signal);
    const r = ratiosFromMeans(means, options.mode, a, true);
    return rmiaCountScores(r.x, r.z, gamma);
  }
  checkInputs(refs, target, targetPop);
  checkGamma(gamma);
  const offline = options.mode === 'offline';
  // online: Pr(x) = 1 · mean + 0, the same bits as the mean itself
  const c1 = offline ? (1 + a) / 2 : 1;
  const c0 = offline ? (1 - a) / 2 : 0;
  const n = pop.samples;
  const zn = pop.popSamples;
  const rows = refs.rows;
  const eng = engine();
  const lay = layout(zn, rows.length, pop.signal, pop.popSignal!);
  ensureMemory(eng, lay.end);
  // LR(z) for every population sample (every reference is OUT for z: mask 0), then the sorted index
  ratioBlocks(eng, lay, pop.popSignal!, zn, rows, undefined, 0, targetPop!, c1, c0, (i0) => lay.zr + 8 * i0);
  const sorted = sortInMemory(eng, lay, zn);
  const out = new Float64Array(n);
  ratioBlocks(
    eng,
    lay,
    pop.signal,
    n,
    rows,
    pop.keep,
    offline ? 1 : 0,
    target,
    c1,
    c0,
    () => lay.x,
    (i0, len) => lookupBlock(eng, lay, sorted, gamma, len, out, i0),
  );
  release(lay);
  return out;
}

const SAFE_MIN = 1e-280;
const SAFE_MAX = 1e280;
/** Relative margin beyond which the float64 predicate x / s > γ is decided by s < x / γ alone. */
const DELTA = 1e-12;
/** Buckets per finite population ratio. */
const BUCKETS_PER_VALUE = 4;
/** Buckets with at least this many values are sorted natively, smaller ones by one insertion pass. */
const LARGE_BUCKET = 17;

/**
 * score[i] = |{ k : ratioX[i] / ratioZ[k] > gamma }| / Z, computed without the N×Z matrix and equal, bit
 * for bit, to the pairwise float64 computation. Ratios must be ≥ 0, +Infinity or NaN (as likelihood
 * ratios are; RangeError otherwise). γ must be finite and > 0 (else E_CONFIG); Z ≥ 1 (else E_EMPTY).
 *
 * Method: bucket-sort the population ratios (4Z equal-width buckets over the finite values, bucket(v) =
 * ⌊(v − min)·nb/(max − min)⌋ clamped, monotone in v; +∞ then NaN last). For x with t = x / γ in the
 * normal range, k = |{ s < t }| is the start of t's bucket plus the values of the bucket below t. When
 * the neighbours s[k−1], s[k] lie outside t·(1 ± 1e-12), the predicate is decided for every s by
 * rounding analysis (s < t(1 − 1e-12) ⇒ x / s > γ(1 + 2⁻⁵²) ⇒ fl(x / s) > γ, and symmetrically) and k is
 * the count. Otherwise (values within 1e-12 of the boundary, ties, 0, ∞, NaN, subnormal) a binary search
 * evaluates the exact predicate, which holds on a prefix of the sorted array (correctly rounded division
 * is monotone in its divisor). Expected O(N + Z) for spread-out ratios; O((N + Z) log Z) at worst.
 * The sort and the counting run in WebAssembly kernels, two samples per SIMD step (see RMIA_KERNELS).
 */
export function rmiaCountScores(ratioX: Float64Array, ratioZ: Float64Array, gamma: number): Float64Array {
  checkGamma(gamma);
  const zn = ratioZ.length;
  if (zn === 0) {
    throw new MiaError('E_EMPTY', 'RMIA needs at least one population sample', { where: 'population' });
  }
  const eng = engine();
  const lay = layout(zn, 0, ratioX, ratioZ);
  ensureMemory(eng, lay.end);
  new Float64Array(eng.memory.buffer, lay.zr, zn).set(ratioZ);
  const sorted = sortInMemory(eng, lay, zn);
  const n = ratioX.length;
  const out = new Float64Array(n);
  for (let i0 = 0; i0 < n; i0 += lay.block) {
    const len = Math.min(lay.block, n - i0);
    const xs = new Float64Array(eng.memory.buffer, lay.x, len + 1);
    xs.set(ratioX.subarray(i0, i0 + len));
    xs[len] = 0; // the partner of an odd last sample
    lookupBlock(eng, lay, sorted, gamma, len, out, i0);
  }
  release(lay);
  return out;
}

function checkGamma(gamma: number): void {
  if (!(Number.isFinite(gamma) && gamma > 0)) {
    throw new MiaError('E_CONFIG', 'RMIA gamma must be a finite number > 0', {
      where: 'gamma',
      found: String(gamma),
    });
  }
}

/** The checks of rmiaMeans: references, population signals, target lengths (MiaError). */
function checkInputs(refs: ReferenceView, target: FloatArray, targetPop: FloatArray | undefined): void {
  const pop = refs.pop;
  if (refs.rows.length === 0) {
    throw new MiaError('E_EMPTY', 'RMIA needs at least one reference model', { where: 'rmia' });
  }
  if (pop.popSignal === undefined || targetPop === undefined) {
    throw new MiaError(
      'E_MISSING_FIELD',
      'RMIA needs population signals (pop_scores and pop_target_scores)',
      {
        where: 'rmia',
      },
    );
  }
  const { samples: n, queries: q, popSamples: zn, popQueries: qz } = pop;
  lengthCheck(target, n * q, 'target', `[${n}, ${q}]`);
  lengthCheck(targetPop, zn * qz, 'pop_target', `[${zn}, ${qz}]`);
}

// ---- the WebAssembly engine: memory layout, sorting, block runners -----------------------------------

/** The part of the WebAssembly JS API used here (the project's `lib` setting does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
/** A WebAssembly.Memory: its buffer (replaced when it grows) and grow(pages of 64 KiB). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * Compiles a module written in the WebAssembly text subset of {@link assembleWat} (no imports) and
 * returns a function that instantiates it (each instance has its own memory). Shared by the RMIA and
 * LiRA kernels.
 */
export function compileWat(text: string): () => Record<string, unknown> {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const module = new wasm.Module(assembleWat(text));
  return () => new wasm.Instance(module, {}).exports;
}

interface Engine {
  memory: WasmMemory;
  ratiosF64: RatiosKernel;
  ratiosF32: RatiosKernel;
  lookup: LookupKernel;
  /** (zn, zr, s, start, nb, min, inv, fin, large) → number of large buckets listed at `large`. */
  bucketize: (...args: number[]) => number;
  /** (s, fin): the insertion pass over sorted positions 1..fin−1. */
  insertion: (s: number, fin: number) => void;
}
/** (n, R, stride, sig, keep, mask, target, out, c1, c0) → −1, or the first pair index failing a check. */
type RatiosKernel = (...args: number[]) => number;
/**
 * (n, xs, out, s, start, min, inv, last, zn, gamma, ginv, slow) → −1, or the index of a pair holding a
 * negative x.
 */
type LookupKernel = (...args: number[]) => number;

let instantiate: (() => Record<string, unknown>) | undefined;
let theEngine: Engine | undefined;
/** A call that needed more kernel memory than this releases it afterwards (see release). */
const RETAIN_BYTES = 64 * 1024 * 1024;

/**
 * The kernels: assembled and compiled once per process, instantiated once and reused (JS is
 * single-threaded and the kernels never call out, so calls cannot overlap).
 */
function engine(): Engine {
  if (theEngine === undefined) {
    instantiate ??= compileWat(RMIA_KERNELS);
    const ex = instantiate();
    theEngine = {
      memory: ex.memory as WasmMemory,
      ratiosF64: ex.ratios_f64 as RatiosKernel,
      ratiosF32: ex.ratios_f32 as RatiosKernel,
      lookup: ex.lookup as LookupKernel,
      bucketize: ex.bucketize as Engine['bucketize'],
      insertion: ex.insertion as Engine['insertion'],
    };
  }
  return theEngine;
}

/** Drops the instance after a call that grew its memory beyond RETAIN_BYTES (memory cannot shrink). */
function release(lay: Layout): void {
  if (lay.end > RETAIN_BYTES) theEngine = undefined;
}

function ensureMemory(eng: Engine, bytes: number): void {
  const have = eng.memory.buffer.byteLength;
  if (bytes > have) eng.memory.grow(Math.ceil((bytes - have) / 65536));
}

/** Byte offsets in the kernels' memory for one call (population arrays, then one block of samples). */
interface Layout {
  /** LR(z) [Z + 4] f64; the sorted ratios with sentinels [Z + 4] f64; bucket starts [4Z + 2] i32; the
   * list of large buckets [⌊Z / 17⌋ + 1] i32. */
  zr: number;
  s: number;
  start: number;
  large: number;
  /** Samples per block (a multiple of 4); the block's reference signals [R, block] (f32 or f64), keep
   * [R, block] u8, target [block] f64, LR(x) [block + 2] f64, scores [block + 2] f64. */
  block: number;
  sig: number;
  keep: number;
  target: number;
  x: number;
  out: number;
  /** The lookup's list of pairs left to the exact path [block / 2 + 1] i32. */
  slow: number;
  end: number;
}

function layout(zn: number, nRows: number, signal: FloatArray, popSignal: FloatArray): Layout {
  const up = (v: number) => Math.ceil(v / 64) * 64;
  const esz = Math.max(signal.BYTES_PER_ELEMENT, popSignal.BYTES_PER_ELEMENT);
  // a block's reference rows fit in ~256 KB (the L2 cache), 64 to 8192 samples, even
  const block = 4 * Math.max(16, Math.min(2048, Math.floor(8192 / Math.max(1, nRows))));
  const zr = 0;
  const s = up(zr + 8 * (zn + 4));
  const start = up(s + 8 * (zn + 4));
  const large = up(start + 4 * (BUCKETS_PER_VALUE * zn + 2));
  const sig = up(large + 4 * (Math.floor(zn / LARGE_BUCKET) + 1));
  const keep = up(sig + esz * nRows * block);
  const target = up(keep + nRows * block);
  const x = up(target + 8 * block);
  const out = up(x + 8 * (block + 2));
  const slow = up(out + 8 * (block + 2));
  return { zr, s, start, large, block, sig, keep, target, x, out, slow, end: up(slow + 4 * (block / 2 + 1)) };
}

/** The sorted population ratios in the kernels' memory (see rmiaCountScores). */
interface SortedIndex {
  zn: number;
  /** Number of buckets (≥ 1), the smallest finite ratio (0 when none) and nb / (max − min) (0: one bucket). */
  nb: number;
  min: number;
  inv: number;
}

/**
 * Bucket-sorts the Z ratios at lay.zr into lay.s (s[0] = −∞, s[1..Z] ascending: finite, +∞, NaN; s[Z+1..Z+3]
 * = +∞) and writes the bucket starts at lay.start (bucket b holds sorted positions [start[b],
 * start[b+1])). Buckets of ≥ 17 values are sorted natively, then one insertion pass (moves stay inside a
 * bucket) sorts the small ones. RangeError for a negative ratio.
 */
function sortInMemory(eng: Engine, lay: Layout, zn: number): SortedIndex {
  const f64 = new Float64Array(eng.memory.buffer);
  const zr = lay.zr >> 3;
  let min = Infinity;
  let max = -Infinity;
  let nInf = 0;
  let fin = 0;
  for (let k = 0; k < zn; k++) {
    const v = f64[zr + k]!;
    if (v < Infinity) {
      if (!(v >= 0)) throw new RangeError(`rmiaCountScores: ratioZ[${k}] is ${v}; likelihood ratios are ≥ 0`);
      if (v < min) min = v;
      if (v > max) max = v;
      fin++;
    } else if (v === Infinity) nInf++;
  }
  let nb = BUCKETS_PER_VALUE * fin;
  let inv = nb / (max - min);
  if (!(fin > 0 && inv < Infinity)) {
    nb = 1; // no finite value, or all equal (or within a subnormal range): one bucket
    inv = 0;
    if (fin === 0) min = 0;
  }
  new Int32Array(eng.memory.buffer, lay.start, nb).fill(0);
  const nLarge = eng.bucketize(zn, lay.zr, lay.s, lay.start, nb, min, inv, fin, lay.large);
  const s = (lay.s >> 3) + 1; // f64[s + k] is sorted position k
  if (nLarge > 0) {
    const i32 = new Int32Array(eng.memory.buffer);
    const large = Array.from(i32.subarray(lay.large >> 2, (lay.large >> 2) + nLarge));
    const st = lay.start >> 2;
    for (const b of large) f64.subarray(s + i32[st + b]!, s + i32[st + b + 1]!).sort();
  }
  f64[s - 1] = -Infinity;
  eng.insertion(lay.s, fin);
  f64.fill(Infinity, s + fin, s + fin + nInf);
  f64.fill(Number.NaN, s + fin + nInf, s + zn);
  f64.fill(Infinity, s + zn, s + zn + 3);
  return { zn, nb, min, inv };
}

/**
 * Likelihood ratios for samples [0, n) block by block: copies each block's reference rows (`rows` of
 * `signal`, [·, n] row-major), keep rows (when `keep`) and target values into the kernels' memory, runs
 * the ratios kernel (x = (0 + p) / (c1 · (Σ_r u_r·v_r) / Σ_r u_r + c0), u_r = 1 − (keep & mask)) with
 * its output at dest(i0), then calls `then(i0, len)`. A failed check (a probability outside [0, 1], a
 * sample without OUT reference) is diagnosed from the inputs and thrown as the MiaError rmiaMeans throws.
 */
function ratioBlocks(
  eng: Engine,
  lay: Layout,
  signal: FloatArray,
  n: number,
  rows: Int32Array,
  keep: Uint8Array | undefined,
  mask: number,
  target: FloatArray,
  c1: number,
  c0: number,
  dest: (i0: number) => number,
  then?: (i0: number, len: number) => void,
): void {
  const nr = rows.length;
  const block = lay.block;
  const f32 = signal instanceof Float32Array;
  const kernel = f32 ? eng.ratiosF32 : eng.ratiosF64;
  for (let i0 = 0; i0 < n; i0 += block) {
    const len = Math.min(block, n - i0);
    const padded = (len + 3) & ~3;
    const buf = eng.memory.buffer;
    const sigView = f32
      ? new Float32Array(buf, lay.sig, nr * block)
      : new Float64Array(buf, lay.sig, nr * block);
    const keepView = new Uint8Array(buf, lay.keep, nr * block);
    for (let r = 0; r < nr; r++) {
      const o = rows[r]! * n + i0;
      sigView.set(signal.subarray(o, o + len), r * block);
      if (keep !== undefined) keepView.set(keep.subarray(o, o + len), r * block);
      // pad to a multiple of 4 with valid samples (p = 0, OUT everywhere); their outputs are ignored
      sigView.fill(0, r * block + len, r * block + padded);
      keepView.fill(0, r * block + len, r * block + padded);
    }
    const t = new Float64Array(buf, lay.target, padded);
    t.set(target.subarray(i0, i0 + len));
    t.fill(0, len);
    const bad = kernel(padded, nr, block, lay.sig, lay.keep, mask, lay.target, dest(i0), c1, c0);
    if (bad >= 0) diagnose(signal, n, rows, keep, mask, target, i0 + bad, Math.min(n, i0 + bad + 4));
    then?.(i0, len);
  }
}

/** Throws the error of the first failing sample in [from, to) (see ratioBlocks). */
function diagnose(
  signal: FloatArray,
  n: number,
  rows: Int32Array,
  keep: Uint8Array | undefined,
  mask: number,
  target: FloatArray,
  from: number,
  to: number,
): never {
  for (let i = from; i < to; i++) {
    const p = target[i]!;
    if (!(p >= 0 && p <= 1)) probError(p);
    let count = 0;
    for (const m of rows) {
      const v = signal[m * n + i]!;
      if (!(v >= 0 && v <= 1)) probError(v);
      count += 1 - ((keep?.[m * n + i] ?? 0) & mask);
    }
    if (count === 0) {
      throw new MiaError(
        'E_EMPTY',
        `sample ${i} has no OUT reference model (every reference trained on it)`,
        {
          where: 'rmia',
          expected: 'at least one OUT reference model per sample for offline RMIA (or use rmia-online)',
        },
      );
    }
  }
  throw new Error(`RMIA kernel reported samples ${from}..${to - 1} but they pass every check`);
}

/** 1/γ when x · (1/γ) equals x / γ for every x (γ a power of two with a finite reciprocal), else 0. */
function exactReciprocal(gamma: number): number {
  const r = 1 / gamma;
  return Number.isFinite(r) && 2 ** Math.round(Math.log2(gamma)) === gamma ? r : 0;
}

/** Scores of the `len` ratios at lay.x into out[i0 …] (RangeError for a negative ratio). */
function lookupBlock(
  eng: Engine,
  lay: Layout,
  sorted: SortedIndex,
  gamma: number,
  len: number,
  out: Float64Array,
  i0: number,
): void {
  const { zn, nb, min, inv } = sorted;
  const bad = eng.lookup(
    len,
    lay.x,
    lay.out,
    lay.s,
    lay.start,
    min,
    inv,
    nb - 1,
    zn,
    gamma,
    exactReciprocal(gamma),
    lay.slow,
  );
  if (bad >= 0) {
    const xs = new Float64Array(eng.memory.buffer, lay.x, len);
    const i = xs[bad]! < 0 ? bad : bad + 1;
    throw new RangeError(`rmiaCountScores: ratioX[${i0 + i}] is ${xs[i]}; likelihood ratios are ≥ 0`);
  }
  out.set(new Float64Array(eng.memory.buffer, lay.out, len), i0);
}

/** The grid Privacy Meter's tune_offline_a searches: a = 0, 0.1, …, 1.0 (here exactly k/10). */
export const RMIA_A_GRID: readonly number[] = Array.from({ length: 11 }, (_, k) => k / 10);

export interface RmiaTuning {
  /** The a with the highest AUC (the smallest such a on ties). */
  a: number;
  /** The reference row that acted as target. */
  pairedRow: number;
  /** AUC for each grid value, in grid order. */
  grid: readonly number[];
  auc: Float64Array;
}

/**
 * Chooses the offline coefficient `a` as Privacy Meter's tune_offline_a does: one reference model (the
 * "paired" model; default the first row of `refs`) plays the target, its keep row is the truth, the
 * other references are its references; offline RMIA runs for every a in `grid` (default
 * {@link RMIA_A_GRID}) and the a with the highest AUC (Mann–Whitney, ties count ½) wins; ties keep the
 * smaller a (PM's strict `>`). Needs ≥ 2 references, population signals, and a paired model that
 * trained on some but not all audit samples (E_EMPTY / E_MISSING_FIELD / E_CONFIG otherwise).
 */
export function tuneRmiaA(
  refs: ReferenceView,
  options: { gamma?: number; signal?: RmiaSignal; pairedRow?: number; grid?: readonly number[] } = {},
): RmiaTuning {
  const pop = refs.pop;
  if (refs.rows.length < 2) {
    throw new MiaError('E_EMPTY', 'tuning RMIA a needs at least 2 reference models (one acts as target)', {
      where: 'rmia a',
      found: `${refs.rows.length} reference model(s)`,
    });
  }
  const paired = options.pairedRow ?? refs.rows[0]!;
  if (!refs.rows.includes(paired)) {
    throw new MiaError('E_CONFIG', 'the paired model must be one of the reference models', {
      where: 'rmia pairedRow',
      expected: `one of rows ${Array.from(refs.rows).join(', ')}`,
      found: String(paired),
    });
  }
  if (pop.popSignal === undefined) {
    throw new MiaError('E_MISSING_FIELD', 'RMIA needs population signals (pop_scores)', { where: 'rmia' });
  }
  const n = pop.samples;
  const rowLen = n * pop.queries;
  const popLen = pop.popSamples * pop.popQueries;
  const target = pop.signal.subarray(paired * rowLen, (paired + 1) * rowLen);
  const member = pop.keep.subarray(paired * n, (paired + 1) * n);
  const targetPop = pop.popSignal.subarray(paired * popLen, (paired + 1) * popLen);
  const others = withoutRow(refs, paired);
  const means = rmiaMeans(others, target, targetPop, 'offline', options.signal ?? 'scaled-logit');
  const grid = options.grid ?? RMIA_A_GRID;
  const auc = new Float64Array(grid.length);
  let best = -1;
  let bestA = Number.NaN;
  for (let g = 0; g < grid.length; g++) {
    const a = checkA({ mode: 'offline', a: grid[g]! });
    const r = ratiosFromMeans(means, 'offline', a);
    const scores = rmiaCountScores(r.x, r.z, options.gamma ?? 1);
    auc[g] = aucMannWhitney(scores, member);
    if (auc[g]! > best) {
      best = auc[g]!;
      bestA = a;
    }
  }
  return { a: bestA, pairedRow: paired, grid, auc };
}

/**
 * ROC AUC as the Mann–Whitney statistic: P(score of a member > score of a non-member) + ½ P(equal),
 * equal to sklearn.metrics.roc_auc_score. E_EMPTY when either class is empty.
 */
export function aucMannWhitney(scores: Float64Array, isMember: Uint8Array): number {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((p, q) => scores[p]! - scores[q]!);
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += isMember[i]!;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new MiaError('E_EMPTY', 'AUC needs members and non-members', {
      found: `${nPos} members, ${nNeg} non-members`,
    });
  }
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && scores[order[j]!] === scores[order[i]!]) j++;
    const midRank = (i + 1 + j) / 2; // 1-based ranks i+1..j
    for (let k = i; k < j; k++) if (isMember[order[k]!] === 1) rankSum += midRank;
    i = j;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

function checkA(options: RmiaOptions): number {
  if (options.mode !== 'offline') return Number.NaN;
  const a = options.a;
  if (a === undefined || !(a >= 0 && a <= 1)) {
    throw new MiaError('E_CONFIG', 'offline RMIA needs the coefficient a in [0, 1]', {
      where: 'rmia a',
      found: String(a),
    });
  }
  return a;
}

/** LR(x), LR(z) from the means; `inPlace` overwrites m.px and m.pz with them (no new arrays). */
function ratiosFromMeans(m: RmiaMeans, mode: RmiaMode, a: number, inPlace = false): RmiaRatios {
  const x = inPlace ? m.px : new Float64Array(m.px.length);
  const z = inPlace ? m.pz : new Float64Array(m.pz.length);
  if (mode === 'offline') {
    const c1 = (1 + a) / 2;
    const c0 = (1 - a) / 2;
    for (let i = 0; i < x.length; i++) x[i] = m.px[i]! / (c1 * m.meanX[i]! + c0);
    for (let k = 0; k < z.length; k++) z[k] = m.pz[k]! / (c1 * m.meanZ[k]! + c0);
  } else {
    for (let i = 0; i < x.length; i++) x[i] = m.px[i]! / m.meanX[i]!;
    for (let k = 0; k < z.length; k++) z[k] = m.pz[k]! / m.meanZ[k]!;
  }
  return { x, z };
}

function rmiaMeans(
  refs: ReferenceView,
  target: FloatArray,
  targetPop: FloatArray | undefined,
  mode: RmiaMode,
  signal: RmiaSignal,
): RmiaMeans {
  const pop = refs.pop;
  if (refs.rows.length === 0) {
    throw new MiaError('E_EMPTY', 'RMIA needs at least one reference model', { where: 'rmia' });
  }
  if (pop.popSignal === undefined || targetPop === undefined) {
    throw new MiaError(
      'E_MISSING_FIELD',
      'RMIA needs population signals (pop_scores and pop_target_scores)',
      {
        where: 'rmia',
      },
    );
  }
  const n = pop.samples;
  const q = pop.queries;
  const zn = pop.popSamples;
  const qz = pop.popQueries;
  lengthCheck(target, n * q, 'target', `[${n}, ${q}]`);
  lengthCheck(targetPop, zn * qz, 'pop_target', `[${zn}, ${qz}]`);
  const prob = signal === 'probability';
  const px = rowProbabilities(target, 0, n, q, prob);
  const pz = rowProbabilities(targetPop, 0, zn, qz, prob);
  const sumX = new Float64Array(n);
  const cntX = new Int32Array(n);
  const sumZ = new Float64Array(zn);
  const offline = mode === 'offline';
  const keep = pop.keep;
  const sig = pop.signal;
  const popSig = pop.popSignal;
  const rows = refs.rows;
  let r = 0;
  if (q === 1 && prob) {
    // The common fast path, four reference rows at a time with the sums kept in registers, added in
    // the same order as one row at a time (so the same bits). Branch-free: an IN reference adds
    // 0·p = 0 (exact) and 0 to the count — the same sums as skipping it.
    const useKeep = offline ? 1 : 0;
    for (; r + 4 <= rows.length; r += 4) {
      const o0 = rows[r]! * n;
      const o1 = rows[r + 1]! * n;
      const o2 = rows[r + 2]! * n;
      const o3 = rows[r + 3]! * n;
      for (let i = 0; i < n; i++) {
        const v0 = sig[o0 + i]!;
        const v1 = sig[o1 + i]!;
        const v2 = sig[o2 + i]!;
        const v3 = sig[o3 + i]!;
        if (!(v0 >= 0 && v0 <= 1 && v1 >= 0 && v1 <= 1 && v2 >= 0 && v2 <= 1 && v3 >= 0 && v3 <= 1)) {
          probError(v0 >= 0 && v0 <= 1 ? (v1 >= 0 && v1 <= 1 ? (v2 >= 0 && v2 <= 1 ? v3 : v2) : v1) : v0);
        }
        const u0 = 1 - useKeep * keep[o0 + i]!;
        const u1 = 1 - useKeep * keep[o1 + i]!;
        const u2 = 1 - useKeep * keep[o2 + i]!;
        const u3 = 1 - useKeep * keep[o3 + i]!;
        let acc = sumX[i]!;
        acc += u0 * v0;
        acc += u1 * v1;
        acc += u2 * v2;
        acc += u3 * v3;
        sumX[i] = acc;
        cntX[i]! += u0 + u1 + u2 + u3;
      }
    }
    for (; r < rows.length; r++) {
      const o = rows[r]! * n;
      for (let i = 0; i < n; i++) {
        const u = 1 - useKeep * keep[o + i]!;
        const v = sig[o + i]!;
        if (!(v >= 0 && v <= 1)) probError(v);
        sumX[i]! += u * v;
        cntX[i]! += u;
      }
    }
  } else {
    for (const m of rows) {
      const kOff = m * n;
      const sOff = m * n * q;
      for (let i = 0; i < n; i++) {
        if (offline && keep[kOff + i] === 1) continue;
        sumX[i]! += probAt(sig, sOff + i * q, q, prob);
        cntX[i]!++;
      }
    }
  }
  for (const m of rows) {
    const zOff = m * zn * qz;
    if (qz === 1 && prob) {
      for (let k = 0; k < zn; k++) {
        const val = popSig[zOff + k]!;
        if (!(val >= 0 && val <= 1)) probError(val);
        sumZ[k]! += val;
      }
    } else {
      for (let k = 0; k < zn; k++) sumZ[k]! += probAt(popSig, zOff + k * qz, qz, prob);
    }
  }
  const meanX = sumX; // in place
  for (let i = 0; i < n; i++) {
    if (cntX[i] === 0) {
      throw new MiaError(
        'E_EMPTY',
        `sample ${i} has no OUT reference model (every reference trained on it)`,
        {
          where: 'rmia',
          expected: 'at least one OUT reference model per sample for offline RMIA (or use rmia-online)',
        },
      );
    }
    meanX[i] = sumX[i]! / cntX[i]!;
  }
  const meanZ = sumZ; // in place
  const nRef = refs.rows.length;
  for (let k = 0; k < zn; k++) meanZ[k] = sumZ[k]! / nRef;
  return { px, meanX, pz, meanZ };
}

/**
 * Pr(·|θ) for `count` samples of one model's [count, q] block starting at `offset` (see probAt).
 */
function rowProbabilities(
  v: FloatArray,
  offset: number,
  count: number,
  q: number,
  prob: boolean,
): Float64Array {
  const out = new Float64Array(count);
  if (q === 1 && prob) {
    for (let i = 0; i < count; i++) {
      const val = v[offset + i]!;
      if (!(val >= 0 && val <= 1)) probError(val);
      out[i] = 0 + val;
    }
  } else if (q === 1) {
    for (let i = 0; i < count; i++) out[i] = 0 + 1 / (1 + Math.exp(-v[offset + i]!));
  } else {
    for (let i = 0; i < count; i++) out[i] = probAt(v, offset + i * q, q, prob);
  }
  return out;
}

/**
 * The mean over the q queries at v[o..o+q) of sigmoid(value), or of the value itself for probability
 * signals (which must lie in [0, 1]; −0 becomes 0). For q = 1 the value itself (0 + p, no division).
 */
function probAt(v: FloatArray, o: number, q: number, prob: boolean): number {
  let s = 0;
  for (let a = 0; a < q; a++) {
    const val = v[o + a]!;
    if (prob) {
      if (!(val >= 0 && val <= 1)) probError(val);
      s += val;
    } else {
      s += 1 / (1 + Math.exp(-val));
    }
  }
  return q === 1 ? s : s / q;
}

function probError(val: number): never {
  throw new MiaError('E_CONFIG', `probability signal outside [0, 1]: ${val}`, { where: 'rmia signal' });
}

function lengthCheck(a: FloatArray, expected: number, field: string, shape: string): void {
  if (a.length !== expected) {
    throw new MiaError('E_SHAPE_MISMATCH', `${field} signal does not match the reference signals`, {
      where: field,
      expected: `${shape} = ${expected} values`,
      found: `${a.length} values`,
    });
  }
}

// ---- the kernels (WebAssembly text, assembled by assembleWat below) ----------------------------------

/**
 * ratios_<t>(n, R, stride, sig, keep, mask, target, out, c1, c0): for the samples i in [0, n) of a block
 * (four per step; the caller pads n up to a multiple of 4 with valid samples), with the R reference rows
 * at sig + r·stride (element type t) and keep + r·stride (u8):
 *   out[i] = (0 + target[i]) / (c1 · (acc / c) + c0),  acc = ((0 + w_0) + w_1) + …,  c = |{ r : OUT }|,
 *   w_r = v_r when reference r counts (OUT: keep_r[i] & mask = 0), else +0
 * — the float64 operations of rmiaMeans + ratiosFromMeans in the same order (skipping an IN reference
 * there, adding +0 here: the same bits). w_r is v_r AND-ed with an all-ones / all-zeros lane mask.
 * Returns −1, or the first index of a step (of four) in which a value lies outside [0, 1] (NaN included)
 * or c = 0, writing nothing for that step.
 */
function ratiosKernelText(t: 'f32' | 'f64'): string {
  // v01, v23: the values of samples i, i+1 and i+2, i+3 of one reference row as f64x2
  const loads =
    t === 'f64'
      ? `(local.set $v01 (v128.load (local.get $sp)))
          (local.set $v23 (v128.load offset=16 (local.get $sp)))`
      : `(local.set $v01 (v128.load (local.get $sp)))
          (local.set $v23 (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v01) (local.get $v01))))
          (local.set $v01 (f64x2.promote_low_f32x4 (local.get $v01)))`;
  const size = t === 'f64' ? 3 : 2;
  const check = (v: string) =>
    `(v128.and (f64x2.ge (local.get ${v}) (local.get $zero)) (f64x2.le (local.get ${v}) (local.get $one)))`;
  const ratio = (
    acc: string,
    cnt: string,
    p: string,
  ) => `(f64x2.div (f64x2.add (local.get $zero) (local.get ${p}))
            (f64x2.add (f64x2.mul (local.get $C1)
                                  (f64x2.div (local.get ${acc})
                                             (f64x2.convert_low_i32x4_s
                                               (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get ${cnt}) (local.get ${cnt})))))
                       (local.get $C0)))`;
  return `
  (func $ratios_${t} (export "ratios_${t}")
    (param $n i32) (param $R i32) (param $stride i32) (param $sig i32) (param $keep i32) (param $mask i32)
    (param $target i32) (param $out i32) (param $c1 f64) (param $c0 f64) (result i32)
    (local $i i32) (local $r i32) (local $sp i32) (local $kp i32) (local $rowBytes i32)
    (local $acc01 v128) (local $acc23 v128) (local $cnt01 v128) (local $cnt23 v128) (local $v01 v128) (local $v23 v128)
    (local $m v128) (local $m01 v128) (local $m23 v128) (local $ok v128) (local $p01 v128) (local $p23 v128)
    (local $maskv v128) (local $zero v128) (local $one v128) (local $C1 v128) (local $C0 v128)
    (local.set $maskv (i8x16.splat (local.get $mask)))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $C0 (f64x2.splat (local.get $c0)))
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const ${size})))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p01 (v128.load (i32.add (local.get $target) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $p23 (v128.load offset=16 (i32.add (local.get $target) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $ok (v128.and ${check('$p01')} ${check('$p23')}))
        (local.set $acc01 (local.get $zero))
        (local.set $acc23 (local.get $zero))
        (local.set $cnt01 (local.get $zero))
        (local.set $cnt23 (local.get $zero))
        (local.set $sp (i32.add (local.get $sig) (i32.shl (local.get $i) (i32.const ${size}))))
        (local.set $kp (i32.add (local.get $keep) (local.get $i)))
        (local.set $r (local.get $R))
        (loop $row
          ${loads}
          (local.set $ok (v128.and (local.get $ok) (v128.and ${check('$v01')} ${check('$v23')})))
          ;; byte masks 0xff where keep & mask = 0 (OUT), widened to 8 bytes per sample
          (local.set $m (i8x16.eq (v128.and (v128.load32_splat (local.get $kp)) (local.get $maskv)) (local.get $zero)))
          (local.set $m01 (i8x16.shuffle 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 (local.get $m) (local.get $m)))
          (local.set $m23 (i8x16.shuffle 2 2 2 2 2 2 2 2 3 3 3 3 3 3 3 3 (local.get $m) (local.get $m)))
          (local.set $acc01 (f64x2.add (local.get $acc01) (v128.and (local.get $v01) (local.get $m01))))
          (local.set $acc23 (f64x2.add (local.get $acc23) (v128.and (local.get $v23) (local.get $m23))))
          (local.set $cnt01 (i64x2.sub (local.get $cnt01) (local.get $m01)))
          (local.set $cnt23 (i64x2.sub (local.get $cnt23) (local.get $m23)))
          (local.set $sp (i32.add (local.get $sp) (local.get $rowBytes)))
          (local.set $kp (i32.add (local.get $kp) (local.get $stride)))
          (br_if $row (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))
        ;; every value in [0, 1] and every count > 0
        (if (i32.eqz (i32.and (i32.and (i64x2.all_true (local.get $ok)) (i64x2.all_true (local.get $cnt01)))
                              (i64x2.all_true (local.get $cnt23))))
          (then (return (local.get $i))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) ${ratio('$acc01', '$cnt01', '$p01')})
        (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) ${ratio('$acc23', '$cnt23', '$p23')})
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (i32.const -1))`;
}

const LOW_F = String(1 - DELTA);
const HIGH_F = String(1 + DELTA);

/**
 * The module: ratios_f64, ratios_f32 (above) and
 *   lookup(n, xs, out, s, start, min, inv, last, zn, gamma): out[i] = count(xs[i]) / zn for i in [0, n)
 *   (two per step; an odd n reads one padded x), count as in rmiaCountScores over the sorted index
 *   (s with sentinels, bucket starts, bucket(v) = clamp(trunc((v − min)·inv), 0, last)). The SIMD step
 *   takes, per sample, its bucket's start k and s[k−1 … k+2] (the value below the bucket and the first
 *   three from it); when neither of the first two from k lies in t·(1 ± δ), the one below is under
 *   t(1 − δ) and the third is above t(1 + δ), the count is k plus those of the first two below t. Else
 *   $one scans the bucket and checks the two neighbours, and $exact binary-searches the exact predicate.
 *   Returns −1, or the first pair index holding a negative x (nothing computed for it).
 */
const RMIA_KERNELS = `(module
  (memory (export "memory") 1)
  ${ratiosKernelText('f64')}
  ${ratiosKernelText('f32')}
  ;; bucket sort, first part (the caller zeroes start[0..nb)): bucket sizes of the finite values at zr,
  ;; the start of every bucket, and the values scattered to their buckets (sorted position p at
  ;; s + 8 + 8p). bucket(v) = f ≥ last ? last : trunc(f), f = (v − min)·inv ≥ 0 (the lookup's clamp
  ;; gives the same). Returns the number of buckets reaching ${LARGE_BUCKET} values, listed at $large (the
  ;; caller sorts those).
  (func $bucketize (export "bucketize")
    (param $zn i32) (param $zr i32) (param $s i32) (param $start i32) (param $nb i32) (param $min f64)
    (param $inv f64) (param $fin i32) (param $large i32) (result i32)
    (local $k i32) (local $b i32) (local $c i32) (local $a i32) (local $nl i32) (local $sum i32)
    (local $v f64) (local $f f64) (local $last i32) (local $lastF f64)
    (local.set $last (i32.sub (local.get $nb) (i32.const 1)))
    (local.set $lastF (f64.convert_i32_s (local.get $last)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $zn)))
      (local.set $v (f64.load (i32.add (local.get $zr) (i32.shl (local.get $k) (i32.const 3)))))
      (if (f64.lt (local.get $v) (f64.const Infinity))
        (then
          (local.set $f (f64.mul (f64.sub (local.get $v) (local.get $min)) (local.get $inv)))
          (local.set $b (select (local.get $last) (i32.trunc_sat_f64_s (local.get $f)) (f64.ge (local.get $f) (local.get $lastF))))
          (local.set $a (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2))))
          (local.set $c (i32.add (i32.load (local.get $a)) (i32.const 1)))
          (i32.store (local.get $a) (local.get $c))
          (if (i32.eq (local.get $c) (i32.const ${LARGE_BUCKET}))
            (then
              (i32.store (i32.add (local.get $large) (i32.shl (local.get $nl) (i32.const 2))) (local.get $b))
              (local.set $nl (i32.add (local.get $nl) (i32.const 1)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    ;; inclusive prefix sums: start[b] = end of bucket b
    (local.set $a (local.get $start))
    (local.set $c (i32.add (local.get $start) (i32.shl (local.get $nb) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $c)))
      (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $a))))
      (i32.store (local.get $a) (local.get $sum))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br $next)))
    ;; scatter from the end, so that start[b] ends at the beginning of bucket b
    (local.set $k (local.get $zn))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $k)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (local.set $v (f64.load (i32.add (local.get $zr) (i32.shl (local.get $k) (i32.const 3)))))
      (if (f64.lt (local.get $v) (f64.const Infinity))
        (then
          (local.set $f (f64.mul (f64.sub (local.get $v) (local.get $min)) (local.get $inv)))
          (local.set $b (select (local.get $last) (i32.trunc_sat_f64_s (local.get $f)) (f64.ge (local.get $f) (local.get $lastF))))
          (local.set $a (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2))))
          (local.set $c (i32.sub (i32.load (local.get $a)) (i32.const 1)))
          (i32.store (local.get $a) (local.get $c))
          (f64.store offset=8 (i32.add (local.get $s) (i32.shl (local.get $c) (i32.const 3))) (local.get $v))))
      (br $next)))
    (i32.store (i32.add (local.get $start) (i32.shl (local.get $nb) (i32.const 2))) (local.get $fin))
    (local.get $nl))
  ;; bucket sort, last part: one insertion pass over the finite values s[1..fin] (s[0] = −∞ stops it);
  ;; every value moves only inside its bucket, which the caller has sorted when large
  (func $insertion (export "insertion") (param $s i32) (param $fin i32)
    (local $i i32) (local $p i32) (local $v f64) (local $w f64)
    (local.set $i (i32.const 2))
    (block $done (loop $next
      (br_if $done (i32.gt_s (local.get $i) (local.get $fin)))
      ;; p → s[i − 1]; v = s[i]
      (local.set $p (i32.add (local.get $s) (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 3))))
      (local.set $v (f64.load offset=8 (local.get $p)))
      (local.set $w (f64.load (local.get $p)))
      (if (f64.gt (local.get $w) (local.get $v))
        (then
          (loop $shift
            (f64.store offset=8 (local.get $p) (local.get $w))
            (local.set $p (i32.sub (local.get $p) (i32.const 8)))
            (local.set $w (f64.load (local.get $p)))
            (br_if $shift (f64.gt (local.get $w) (local.get $v))))
          (f64.store offset=8 (local.get $p) (local.get $v))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  ;; |{ k : x / sorted[k] > gamma }| by binary search (the predicate holds on a prefix)
  (func $exact (param $x f64) (param $s i32) (param $zn i32) (param $gamma f64) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32)
    (local.set $hi (local.get $zn))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $lo) (local.get $hi)))
      (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
      (if (f64.gt (f64.div (local.get $x) (f64.load offset=8 (i32.add (local.get $s) (i32.shl (local.get $mid) (i32.const 3)))))
                  (local.get $gamma))
        (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
        (else (local.set $hi (local.get $mid))))
      (br $next)))
    (local.get $lo))
  ;; the count for one x ≥ 0 (or NaN): bucket start, scan of the bucket, neighbour check; else exact
  (func $one (param $x f64) (param $s i32) (param $start i32) (param $min f64) (param $inv f64)
             (param $last i32) (param $zn i32) (param $gamma f64) (result i32)
    (local $t f64) (local $b i32) (local $p i32)
    (local.set $t (f64.div (local.get $x) (local.get $gamma)))
    (if (i32.and (i32.and (f64.gt (local.get $t) (f64.const ${SAFE_MIN})) (f64.lt (local.get $t) (f64.const ${SAFE_MAX})))
                 (f64.lt (local.get $x) (f64.const ${SAFE_MAX})))
      (then
        (local.set $b (i32.trunc_sat_f64_s (f64.mul (f64.sub (local.get $t) (local.get $min)) (local.get $inv))))
        (local.set $b (select (i32.const 0) (local.get $b) (i32.lt_s (local.get $b) (i32.const 0))))
        (local.set $b (select (local.get $last) (local.get $b) (i32.gt_s (local.get $b) (local.get $last))))
        ;; p → s[k] with k = start[b]; advance while the next value is below t (a larger value or the
        ;; +∞ sentinel ends every bucket)
        (local.set $p (i32.add (local.get $s)
          (i32.shl (i32.load (i32.add (local.get $start) (i32.shl (local.get $b) (i32.const 2)))) (i32.const 3))))
        (block $done (loop $next
          (br_if $done (i32.eqz (f64.lt (f64.load offset=8 (local.get $p)) (local.get $t))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br $next)))
        (if (i32.and (f64.lt (f64.load (local.get $p)) (f64.mul (local.get $t) (f64.const ${LOW_F})))
                     (f64.gt (f64.load offset=8 (local.get $p)) (f64.mul (local.get $t) (f64.const ${HIGH_F}))))
          (then (return (i32.shr_u (i32.sub (local.get $p) (local.get $s)) (i32.const 3)))))))
    (call $exact (local.get $x) (local.get $s) (local.get $zn) (local.get $gamma)))
  (func $lookup (export "lookup")
    (param $n i32) (param $xs i32) (param $out i32) (param $s i32) (param $start i32)
    (param $min f64) (param $inv f64) (param $last i32) (param $zn i32) (param $gamma f64) (param $ginv f64)
    (param $slow i32) (result i32)
    (local $i i32) (local $o i32) (local $k0 i32) (local $k1 i32) (local $useMul i32) (local $ns i32)
    (local $LOWV v128) (local $HIGHV v128) (local $SMIN v128) (local $SMAX v128) (local $GINV v128)
    (local $X v128) (local $T v128) (local $TL v128) (local $TH v128) (local $B v128)
    (local $R0 v128) (local $R0b v128) (local $R1 v128) (local $R1b v128)
    (local $PV v128) (local $A v128) (local $BB v128) (local $CC v128) (local $LA v128) (local $LB v128)
    (local $MIN v128) (local $INV v128) (local $G v128) (local $LASTV v128) (local $ZN v128) (local $zero v128)
    (local.set $MIN (f64x2.splat (local.get $min)))
    (local.set $INV (f64x2.splat (local.get $inv)))
    (local.set $G (f64x2.splat (local.get $gamma)))
    (local.set $LASTV (i32x4.splat (local.get $last)))
    (local.set $ZN (f64x2.splat (f64.convert_i32_s (local.get $zn))))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (local.set $LOWV (f64x2.splat (f64.const ${LOW_F})))
    (local.set $HIGHV (f64x2.splat (f64.const ${HIGH_F})))
    (local.set $SMIN (f64x2.splat (f64.const ${SAFE_MIN})))
    (local.set $SMAX (f64x2.splat (f64.const ${SAFE_MAX})))
    (local.set $GINV (f64x2.splat (local.get $ginv)))
    (local.set $useMul (f64.gt (local.get $ginv) (f64.const 0)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $X (v128.load (i32.add (local.get $xs) (local.get $o))))
        ;; t = x / γ, as x · (1/γ) when that is exact (γ a power of two)
        (local.set $T (if (result v128) (local.get $useMul)
          (then (f64x2.mul (local.get $X) (local.get $GINV)))
          (else (f64x2.div (local.get $X) (local.get $G)))))
        (local.set $TL (f64x2.mul (local.get $T) (local.get $LOWV)))
        (local.set $TH (f64x2.mul (local.get $T) (local.get $HIGHV)))
        (local.set $B (i32x4.min_s (i32x4.max_s
          (i32x4.trunc_sat_f64x2_s_zero (f64x2.mul (f64x2.sub (local.get $T) (local.get $MIN)) (local.get $INV)))
          (v128.const i32x4 0 0 0 0)) (local.get $LASTV)))
        (local.set $k0 (i32.load (i32.add (local.get $start) (i32.shl (i32x4.extract_lane 0 (local.get $B)) (i32.const 2)))))
        (local.set $k1 (i32.load (i32.add (local.get $start) (i32.shl (i32x4.extract_lane 1 (local.get $B)) (i32.const 2)))))
        ;; s[k − 1], s[k] | s[k + 1], s[k + 2] of each sample (the array starts with the −∞ sentinel)
        (local.set $R0 (v128.load (i32.add (local.get $s) (i32.shl (local.get $k0) (i32.const 3)))))
        (local.set $R0b (v128.load offset=16 (i32.add (local.get $s) (i32.shl (local.get $k0) (i32.const 3)))))
        (local.set $R1 (v128.load (i32.add (local.get $s) (i32.shl (local.get $k1) (i32.const 3)))))
        (local.set $R1b (v128.load offset=16 (i32.add (local.get $s) (i32.shl (local.get $k1) (i32.const 3)))))
        (local.set $PV (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $R0) (local.get $R1)))
        (local.set $A (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $R0) (local.get $R1)))
        (local.set $BB (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $R0b) (local.get $R1b)))
        (local.set $CC (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $R0b) (local.get $R1b)))
        (local.set $LA (f64x2.lt (local.get $A) (local.get $TL)))
        (local.set $LB (f64x2.lt (local.get $BB) (local.get $TL)))
        (if (i64x2.all_true
              (v128.and
                (v128.and
                  (v128.and (f64x2.lt (local.get $PV) (local.get $TL)) (f64x2.gt (local.get $CC) (local.get $TH)))
                  (v128.and (v128.or (local.get $LA) (f64x2.gt (local.get $A) (local.get $TH)))
                            (v128.or (local.get $LB) (f64x2.gt (local.get $BB) (local.get $TH)))))
                (v128.and
                  (v128.and (f64x2.gt (local.get $T) (local.get $SMIN)) (f64x2.lt (local.get $T) (local.get $SMAX)))
                  (f64x2.lt (local.get $X) (local.get $SMAX)))))
          (then
            ;; count = k − (a < tl) − (b < tl) with the lane masks −1 / 0, low i32 halves → f64, / zn
            (v128.store (i32.add (local.get $out) (local.get $o))
              (f64x2.div
                (f64x2.convert_low_i32x4_s
                  (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11
                    (i64x2.sub (i64x2.sub
                      (i64x2.replace_lane 1 (i64x2.splat (i64.extend_i32_u (local.get $k0))) (i64.extend_i32_u (local.get $k1)))
                      (local.get $LA)) (local.get $LB))
                    (local.get $zero)))
                (local.get $ZN))))
          (else
            ;; decided below, outside this loop (a call here would make every iteration spill)
            (i32.store (i32.add (local.get $slow) (i32.shl (local.get $ns) (i32.const 2))) (local.get $i))
            (local.set $ns (i32.add (local.get $ns) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next)))
    ;; the pairs the fast path left: a negative x (which fails t > 1e-280) is reported, others counted
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $ns)))
        (local.set $k0 (i32.load (i32.add (local.get $slow) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $o (i32.shl (local.get $k0) (i32.const 3)))
        (local.set $X (v128.load (i32.add (local.get $xs) (local.get $o))))
        (if (v128.any_true (f64x2.lt (local.get $X) (local.get $zero))) (then (return (local.get $k0))))
        (f64.store (i32.add (local.get $out) (local.get $o))
          (f64.div (f64.convert_i32_s (call $one (f64x2.extract_lane 0 (local.get $X)) (local.get $s) (local.get $start)
                                                (local.get $min) (local.get $inv) (local.get $last) (local.get $zn) (local.get $gamma)))
                   (f64.convert_i32_s (local.get $zn))))
        (f64.store offset=8 (i32.add (local.get $out) (local.get $o))
          (f64.div (f64.convert_i32_s (call $one (f64x2.extract_lane 1 (local.get $X)) (local.get $s) (local.get $start)
                                                (local.get $min) (local.get $inv) (local.get $last) (local.get $zn) (local.get $gamma)))
                   (f64.convert_i32_s (local.get $zn))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))
)`;

// ---- a minimal WebAssembly text assembler -----------------------------------------------------------
// The kernels below are written in the WebAssembly text format (folded s-expressions, as `wat2wasm`
// reads them) and assembled here at first use, so the repository holds no binary. Only the subset the
// kernels use is supported: one exported memory, functions with named params / locals / labels, block,
// loop, if/then/else, br, br_if, return, call, select, and the numeric and SIMD instructions listed in
// OPCODES. Constants are decimal (the templates interpolate exact JS doubles). A malformed kernel fails
// loudly: unknown instruction or name → Error here, invalid module → WebAssembly.CompileError.

type SExpr = string | SExpr[];

/** Opcode bytes; SIMD ones as [0xfd, LEB128 of the SIMD opcode], saturating truncation as [0xfc, n]. */
const OPCODES: Record<string, number[]> = {
  br: [0x0c],
  br_if: [0x0d],
  return: [0x0f],
  call: [0x10],
  drop: [0x1a],
  select: [0x1b],
  'local.get': [0x20],
  'local.set': [0x21],
  'local.tee': [0x22],
  'i32.load': [0x28],
  'f64.load': [0x2b],
  'i32.store': [0x36],
  'i64.store': [0x37],
  'f64.store': [0x39],
  'i32.const': [0x41],
  'f64.const': [0x44],
  'i32.eqz': [0x45],
  'i32.eq': [0x46],
  'i32.lt_s': [0x48],
  'i32.gt_s': [0x4a],
  'i32.ge_u': [0x4f],
  'f64.lt': [0x63],
  'f64.gt': [0x64],
  'f64.ge': [0x66],
  'i32.add': [0x6a],
  'i32.sub': [0x6b],
  'i32.and': [0x71],
  'i32.shl': [0x74],
  'i32.shr_u': [0x76],
  'f64.sub': [0xa1],
  'f64.mul': [0xa2],
  'f64.div': [0xa3],
  'i64.extend_i32_u': [0xad],
  'f64.convert_i32_s': [0xb7],
  'i32.trunc_sat_f64_s': [0xfc, 0x02],
  'v128.load': [0xfd, 0x00],
  'v128.load16_splat': [0xfd, 0x08],
  'v128.load32_splat': [0xfd, 0x09],
  'v128.store': [0xfd, 0x0b],
  'v128.const': [0xfd, 0x0c],
  'i8x16.shuffle': [0xfd, 0x0d],
  'i8x16.splat': [0xfd, 0x0f],
  'i32x4.splat': [0xfd, 0x11],
  'i64x2.splat': [0xfd, 0x12],
  'f64x2.splat': [0xfd, 0x14],
  'i32x4.extract_lane': [0xfd, 0x1b],
  'i64x2.extract_lane': [0xfd, 0x1d],
  'i64x2.replace_lane': [0xfd, 0x1e],
  'f64x2.extract_lane': [0xfd, 0x21],
  'i8x16.eq': [0xfd, 0x23],
  'f64x2.lt': [0xfd, 0x49],
  'f64x2.gt': [0xfd, 0x4a],
  'f64x2.le': [0xfd, 0x4b],
  'f64x2.ge': [0xfd, 0x4c],
  'v128.and': [0xfd, 0x4e],
  'v128.or': [0xfd, 0x50],
  'v128.any_true': [0xfd, 0x53],
  'v128.load64_zero': [0xfd, 0x5d],
  'f64x2.promote_low_f32x4': [0xfd, 0x5f],
  'i8x16.add': [0xfd, 0x6e],
  'i16x8.extend_low_i8x16_u': [0xfd, 0x89, 0x01],
  'i32x4.extend_low_i16x8_u': [0xfd, 0xa9, 0x01],
  'i32x4.add': [0xfd, 0xae, 0x01],
  'i32x4.min_s': [0xfd, 0xb6, 0x01],
  'i32x4.max_s': [0xfd, 0xb8, 0x01],
  'i64x2.all_true': [0xfd, 0xc3, 0x01],
  'i64x2.sub': [0xfd, 0xd1, 0x01],
  'f64x2.add': [0xfd, 0xf0, 0x01],
  'f64x2.sub': [0xfd, 0xf1, 0x01],
  'f64x2.mul': [0xfd, 0xf2, 0x01],
  'f64x2.div': [0xfd, 0xf3, 0x01],
  'i32x4.trunc_sat_f64x2_s_zero': [0xfd, 0xfc, 0x01],
  'f64x2.convert_low_i32x4_s': [0xfd, 0xfe, 0x01],
};

/** log2 of the natural alignment of each memory instruction (the default `align=`). */
const MEM_ALIGN: Record<string, number> = {
  'i32.load': 2,
  'f64.load': 3,
  'i32.store': 2,
  'f64.store': 3,
  'v128.load': 4,
  'v128.load16_splat': 1,
  'v128.load32_splat': 2,
  'v128.load64_zero': 3,
  'i64.store': 3,
  'v128.store': 4,
};
const LANE_OPS = new Set([
  'i64x2.extract_lane',
  'i32x4.extract_lane',
  'i64x2.replace_lane',
  'f64x2.extract_lane',
]);
/** "\0asm", binary format version 1. */
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const VALTYPE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

function parseSExprs(text: string): SExpr[] {
  const tokens = text
    .replace(/;;[^\n]*/g, ' ')
    .replace(/[()]/g, ' $& ')
    .split(/\s+/)
    .filter((t) => t.length > 0);
  let pos = 0;
  const read = (): SExpr => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error('wasm asm: unexpected end of text');
    if (t !== '(') return t;
    const list: SExpr[] = [];
    while (tokens[pos] !== ')') list.push(read());
    pos++;
    return list;
  };
  const out: SExpr[] = [];
  while (pos < tokens.length) out.push(read());
  return out;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function f64Bytes(v: number): number[] {
  return Array.from(new Uint8Array(Float64Array.of(v).buffer));
}

function atom(e: SExpr | undefined, what: string): string {
  if (typeof e !== 'string') throw new Error(`wasm asm: expected ${what}, found ${JSON.stringify(e)}`);
  return e;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function utf8(s: string): number[] {
  return [...uleb(s.length), ...Array.from(new TextEncoder().encode(s))];
}

interface FuncDef {
  name: string;
  exportName: string | undefined;
  params: string[];
  paramTypes: number[];
  result: number[];
  locals: string[];
  localTypes: number[];
  body: SExpr[];
}

/**
 * Assembles `(module …)` text (the subset described above) into WebAssembly binary: sections type,
 * function, memory, export, code; one type per function. Throws Error naming an unknown instruction,
 * local, label or function.
 */
function assembleWat(text: string): Uint8Array {
  const [mod] = parseSExprs(text);
  if (!Array.isArray(mod) || mod[0] !== 'module') throw new Error('wasm asm: expected (module …)');
  const funcs: FuncDef[] = [];
  let memPages = 0;
  let memExport: string | undefined;
  for (const item of mod.slice(1)) {
    if (!Array.isArray(item)) throw new Error(`wasm asm: unexpected ${item}`);
    if (item[0] === 'memory') {
      for (const part of item.slice(1)) {
        if (Array.isArray(part) && part[0] === 'export') memExport = JSON.parse(atom(part[1], 'a name'));
        else if (typeof part === 'string') memPages = Number(part);
      }
      continue;
    }
    if (item[0] !== 'func') throw new Error(`wasm asm: unsupported module field ${String(item[0])}`);
    const named = typeof item[1] === 'string';
    const f: FuncDef = {
      name: named ? (item[1] as string) : `#${funcs.length}`,
      exportName: undefined,
      params: [],
      paramTypes: [],
      result: [],
      locals: [],
      localTypes: [],
      body: [],
    };
    for (const part of item.slice(named ? 2 : 1)) {
      const head = Array.isArray(part) ? part[0] : undefined;
      if (head === 'export') f.exportName = JSON.parse(atom((part as SExpr[])[1], 'a name'));
      else if (head === 'param' || head === 'local') {
        const p = part as SExpr[];
        const names = head === 'param' ? f.params : f.locals;
        const types = head === 'param' ? f.paramTypes : f.localTypes;
        names.push(atom(p[1], 'a name'));
        types.push(valtype(atom(p[2], 'a type')));
      } else if (head === 'result') f.result = [valtype(atom((part as SExpr[])[1], 'a type'))];
      else f.body.push(part);
    }
    funcs.push(f);
  }
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  const types = funcs.map((f) => [
    0x60,
    ...vec(f.paramTypes.map((t) => [t])),
    ...vec(f.result.map((t) => [t])),
  ]);
  const exports: number[][] = [];
  funcs.forEach((f, i) => {
    if (f.exportName !== undefined) exports.push([...utf8(f.exportName), 0x00, ...uleb(i)]);
  });
  if (memExport !== undefined) exports.push([...utf8(memExport), 0x02, 0]);
  const code = funcs.map((f) => {
    const out: number[] = [];
    const names = [...f.params, ...f.locals];
    const ctx: EmitContext = { out, locals: new Map(names.map((n, i) => [n, i])), labels: [], funcIndex };
    for (const e of f.body) emit(e, ctx);
    out.push(0x0b);
    const runs: number[][] = []; // consecutive locals of one type share an entry
    for (const t of f.localTypes) {
      const lastRun = runs[runs.length - 1];
      if (lastRun !== undefined && lastRun[1] === t) lastRun[0]!++;
      else runs.push([1, t]);
    }
    const localDecls = vec(runs.map(([count, t]) => [...uleb(count!), t!]));
    const body = [...localDecls, ...out];
    return [...uleb(body.length), ...body];
  });
  const bytes = [
    ...WASM_HEADER,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(memPages)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(code)),
  ];
  return Uint8Array.from(bytes);
}

function valtype(t: string): number {
  const v = VALTYPE[t];
  if (v === undefined) throw new Error(`wasm asm: unknown type ${t}`);
  return v;
}

interface EmitContext {
  out: number[];
  locals: Map<string, number>;
  /** Enclosing block labels, innermost last (undefined for unnamed blocks). */
  labels: (string | undefined)[];
  funcIndex: Map<string, number>;
}

function emit(e: SExpr, ctx: EmitContext): void {
  if (!Array.isArray(e)) throw new Error(`wasm asm: expected an instruction, found ${e}`);
  const op = atom(e[0], 'an instruction');
  const out = ctx.out;
  if (op === 'block' || op === 'loop' || op === 'if') {
    let i = 1;
    let label: string | undefined;
    if (typeof e[i] === 'string' && (e[i] as string).startsWith('$')) label = e[i++] as string;
    let blockType = 0x40;
    const rt = e[i];
    if (Array.isArray(rt) && rt[0] === 'result') {
      blockType = valtype(atom(rt[1], 'a type'));
      i++;
    }
    if (op === 'if') {
      const rest = e.slice(i);
      const thenPart = rest.find((p) => Array.isArray(p) && p[0] === 'then') as SExpr[] | undefined;
      const elsePart = rest.find((p) => Array.isArray(p) && p[0] === 'else') as SExpr[] | undefined;
      for (const p of rest) if (p !== thenPart && p !== elsePart) emit(p, ctx); // the condition
      out.push(0x04, blockType);
      ctx.labels.push(label);
      for (const p of thenPart?.slice(1) ?? []) emit(p, ctx);
      if (elsePart !== undefined) {
        out.push(0x05);
        for (const p of elsePart.slice(1)) emit(p, ctx);
      }
    } else {
      out.push(op === 'block' ? 0x02 : 0x03, blockType);
      ctx.labels.push(label);
      for (const p of e.slice(i)) emit(p, ctx);
    }
    ctx.labels.pop();
    out.push(0x0b);
    return;
  }
  const code = OPCODES[op];
  if (code === undefined) throw new Error(`wasm asm: unknown instruction ${op}`);
  // immediates are the leading atoms; operands the nested instructions after them
  let i = 1;
  const imm: string[] = [];
  while (i < e.length && typeof e[i] === 'string') imm.push(e[i++] as string);
  for (; i < e.length; i++) emit(e[i]!, ctx);
  out.push(...code);
  if (op.startsWith('local.')) {
    const idx = ctx.locals.get(atom(imm[0], 'a local'));
    if (idx === undefined) throw new Error(`wasm asm: unknown local ${imm[0]}`);
    out.push(...uleb(idx));
  } else if (op === 'br' || op === 'br_if') {
    const depth = ctx.labels.lastIndexOf(atom(imm[0], 'a label'));
    if (depth < 0) throw new Error(`wasm asm: unknown label ${imm[0]}`);
    out.push(...uleb(ctx.labels.length - 1 - depth));
  } else if (op === 'call') {
    const idx = ctx.funcIndex.get(atom(imm[0], 'a function'));
    if (idx === undefined) throw new Error(`wasm asm: unknown function ${imm[0]}`);
    out.push(...uleb(idx));
  } else if (op === 'i32.const') out.push(...sleb(Number(imm[0])));
  else if (op === 'f64.const') out.push(...f64Bytes(Number(imm[0])));
  else if (op === 'v128.const') {
    if (imm[0] !== 'i32x4' || imm.length !== 5) throw new Error('wasm asm: v128.const takes i32x4 a b c d');
    for (const v of imm.slice(1)) out.push(...Array.from(new Uint8Array(Int32Array.of(Number(v)).buffer)));
  } else if (op === 'i8x16.shuffle') {
    if (imm.length !== 16) throw new Error('wasm asm: i8x16.shuffle takes 16 lane indices');
    for (const v of imm) out.push(Number(v));
  } else if (LANE_OPS.has(op)) out.push(Number(imm[0]));
  else if (op in MEM_ALIGN) {
    let offset = 0;
    let align = MEM_ALIGN[op]!;
    for (const m of imm) {
      if (m.startsWith('offset=')) offset = Number(m.slice(7));
      else if (m.startsWith('align=')) align = Math.log2(Number(m.slice(6)));
      else throw new Error(`wasm asm: bad memory immediate ${m}`);
    }
    out.push(...uleb(align), ...uleb(offset));
  }
}
