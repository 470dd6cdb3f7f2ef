/**
 * RMIA's likelihood computations in plain JavaScript (see rmia.ts): the checks of the inputs, Pr(·|θ)
 * from the signals, and the means over the reference models. The WebAssembly engine (rmia-engine.ts)
 * computes the same values for probability signals and shares the errors defined here.
 */
import { MiaError } from '../errors.js';
import { checkSignalLength, type FloatArray, type ReferenceView } from './population.js';

/** Pr(x|θ) for the target and the reference means, before `a` is applied (shared by the a-grid). */
export type RmiaMode = 'offline' | 'online';
/** How signal values become Pr(x|θ): sigmoid of a scaled logit (default), or used as probabilities. */
export type RmiaSignal = 'scaled-logit' | 'probability';

export interface RmiaMeans {
  /** [N] target Pr(x|θ); [N] mean over the chosen references. */
  px: Float64Array;
  meanX: Float64Array;
  /** [Z] target Pr(z|θ); [Z] mean over all references. */
  pz: Float64Array;
  meanZ: Float64Array;
}

/**
 * The checks shared by every RMIA computation: at least one reference, population signals, target
 * arrays of the reference signals' shape (MiaError E_EMPTY, E_MISSING_FIELD, E_SHAPE_MISMATCH). Returns
 * the population signals of the references and of the target.
 */
export function checkInputs(
  refs: ReferenceView,
  target: FloatArray,
  targetPop: FloatArray | undefined,
): { popSignal: FloatArray; targetPop: FloatArray } {
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
  checkSignalLength(target, n * q, 'target', `[${n}, ${q}]`);
  checkSignalLength(targetPop, zn * qz, 'pop_target', `[${zn}, ${qz}]`);
  return { popSignal: pop.popSignal, targetPop };
}

/**
 * Pr(x|θ), Pr(z|θ) of the target and the means over the references (OUT ones for x when offline, all
 * for z), in float64 with the rows in ascending order. The MiaErrors of rmiaRatios (see there).
 */
export function rmiaMeans(
  refs: ReferenceView,
  target: FloatArray,
  targetPop: FloatArray | undefined,
  mode: RmiaMode,
  signal: RmiaSignal,
): RmiaMeans {
  const { popSignal: popSig, targetPop: tPop } = checkInputs(refs, target, targetPop);
  const pop = refs.pop;
  const { samples: n, queries: q, popSamples: zn, popQueries: qz } = pop;
  const prob = signal === 'probability';
  const px = rowProbabilities(target, 0, n, q, prob);
  const pz = rowProbabilities(tPop, 0, zn, qz, prob);
  const sumX = new Float64Array(n);
  const cntX = new Int32Array(n);
  const sumZ = new Float64Array(zn);
  const offline = mode === 'offline';
  const keep = pop.keep;
  const sig = pop.signal;
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
    if (cntX[i] === 0) noOutReference(i);
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

export function probError(val: number): never {
  throw new MiaError('E_VALUE', `probability signal outside [0, 1]: ${val}`, { where: 'rmia signal' });
}

/** Offline RMIA without an OUT reference for sample i: MiaError E_EMPTY. */
export function noOutReference(i: number): never {
  throw new MiaError('E_EMPTY', `sample ${i} has no OUT reference model (every reference trained on it)`, {
    where: 'rmia',
    expected: 'at least one OUT reference model per sample for offline RMIA (or use rmia-online)',
  });
}
