/**
 * The WebAssembly engine of RMIA (see rmia.ts): the kernels' memory layout, the bucket sort of the
 * population ratios, and the block runners that stream samples through the kernels. The kernels are
 * written in wasm/rmia-kernels.wat.ts and embedded, assembled, in wasm/kernels.generated.ts.
 */
import type { FloatArray, ReferenceView } from './population.js';
import { noOutReference, probError } from './rmia-means.js';
import { type WasmMemory, wasmInstantiator } from './wasm/instantiate.js';
import { RMIA_KERNELS_WASM } from './wasm/kernels.generated.js';
import { LARGE_BUCKET } from './wasm/rmia-kernels.wat.js';

/** Buckets per finite population ratio. */
const BUCKETS_PER_VALUE = 4;

/**
 * The scores of rmiaScores for probability signals with one query per sample: the likelihood ratios of
 * the population (every reference OUT), their sorted index, then the audit samples' ratios (OUT: keep
 * = 0 when `offline`, every reference online) and their counts, block by block. Pr(x) = c1 · mean + c0.
 * The caller has checked the inputs (checkInputs) and γ.
 */
export function probabilityScores(
  refs: ReferenceView,
  target: FloatArray,
  targetPop: FloatArray,
  offline: boolean,
  c1: number,
  c0: number,
  gamma: number,
): Float64Array {
  const { pop, rows } = refs;
  const { samples: n, popSamples: zn } = pop;
  const eng = engine();
  const lay = layout(zn, rows.length, pop.signal, pop.popSignal!);
  ensureMemory(eng, lay.end);
  // LR(z) for every population sample (every reference is OUT for z: mask 0), then the sorted index
  const popInput = { signal: pop.popSignal!, n: zn, rows, keep: undefined, mask: 0, target: targetPop };
  ratioBlocks(eng, lay, popInput, c1, c0, (i0) => lay.zr + 8 * i0);
  const sorted = sortInMemory(eng, lay, zn);
  const out = new Float64Array(n);
  const input = { signal: pop.signal, n, rows, keep: pop.keep, mask: offline ? 1 : 0, target };
  ratioBlocks(
    eng,
    lay,
    input,
    c1,
    c0,
    () => lay.x,
    (i0, len) => lookupBlock(eng, lay, sorted, gamma, len, out, i0),
  );
  release(lay);
  return out;
}

/**
 * rmiaCountScores' counting (see there) for ratioZ of length ≥ 1 and a valid γ: sort, then the
 * lookup kernel block by block. RangeError for a negative ratio.
 */
export function countScores(ratioX: Float64Array, ratioZ: Float64Array, gamma: number): Float64Array {
  const zn = ratioZ.length;
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
 * The kernels: compiled once per process, instantiated once and reused (JS is
 * single-threaded and the kernels never call out, so calls cannot overlap).
 */
function engine(): Engine {
  if (theEngine === undefined) {
    instantiate ??= wasmInstantiator(RMIA_KERNELS_WASM);
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
 * What the ratios kernel reads for samples [0, n): the reference rows `rows` of `signal` ([·, n]
 * row-major), their keep rows (when `keep`; reference r is OUT for sample i when keep & mask = 0) and
 * the target's probabilities.
 */
interface RatioInput {
  signal: FloatArray;
  n: number;
  rows: Int32Array;
  keep: Uint8Array | undefined;
  mask: number;
  target: FloatArray;
}

/**
 * Likelihood ratios for the samples of `input` block by block: copies each block's reference rows, keep
 * rows and target values into the kernels' memory, runs the ratios kernel (x = (0 + p) / (c1 ·
 * (Σ_r u_r·v_r) / Σ_r u_r + c0), u_r = 1 − (keep & mask)) with its output at dest(i0), then calls
 * `then(i0, len)`. A failed check (a probability outside [0, 1], a sample without OUT reference) is
 * diagnosed from the inputs and thrown as the MiaError rmiaMeans throws.
 */
function ratioBlocks(
  eng: Engine,
  lay: Layout,
  input: RatioInput,
  c1: number,
  c0: number,
  dest: (i0: number) => number,
  then?: (i0: number, len: number) => void,
): void {
  const { signal, n, rows, keep, mask, target } = input;
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
    if (bad >= 0) diagnose(input, i0 + bad, Math.min(n, i0 + bad + 4));
    then?.(i0, len);
  }
}

/** Throws the error of the first failing sample in [from, to) (see ratioBlocks). */
function diagnose(input: RatioInput, from: number, to: number): never {
  const { signal, n, rows, keep, mask, target } = input;
  for (let i = from; i < to; i++) {
    const p = target[i]!;
    if (!(p >= 0 && p <= 1)) probError(p);
    let count = 0;
    for (const m of rows) {
      const v = signal[m * n + i]!;
      if (!(v >= 0 && v <= 1)) probError(v);
      count += 1 - ((keep?.[m * n + i] ?? 0) & mask);
    }
    if (count === 0) noOutReference(i);
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
