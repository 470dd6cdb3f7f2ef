/**
 * Principal axes of n×d row-major data: the eigenvectors of its covariance, by cyclic Jacobi rotations
 * (Golub & Van Loan §8.5), ordered by eigenvalue, largest first. Deterministic; O(d³) per sweep.
 */
export interface PrincipalAxes {
  /** d×d row-major: row k is the k-th axis (unit length, rows mutually orthogonal). */
  readonly axes: Float64Array;
  /** Variance along each axis, descending (length d). */
  readonly variances: Float64Array;
}

/** Principal axes of x (n×d), centred on the column means. */
export function principalAxes(x: Float64Array, n: number, d: number): PrincipalAxes {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const a = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j]! - mean[j]!;
    for (let j = 0; j < d; j++) {
      const v = row[j]!;
      for (let k = 0; k <= j; k++) a[j * d + k]! += v * row[k]!;
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = 0; k <= j; k++) {
      const v = a[j * d + k]! / n;
      a[j * d + k] = v;
      a[k * d + j] = v;
    }
  }
  const v = jacobiEigen(a, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((p, q) => a[q * d + q]! - a[p * d + p]! || p - q);
  const axes = new Float64Array(d * d);
  const variances = new Float64Array(d);
  order.forEach((col, k) => {
    variances[k] = Math.max(0, a[col * d + col]!);
    for (let j = 0; j < d; j++) axes[k * d + j] = v[j * d + col]!;
  });
  return { axes, variances };
}

/**
 * Diagonalises the symmetric d×d matrix a in place (its diagonal becomes the eigenvalues) and returns
 * V (d×d row-major) whose columns are the eigenvectors.
 */
function jacobiEigen(a: Float64Array, d: number): Float64Array {
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < d; p++) {
      diag += a[p * d + p]! * a[p * d + p]!;
      for (let q = p + 1; q < d; q++) off += a[p * d + q]! * a[p * d + q]!;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        if (apq === 0) continue;
        const theta = (a[q * d + q]! - a[p * d + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return v;
}
