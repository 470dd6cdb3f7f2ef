/**
 * LiRA's one pass over the reference models (see lira.ts for the method): per (sample, query) the IN
 * and OUT Gaussian fits and the global IN / OUT standard deviations, in a WebAssembly SIMD kernel for
 * one query per sample and in plain loops otherwise — the same float64 operations in the same order.
 */
import { type FloatArray, type ReferenceView, referenceCount } from './population.js';
import { type WasmMemory, wasmInstantiator } from './wasm/instantiate.js';
import { LIRA_KERNELS_WASM } from './wasm/kernels.generated.js';
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
