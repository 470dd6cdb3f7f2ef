/**
 * Conversions of an NpyArray's data to the element types the pipeline computes in. Each returns a flat
 * typed array in the same C order (the shape is unchanged: keep `arr.shape`). When the dtype already
 * matches, `arr.data` itself is returned (no copy — the result shares memory with the array); every
 * other case returns a new array. Values that cannot be converted exactly (as stated per function)
 * throw MiaError naming `where` and the first offending flat index.
 */
import { type ErrorWhere, MiaError } from '../errors.js';
import type { NpyArray } from './npy-array.js';

/**
 * The int64 values as (low, high) int32 pairs, little-endian (npy.ts only runs on little-endian hosts):
 * value = high * 2^32 + (low >>> 0). Range checks on the halves avoid slow per-element BigInt work.
 */
function halves(d: BigInt64Array): Int32Array {
  return new Int32Array(d.buffer, d.byteOffset, d.length * 2);
}

const HI_LIMIT = 2097152; // 2^21: |high| < 2^21 means |value| < 2^53

function bad(
  where: ErrorWhere,
  target: string,
  why: string,
  value: unknown,
  index: number,
  code: 'E_NPY_DTYPE' | 'E_NOT_FINITE' = 'E_NPY_DTYPE',
): never {
  throw new MiaError(code, `cannot convert to ${target}: ${why}`, {
    where,
    found: `${String(value)} at flat index ${index}`,
  });
}

/**
 * Any dtype → Float64Array. Every float32, int8–int32, uint8–uint32 and bool value is exact in float64;
 * int64 values must satisfy |v| ≤ 2^53 (else E_NPY_DTYPE). float64 input is returned as is.
 */
export function toFloat64(arr: NpyArray, where: ErrorWhere): Float64Array {
  const d = arr.data;
  if (d instanceof Float64Array) return d;
  if (d instanceof BigInt64Array) {
    const out = new Float64Array(d.length);
    const h = halves(d);
    for (let i = 0; i < d.length; i++) {
      const lo = h[2 * i]!;
      const hi = h[2 * i + 1]!;
      if (!((hi >= -HI_LIMIT && hi < HI_LIMIT) || (hi === HI_LIMIT && lo === 0))) {
        bad(where, 'float64', 'int64 value beyond ±2^53 is not exact', d[i], i);
      }
      out[i] = hi * 4294967296 + (lo >>> 0);
    }
    return out;
  }
  return new Float64Array(d);
}

/**
 * Any dtype → Float32Array, rounding to nearest like numpy's `astype(np.float32)` (so int32 beyond 2^24
 * and float64 lose precision). Errors: int64 with |v| > 2^53 (E_NPY_DTYPE); a finite float64 beyond the
 * float32 range, which would become ±Infinity (E_NOT_FINITE). NaN and ±Inf pass through. float32 input
 * is returned as is.
 */
export function toFloat32(arr: NpyArray, where: ErrorWhere): Float32Array {
  const d = arr.data;
  if (d instanceof Float32Array) return d;
  if (d instanceof BigInt64Array) return new Float32Array(toFloat64(arr, where));
  const out = new Float32Array(d);
  if (d instanceof Float64Array) {
    for (let i = 0; i < out.length; i++) {
      const f = out[i]!;
      if ((f === Infinity || f === -Infinity) && Number.isFinite(d[i]!)) {
        bad(where, 'float32', 'value overflows float32', d[i], i, 'E_NOT_FINITE');
      }
    }
  }
  return out;
}

/**
 * Integer-valued dtypes → Int32Array. int8/int16/uint8/uint16/bool always fit; int32 is returned as is;
 * uint32 and int64 values must lie in [-2^31, 2^31 - 1]; float32/float64 are accepted only when every
 * value is an integer in that range (so labels saved as 3.0 work, 3.5 or NaN does not). Errors are
 * E_NPY_DTYPE naming the first offending value.
 */
export function toInt32(arr: NpyArray, where: ErrorWhere): Int32Array {
  const d = arr.data;
  if (d instanceof Int32Array) return d;
  if (
    d instanceof Int8Array ||
    d instanceof Int16Array ||
    d instanceof Uint8Array ||
    d instanceof Uint16Array
  ) {
    return new Int32Array(d);
  }
  const out = new Int32Array(d.length);
  if (d instanceof BigInt64Array) {
    const h = halves(d);
    for (let i = 0; i < d.length; i++) {
      const lo = h[2 * i]!;
      if (h[2 * i + 1] !== lo >> 31) bad(where, 'int32', 'value out of int32 range', d[i], i);
      out[i] = lo;
    }
    return out;
  }
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isInteger(v)) bad(where, 'int32', 'value is not an integer', v, i);
    if (v > 2147483647 || v < -2147483648) bad(where, 'int32', 'value out of int32 range', v, i);
    out[i] = v;
  }
  return out;
}

/**
 * bool → its Uint8Array as is; integer dtypes (and floats) whose every value is exactly 0 or 1 → a new
 * Uint8Array of 0/1. Any other value is E_NPY_DTYPE naming the first one.
 */
export function toBool(arr: NpyArray, where: ErrorWhere): Uint8Array {
  const d = arr.data;
  if (arr.dtype === 'bool') return d as Uint8Array;
  const out = new Uint8Array(d.length);
  if (d instanceof BigInt64Array) {
    const h = halves(d);
    for (let i = 0; i < d.length; i++) {
      const lo = h[2 * i]!;
      if (h[2 * i + 1] !== 0 || (lo !== 0 && lo !== 1)) bad(where, 'bool', 'value is not 0 or 1', d[i], i);
      out[i] = lo;
    }
    return out;
  }
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v !== 0 && v !== 1) bad(where, 'bool', 'value is not 0 or 1', v, i);
    out[i] = v;
  }
  return out;
}
