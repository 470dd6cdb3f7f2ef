import type { Rng } from '../../rng.js';
import type { BinaryClassifier } from './classifier.js';
import { gemmNT } from './gemm.js';
import { fitStandardizer, type Standardizer } from './standardize.js';
import { checkFitArgs, checkPredictArgs } from './validate.js';

/** Options of {@link LogisticRegression}. */
export interface LogisticRegressionOptions {
  /** Inverse L2 strength, as sklearn's `C` (default 1.0, sklearn's default). */
  c?: number;
  /** Stop when the largest |gradient| component is below tol·max(1, n·C) (default 1e-10). */
  tol?: number;
  /** Newton iterations at most (default 100; 4–8 is typical). */
  maxIter?: number;
}

/**
 * L2-regularised logistic regression on standardised features — sklearn's
 * `make_pipeline(StandardScaler(), LogisticRegression(C=c))`, the model of TF Privacy's
 * LogisticRegressionAttacker (which grid-searches C ∈ logspace(−4, 2, 10) by 3-fold CV; we fit C = 1,
 * sklearn's default, since with the thousands of rows of an audit the penalty barely matters).
 *
 * Minimises ½‖w‖² + C·Σᵢ [log(1 + e^{zᵢ}) − yᵢ zᵢ], zᵢ = wᵀxᵢ + b on standardised xᵢ, intercept b not
 * penalised (sklearn's objective). Solved by Newton's method (IRLS) with a Cholesky solve of the
 * (d+1)×(d+1) Hessian and Armijo backtracking, to a gradient of ~1e-10 — i.e. to the exact optimum,
 * where sklearn's lbfgs stops at tol = 1e-4. Deterministic (the rng is unused).
 */
export class LogisticRegression implements BinaryClassifier {
  private readonly c: number;
  private readonly tol: number;
  private readonly maxIter: number;
  private scaler: Standardizer | undefined;
  private w: Float64Array | undefined;
  private b = 0;
  /** Newton iterations used by the last fit. */
  iterations = 0;

  constructor(options: LogisticRegressionOptions = {}) {
    this.c = options.c ?? 1.0;
    this.tol = options.tol ?? 1e-10;
    this.maxIter = options.maxIter ?? 100;
    if (!(this.c > 0)) throw new RangeError(`LogisticRegression: c must be > 0. Got ${this.c}`);
  }

  /** Coefficients on the standardised features (length d) and the intercept, after fit. */
  get coefficients(): { coef: Float64Array; intercept: number; mean: Float64Array; scale: Float64Array } {
    if (this.w === undefined || this.scaler === undefined) throw new Error('LogisticRegression: not fitted');
    const { mean, scale } = this.scaler;
    return { coef: this.w.slice(), intercept: this.b, mean: mean.slice(), scale: scale.slice() };
  }

  fit(x: Float64Array, n: number, d: number, y: Uint8Array, _rng: Rng): void {
    checkFitArgs('LogisticRegression', x, n, d, y);
    this.scaler = fitStandardizer(x, n, d);
    const { mean, scale } = this.scaler;
    const c = this.c;
    const p = d + 1; // parameters: w[0..d-1], b at index d
    // Standardised features, transposed (p×n, feature-major) with a last row of ones for the intercept:
    // margins, gradient and Hessian then all stream over contiguous rows.
    const zt = new Float64Array(p * n);
    for (let j = 0; j < d; j++) {
      const mj = mean[j]!;
      const sj = scale[j]!;
      for (let i = 0; i < n; i++) zt[j * n + i] = (x[i * d + j]! - mj) / sj;
    }
    zt.fill(1, d * n);
    const theta = new Float64Array(p);
    const grad = new Float64Array(p);
    const hess = new Float64Array(p * p);
    const step = new Float64Array(p);
    const trial = new Float64Array(p);
    const margin = new Float64Array(n);
    const prob = new Float64Array(n); // σ(margin) at the current theta
    const block = new Float64Array(p * Math.min(n, CHUNK));
    const part = new Float64Array(p * p);
    const sw = new Float64Array(n);
    const gtol = this.tol * Math.max(1, n * c);
    let ones = 0;
    for (let i = 0; i < n; i++) ones += y[i]!;
    theta[d] = Math.log(ones / (n - ones)); // start from the class prior

    const objective = (t: Float64Array): number => {
      let reg = 0;
      for (let j = 0; j < d; j++) reg += t[j]! * t[j]!;
      margin.fill(0);
      for (let j = 0; j < p; j++) {
        const tj = t[j]!;
        const o = j * n;
        for (let i = 0; i < n; i++) margin[i]! += tj * zt[o + i]!;
      }
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const s = margin[i]!;
        // softplus(s) = max(s, 0) + log1p(e) and sigmoid(s), sharing e = exp(−|s|).
        const e = Math.exp(-Math.abs(s));
        prob[i] = s >= 0 ? 1 / (1 + e) : e / (1 + e);
        loss += Math.max(s, 0) + Math.log1p(e) - (y[i] === 1 ? s : 0);
      }
      return 0.5 * reg + c * loss;
    };

    let f = objective(theta);
    let iter = 0;
    for (; iter < this.maxIter; iter++) {
      // Gradient Σᵢ rᵢ zᵢ and Hessian Σᵢ wᵢ zᵢ zᵢᵀ = (√w·Z)ᵀ(√w·Z) at theta.
      for (let i = 0; i < n; i++) {
        const pi = prob[i]!;
        margin[i] = pi - y[i]!; // residual rᵢ (margins are recomputed by the next objective call)
        sw[i] = Math.sqrt(pi * (1 - pi));
      }
      for (let j = 0; j < p; j++) {
        const o = j * n;
        let g = 0;
        for (let i = 0; i < n; i++) g += margin[i]! * zt[o + i]!;
        grad[j] = g;
      }
      // Hessian by blocks of CHUNK rows that stay in cache: block = √w·Z (p×CHUNK), H += block·blockᵀ.
      hess.fill(0);
      for (let i0 = 0; i0 < n; i0 += CHUNK) {
        const len = Math.min(CHUNK, n - i0);
        for (let j = 0; j < p; j++) {
          const o = j * n + i0;
          const b = j * len;
          for (let i = 0; i < len; i++) block[b + i] = sw[i0 + i]! * zt[o + i]!;
        }
        gemmNT(block, p, len, block, p, part);
        for (let t = 0; t < p * p; t++) hess[t]! += part[t]!;
      }
      let gmax = 0;
      for (let j = 0; j < p; j++) {
        grad[j]! *= c;
        if (j < d) grad[j]! += theta[j]!;
        gmax = Math.max(gmax, Math.abs(grad[j]!));
      }
      if (gmax < gtol) break;
      for (let j = 0; j < p; j++) {
        for (let k = 0; k < p; k++) hess[j * p + k]! *= c;
        hess[j * p + j]! += j < d ? 1 : 1e-12; // the penalty on w; a tiny ridge keeps b's pivot positive
      }
      choleskySolve(hess, p, grad, step); // step = H⁻¹ g
      let decrease = 0;
      for (let j = 0; j < p; j++) decrease += grad[j]! * step[j]!;
      // Armijo backtracking: θ − α·step. Once the predicted decrease is below the rounding error of f,
      // the objective can no longer judge a step: the full Newton step is taken (quadratic region).
      const judge = 1e-4 * decrease > 1e3 * Number.EPSILON * Math.abs(f);
      let alpha = 1;
      let accepted = false;
      for (let ls = 0; ls < 40; ls++) {
        for (let j = 0; j < p; j++) trial[j] = theta[j]! - alpha * step[j]!;
        const ft = objective(trial);
        if (!judge || ft <= f - 1e-4 * alpha * decrease) {
          theta.set(trial);
          f = ft;
          accepted = true;
          break;
        }
        alpha *= 0.5;
      }
      if (!accepted) {
        objective(theta); // restore prob; no progress possible at double precision
        break;
      }
    }
    this.iterations = iter;
    this.w = theta.slice(0, d);
    this.b = theta[d]!;
  }

  predictProba(x: Float64Array, m: number, d: number): Float64Array {
    const w = this.w;
    const s = this.scaler;
    if (w === undefined || s === undefined) throw new Error('LogisticRegression: predictProba before fit');
    checkPredictArgs('LogisticRegression', x, m, d, w.length);
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const o = i * d;
      let t = this.b;
      for (let j = 0; j < d; j++) t += (w[j]! * (x[o + j]! - s.mean[j]!)) / s.scale[j]!;
      out[i] = sigmoid(t);
    }
    return out;
  }
}

/** Rows per Hessian block: p×CHUNK doubles stay in L2 for p up to ~100. */
const CHUNK = 256;

/** 1 / (1 + e^{−t}) without overflow. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** Solves A·out = b for symmetric positive-definite A (p×p, overwritten by its Cholesky factor). */
function choleskySolve(a: Float64Array, p: number, b: Float64Array, out: Float64Array): void {
  for (let j = 0; j < p; j++) {
    let s = a[j * p + j]!;
    for (let k = 0; k < j; k++) s -= a[j * p + k]! * a[j * p + k]!;
    const l = Math.sqrt(Math.max(s, 1e-300));
    a[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let t = a[i * p + j]!;
      for (let k = 0; k < j; k++) t -= a[i * p + k]! * a[j * p + k]!;
      a[i * p + j] = t / l;
    }
  }
  for (let i = 0; i < p; i++) {
    let t = b[i]!;
    for (let k = 0; k < i; k++) t -= a[i * p + k]! * out[k]!;
    out[i] = t / a[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let t = out[i]!;
    for (let k = i + 1; k < p; k++) t -= a[k * p + i]! * out[k]!;
    out[i] = t / a[i * p + i]!;
  }
}
