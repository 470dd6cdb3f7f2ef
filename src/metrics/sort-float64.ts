/**
 * Sorts a Float64Array without NaN in place, ascending (the order of Float64Array.prototype.sort:
 * −Infinity first, −0 before +0, +Infinity last) or, with `descending`, the exact reverse; about 3×
 * faster than the native sort for large arrays.
 *
 * Method: LSD radix sort on the 64-bit patterns, 4 passes of 16 bits. Each double is first mapped to an
 * unsigned key whose integer order is the numeric order (flip all bits of negatives, set the sign bit of
 * positives; then complement everything for descending order), read as two uint32 words (little-endian:
 * word 0 low, word 1 high). All four digit histograms are counted in that same first pass; a pass whose
 * digit is equal for every key (common: low mantissa bits of float32 data widened to float64) is
 * skipped, and the last pass maps the keys back to doubles as it scatters them.
 * Memory: `scratch` must hold at least a.length doubles; nothing else is allocated but 1 MiB of counts.
 * On a big-endian host, or below 4096 elements, it falls back to the native sort.
 */
export function sortFloat64(a: Float64Array, scratch: Float64Array, descending = false): void {
  const n = a.length;
  if (n < 4096 || !LITTLE_ENDIAN) {
    a.sort();
    if (descending) a.reverse();
    return;
  }
  if (scratch.length < n) throw new RangeError(`sortFloat64: scratch holds ${scratch.length} < ${n} doubles`);
  const flip = descending ? 0xffffffff : 0;
  const u = new Uint32Array(a.buffer, a.byteOffset, 2 * n);
  const v = new Uint32Array(scratch.buffer, scratch.byteOffset, 2 * n);
  const h = new Uint32Array(4 * RADIX);
  toKeysAndCount(u, n, h, flip);
  const passes: number[] = [];
  for (let pass = 0; pass < 4; pass++) {
    if (prefixSums(h.subarray(pass * RADIX, (pass + 1) * RADIX), n)) passes.push(pass);
  }
  let src = u;
  let dst = v;
  for (let p = 0; p < passes.length; p++) {
    const pass = passes[p]!;
    const counts = h.subarray(pass * RADIX, (pass + 1) * RADIX);
    // The last pass un-maps the keys on the way when it writes into `a` itself.
    const unmap = p === passes.length - 1 && dst === u;
    const high = pass >= 2;
    const shift = (pass & 1) * 16;
    if (unmap) scatterUnmap(src, dst, counts, n, high, shift, flip);
    else if (high) scatterHigh(src, dst, counts, n, shift);
    else scatterLow(src, dst, counts, n, shift);
    const t = src;
    src = dst;
    dst = t;
  }
  const last = passes.length - 1;
  const unmapped = last >= 0 && src === u;
  if (!unmapped) fromKeys(src, u, n, flip);
}

const RADIX = 65536;
const MASK = 65535;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Maps the doubles in u (as word pairs) to order-preserving keys in place (XOR-ed with `flip`: all ones
 * for descending order) and counts all four 16-bit digits.
 */
function toKeysAndCount(u: Uint32Array, n: number, h: Uint32Array, flip: number): void {
  for (let i = 0; i < n; i++) {
    let lo = u[2 * i]!;
    let hi = u[2 * i + 1]!;
    if (hi >= 0x80000000) {
      lo = (~lo ^ flip) >>> 0;
      hi = (~hi ^ flip) >>> 0;
    } else {
      lo = (lo ^ flip) >>> 0;
      hi = ((hi | 0x80000000) ^ flip) >>> 0;
    }
    u[2 * i] = lo;
    u[2 * i + 1] = hi;
    h[lo & MASK]!++;
    h[RADIX + (lo >>> 16)]!++;
    h[2 * RADIX + (hi & MASK)]!++;
    h[3 * RADIX + (hi >>> 16)]!++;
  }
}

/** Turns counts into start offsets; false when one bucket holds every key (the pass is a no-op). */
function prefixSums(counts: Uint32Array, n: number): boolean {
  let sum = 0;
  for (let b = 0; b < RADIX; b++) {
    const c = counts[b]!;
    if (c === n) return false;
    counts[b] = sum;
    sum += c;
  }
  return true;
}

function scatterLow(src: Uint32Array, dst: Uint32Array, counts: Uint32Array, n: number, shift: number): void {
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]!;
    const hi = src[2 * i + 1]!;
    const j = counts[(lo >>> shift) & MASK]!++;
    dst[2 * j] = lo;
    dst[2 * j + 1] = hi;
  }
}

function scatterHigh(
  src: Uint32Array,
  dst: Uint32Array,
  counts: Uint32Array,
  n: number,
  shift: number,
): void {
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]!;
    const hi = src[2 * i + 1]!;
    const j = counts[(hi >>> shift) & MASK]!++;
    dst[2 * j] = lo;
    dst[2 * j + 1] = hi;
  }
}

/** A scatter pass that writes the doubles back (inverse key map) instead of the keys. */
function scatterUnmap(
  src: Uint32Array,
  dst: Uint32Array,
  counts: Uint32Array,
  n: number,
  high: boolean,
  shift: number,
  flip: number,
): void {
  for (let i = 0; i < n; i++) {
    let lo = src[2 * i]!;
    let hi = src[2 * i + 1]!;
    const j = counts[((high ? hi : lo) >>> shift) & MASK]!++;
    lo = (lo ^ flip) >>> 0;
    hi = (hi ^ flip) >>> 0;
    if (hi >= 0x80000000) {
      hi = (hi & 0x7fffffff) >>> 0;
    } else {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    }
    dst[2 * j] = lo;
    dst[2 * j + 1] = hi;
  }
}

/** Inverse of the key map, from `src` into `out` (which may be the same array). */
function fromKeys(src: Uint32Array, out: Uint32Array, n: number, flip: number): void {
  for (let i = 0; i < n; i++) {
    let lo = (src[2 * i]! ^ flip) >>> 0;
    let hi = (src[2 * i + 1]! ^ flip) >>> 0;
    if (hi >= 0x80000000) {
      hi = (hi & 0x7fffffff) >>> 0;
    } else {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    }
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
  }
}
