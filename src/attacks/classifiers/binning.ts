/**
 * Quantile binning of features for histogram tree growing (the scheme of LightGBM and sklearn's
 * HistGradientBoosting): per feature, at most `maxBins` bins whose edges are midpoints between
 * consecutive distinct training values. With ≤ maxBins distinct values every value gets its own bin, so
 * the binned tree sees exactly the splits an exact tree would; otherwise edges sit at evenly spaced
 * quantiles.
 */
export interface FeatureBins {
  /** Per feature, its ascending edges e₀ < e₁ < …; bin(x) = the least b with x ≤ e_b, else edges.length. */
  readonly edges: Float64Array[];
  /** n×d row-major bin codes (0..maxBins−1) of the training rows. */
  readonly codes: Uint8Array;
}

/** Bins the n×d row-major x; maxBins ≤ 256 so codes fit a byte. */
export function binFeatures(x: Float64Array, n: number, d: number, maxBins = 256): FeatureBins {
  if (!(maxBins >= 2 && maxBins <= 256))
    throw new RangeError(`binFeatures: maxBins in [2, 256]. Got ${maxBins}`);
  const edges: Float64Array[] = [];
  const col = new Float64Array(n);
  const codes = new Uint8Array(n * d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = x[i * d + j]!;
    col.sort();
    // Distinct values.
    let nd = 0;
    const distinct = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (nd === 0 || v !== distinct[nd - 1]) distinct[nd++] = v;
    }
    const e: number[] = [];
    if (nd <= maxBins) {
      for (let k = 0; k + 1 < nd; k++) e.push(midpoint(distinct[k]!, distinct[k + 1]!));
    } else {
      // Edge after the value at quantile q = k/maxBins, moved to the gap to the next distinct value.
      let pos = 0; // index into distinct
      for (let k = 1; k < maxBins; k++) {
        const v = col[Math.min(n - 1, Math.floor((k * n) / maxBins))]!;
        while (pos < nd - 1 && distinct[pos]! < v) pos++;
        if (pos >= nd - 1) break;
        const edge = midpoint(distinct[pos]!, distinct[pos + 1]!);
        if (e.length === 0 || edge > e[e.length - 1]!) e.push(edge);
      }
    }
    const ej = Float64Array.from(e);
    edges.push(ej);
    for (let i = 0; i < n; i++) codes[i * d + j] = binOf(ej, x[i * d + j]!);
  }
  return { edges, codes };
}

/** The bin of value v under ascending edges: the least b with v ≤ edges[b], else edges.length. */
export function binOf(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** (a + b) / 2, but never equal to b (so a ≤ mid < b holds for adjacent doubles too). */
function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m >= b ? a : m;
}
