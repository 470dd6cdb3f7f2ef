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
 * the counting) runs in small WebAssembly kernels (rmia-engine.ts), written in the WebAssembly text
 * format in wasm/rmia-kernels.wat.ts and assembled with wabt by `npm run build:wasm` into
 * wasm/kernels.generated.ts: SIMD over two or four samples per step, the same IEEE float64 operations in
 * the same order as the plain definitions (rmia-means.ts) — so the same bits. (In V8 11, plain
 * JavaScript re-checks the map, bounds and detachment of every typed-array access in these loops;
 * measured 3× slower.) Samples stream through the kernels' memory in blocks of a few thousand, so its
 * size is O(Z) plus one block.
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
import { countScores, probabilityScores } from './rmia-engine.js';
import { checkInputs, type RmiaMeans, type RmiaMode, type RmiaSignal, rmiaMeans } from './rmia-means.js';

export type { RmiaMode, RmiaSignal } from './rmia-means.js';

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
 * no OUT reference, E_ARGUMENT for a ∉ [0, 1], E_VALUE for a probability signal outside [0, 1],
 * E_SHAPE_MISMATCH for target arrays of the wrong length.
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
  const checked = checkInputs(refs, target, targetPop);
  checkGamma(gamma);
  const offline = options.mode === 'offline';
  // online: Pr(x) = 1 · mean + 0, the same bits as the mean itself
  const c1 = offline ? (1 + a) / 2 : 1;
  const c0 = offline ? (1 - a) / 2 : 0;
  return probabilityScores(refs, target, checked.targetPop, offline, c1, c0, gamma);
}

/**
 * score[i] = |{ k : ratioX[i] / ratioZ[k] > gamma }| / Z, computed without the N×Z matrix and equal, bit
 * for bit, to the pairwise float64 computation. Ratios must be ≥ 0, +Infinity or NaN (as likelihood
 * ratios are; RangeError otherwise). γ must be finite and > 0 (else E_ARGUMENT); Z ≥ 1 (else E_EMPTY).
 *
 * Method: bucket-sort the population ratios (4Z equal-width buckets over the finite values, bucket(v) =
 * ⌊(v − min)·nb/(max − min)⌋ clamped, monotone in v; +∞ then NaN last). For x with t = x / γ in the
 * normal range, k = |{ s < t }| is the start of t's bucket plus the values of the bucket below t. When
 * the neighbours s[k−1], s[k] lie outside t·(1 ± 1e-12), the predicate is decided for every s by
 * rounding analysis (s < t(1 − 1e-12) ⇒ x / s > γ(1 + 2⁻⁵²) ⇒ fl(x / s) > γ, and symmetrically) and k is
 * the count. Otherwise (values within 1e-12 of the boundary, ties, 0, ∞, NaN, subnormal) a binary search
 * evaluates the exact predicate, which holds on a prefix of the sorted array (correctly rounded division
 * is monotone in its divisor). Expected O(N + Z) for spread-out ratios; O((N + Z) log Z) at worst.
 * The sort and the counting run in WebAssembly kernels, two samples per SIMD step (see
 * rmia-engine.ts and wasm/rmia-kernels.wat.ts).
 */
export function rmiaCountScores(ratioX: Float64Array, ratioZ: Float64Array, gamma: number): Float64Array {
  checkGamma(gamma);
  const zn = ratioZ.length;
  if (zn === 0) {
    throw new MiaError('E_EMPTY', 'RMIA needs at least one population sample', { where: 'population' });
  }
  return countScores(ratioX, ratioZ, gamma);
}

function checkGamma(gamma: number): void {
  if (!(Number.isFinite(gamma) && gamma > 0)) {
    throw new MiaError('E_ARGUMENT', 'RMIA gamma must be a finite number > 0', {
      where: 'gamma',
      found: String(gamma),
    });
  }
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
 * trained on some but not all audit samples (E_EMPTY / E_MISSING_FIELD / E_ARGUMENT otherwise; the
 * E_EMPTY for a keep row with no IN or no OUT sample names the paired row).
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
    throw new MiaError('E_ARGUMENT', 'the paired model must be one of the reference models', {
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
  let nIn = 0;
  for (let i = 0; i < n; i++) nIn += member[i]!;
  if (nIn === 0 || nIn === n) {
    throw new MiaError(
      'E_EMPTY',
      `cannot tune a on reference model ${paired} (keep row ${paired} has no ${nIn === 0 ? 'IN' : 'OUT'} ` +
        'sample, so its AUC is undefined); give a explicitly, or pair a reference model that trained on ' +
        'part of the samples',
      { where: 'rmia a', found: `${nIn} IN, ${n - nIn} OUT of ${n} samples` },
    );
  }
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
    throw new MiaError('E_ARGUMENT', 'offline RMIA needs the coefficient a in [0, 1]', {
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
