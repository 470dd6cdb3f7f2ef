/**
 * Per-feature standardisation, as sklearn's StandardScaler: z = (x − mean) / scale, where scale is the
 * population standard deviation (ddof = 0), or 1 for a constant feature (sklearn's `_handle_zeros_in_scale`).
 */
export interface Standardizer {
  /** Feature means, length d. */
  readonly mean: Float64Array;
  /** Feature scales, length d (std, or 1 where the std is 0). */
  readonly scale: Float64Array;
}

/** Fits the mean and scale of each of the d columns of the n×d row-major x (two-pass, stable). */
export function fitStandardizer(x: Float64Array, n: number, d: number): Standardizer {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j]! += x[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const t = x[o + j]! - mean[j]!;
      scale[j]! += t * t;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(scale[j]! / n);
    // sklearn treats a std below 10·eps·|mean| as zero; the same guard keeps rounding noise out.
    scale[j] = s < 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j]!)) ? 1 : s;
  }
  return { mean, scale };
}

/** Returns a new m×d array with every column standardised by `s`. */
export function applyStandardizer(s: Standardizer, x: Float64Array, m: number, d: number): Float64Array {
  const out = new Float64Array(m * d);
  const { mean, scale } = s;
  for (let i = 0; i < m; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = (x[o + j]! - mean[j]!) / scale[j]!;
  }
  return out;
}
