/**
 * c[i·p + j] = Σₖ x[i·q + k] · y[j·q + k] for i < m, j < p: C = X·Yᵀ with X m×q and Y p×q row-major,
 * the one matrix product the MLP needs (forward, input gradient and weight gradient are all of this
 * form once the right operand is laid out row by row). Register-blocked 2 rows × 4 columns, which runs
 * ~4× faster in V8 than the naive triple loop.
 */
export function gemmNT(
  x: Float64Array,
  m: number,
  q: number,
  y: Float64Array,
  p: number,
  c: Float64Array,
): void {
  const m2 = m - (m % 2);
  const p4 = p - (p % 4);
  for (let i = 0; i < m2; i += 2) {
    const xa = i * q;
    const xb = xa + q;
    const ca = i * p;
    const cb = ca + p;
    for (let j = 0; j < p4; j += 4) {
      const y0 = j * q;
      const y1 = y0 + q;
      const y2 = y1 + q;
      const y3 = y2 + q;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let k = 0; k < q; k++) {
        const u = x[xa + k]!;
        const v = x[xb + k]!;
        const w0 = y[y0 + k]!;
        const w1 = y[y1 + k]!;
        const w2 = y[y2 + k]!;
        const w3 = y[y3 + k]!;
        a0 += u * w0;
        a1 += u * w1;
        a2 += u * w2;
        a3 += u * w3;
        b0 += v * w0;
        b1 += v * w1;
        b2 += v * w2;
        b3 += v * w3;
      }
      c[ca + j] = a0;
      c[ca + j + 1] = a1;
      c[ca + j + 2] = a2;
      c[ca + j + 3] = a3;
      c[cb + j] = b0;
      c[cb + j + 1] = b1;
      c[cb + j + 2] = b2;
      c[cb + j + 3] = b3;
    }
    for (let j = p4; j < p; j++) {
      const yo = j * q;
      let a = 0;
      let b = 0;
      for (let k = 0; k < q; k++) {
        const w = y[yo + k]!;
        a += x[xa + k]! * w;
        b += x[xb + k]! * w;
      }
      c[ca + j] = a;
      c[cb + j] = b;
    }
  }
  for (let i = m2; i < m; i++) {
    const xa = i * q;
    const ca = i * p;
    for (let j = 0; j < p; j++) {
      const yo = j * q;
      let a = 0;
      for (let k = 0; k < q; k++) a += x[xa + k]! * y[yo + k]!;
      c[ca + j] = a;
    }
  }
}

/** out (c×r) = the transpose of the first r rows of a (r×c row-major). */
export function transpose(a: Float64Array, r: number, c: number, out: Float64Array): void {
  for (let i = 0; i < r; i++) {
    const o = i * c;
    for (let j = 0; j < c; j++) out[j * r + i] = a[o + j]!;
  }
}
