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
 * count / Z with count the number of population samples z with LR(x) / LR(z) > γ in float64.
 */
export function rmiaScores(
  refs: ReferenceView,
  target: FloatArray,
  targetPop: FloatArray | undefined,
  options: RmiaOptions,
): Float64Array {
  const a = checkA(options);
  const means = rmiaMeans(refs, target, targetPop, options.mode, options.signal ?? 'scaled-logit');
  const r = ratiosFromMeans(means, options.mode, a, true);
  return rmiaCountScores(r.x, r.z, options.gamma ?? 1);
}

const SAFE_MIN = 1e-280;
const SAFE_MAX = 1e280;
/** Relative margin beyond which the float64 predicate x / s > γ is decided by s < x / γ alone. */
const DELTA = 1e-12;

/**
 * score[i] = |{ k : ratioX[i] / ratioZ[k] > gamma }| / Z, computed without the N×Z matrix and equal, bit
 * for bit, to the pairwise float64 computation. Ratios must be ≥ 0, +Infinity or NaN (as likelihood
 * ratios are). γ must be finite and > 0 (else E_CONFIG); Z ≥ 1 (else E_EMPTY).
 *
 * Method: bucket-sort a copy of ratioZ (8Z equal-width buckets over the finite values, each bucket
 * sorted; +∞ then NaN last). For x with t = x / γ in the normal range, k = |{ s < t }| is the start of
 * t's bucket plus a scan (binary search beyond 8 values) inside it; when the neighbours s[k−1], s[k]
 * lie outside t·(1 ± 1e-12), the predicate is decided for every s by rounding analysis and k is the
 * count. Expected O(N + Z) for spread-out ratios; O((N + Z) log Z) at worst. Otherwise (values within 1e-12 of the
 * boundary, ties, 0, ∞, NaN, subnormal) a binary search evaluates the exact predicate, which holds on a
 * prefix of the sorted array.
 */
export function rmiaCountScores(ratioX: Float64Array, ratioZ: Float64Array, gamma: number): Float64Array {
  if (!(Number.isFinite(gamma) && gamma > 0)) {
    throw new MiaError('E_CONFIG', 'RMIA gamma must be a finite number > 0', {
      where: 'gamma',
      found: String(gamma),
    });
  }
  const zn = ratioZ.length;
  if (zn === 0) {
    throw new MiaError('E_EMPTY', 'RMIA needs at least one population sample', { where: 'population' });
  }
  // Bucket sort of the population ratios: nb equal-width buckets over the finite values, bucket(v) =
  // ⌊(v − min)·nb/(max − min)⌋ clamped to [0, nb) — monotone in v, so every value in a lower bucket is
  // smaller and every value in a higher bucket larger; each bucket is then sorted on its own.
  let min = Infinity;
  let max = -Infinity;
  let nInf = 0;
  let fin = 0;
  for (let k = 0; k < zn; k++) {
    const v = ratioZ[k]!;
    if (v < Infinity) {
      if (!(v >= 0)) throw new RangeError(`rmiaCountScores: ratioZ[${k}] is ${v}; likelihood ratios are ≥ 0`);
      if (v < min) min = v;
      if (v > max) max = v;
      fin++;
    } else if (v === Infinity) nInf++;
  }
  let nb = fin > 0 ? 8 * fin : 0;
  let inv = nb > 0 ? nb / (max - min) : 0;
  if (nb > 0 && !(inv < Infinity)) {
    nb = 1; // all finite values equal (or within a subnormal range): one bucket
    inv = 0;
  }
  const start = new Int32Array(nb + 1);
  const bucket = new Int32Array(zn);
  for (let k = 0; k < zn; k++) {
    const v = ratioZ[k]!;
    if (v < Infinity) {
      const f = (v - min) * inv;
      const b = f >= nb ? nb - 1 : f | 0;
      bucket[k] = b;
      start[b + 1]!++;
    }
  }
  for (let b = 0; b < nb; b++) start[b + 1]! += start[b]!;
  const s = new Float64Array(zn);
  const fill = start.slice(0, Math.max(nb, 1));
  for (let k = 0; k < zn; k++) {
    const v = ratioZ[k]!;
    if (v < Infinity) s[fill[bucket[k]!]!++] = v;
  }
  for (let b = 0; b < nb; b++) sortRange(s, start[b]!, start[b + 1]!);
  s.fill(Infinity, fin, fin + nInf);
  s.fill(Number.NaN, fin + nInf);
  const lowF = 1 - DELTA;
  const highF = 1 + DELTA;
  const out = new Float64Array(ratioX.length);
  for (let i = 0; i < ratioX.length; i++) {
    const x = ratioX[i]!;
    if (x < 0) throw new RangeError(`rmiaCountScores: ratioX[${i}] is ${x}; likelihood ratios are ≥ 0`);
    const t = x / gamma;
    if (nb > 0 && t > SAFE_MIN && t < SAFE_MAX && x < SAFE_MAX) {
      // k = |{ s < t }|: all of the lower buckets plus those of t's bucket below t
      const f = (t - min) * inv;
      const b = f < 0 ? 0 : f >= nb ? nb - 1 : f | 0;
      let lo = start[b]!;
      let hi = start[b + 1]!;
      if (hi - lo > 8) {
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (s[mid]! < t) lo = mid + 1;
          else hi = mid;
        }
      } else {
        while (lo < hi && s[lo]! < t) lo++;
      }
      // decided for every s when the neighbours lie outside t·(1 ± 1e-12)
      if ((lo === 0 || s[lo - 1]! < t * lowF) && (lo === zn || s[lo]! > t * highF)) {
        out[i] = lo / zn;
        continue;
      }
    }
    out[i] = exactCount(x, s, gamma) / zn;
  }
  return out;
}

/** Sorts s[from, to) ascending: insertion sort for short runs, the built-in sort beyond. */
function sortRange(s: Float64Array, from: number, to: number): void {
  if (to - from > 16) {
    s.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = s[i]!;
    let j = i - 1;
    while (j >= from && s[j]! > v) {
      s[j + 1] = s[j]!;
      j--;
    }
    s[j + 1] = v;
  }
}

/** |{ k : x / s[k] > gamma }| by binary search over the sorted `s` (the predicate holds on a prefix). */
function exactCount(x: number, s: Float64Array, gamma: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x / s[mid]! > gamma) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
