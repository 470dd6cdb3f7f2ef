import type { Rng } from '../../rng.js';
import type { BinaryClassifier } from './classifier.js';
import { fitStandardizer, type Standardizer } from './standardize.js';
import { checkFitArgs, checkPredictArgs } from './validate.js';

/** Options of {@link LogisticRegression}. */
export interface LogisticRegressionOptions {
  /** Inverse L2 strength, as sklearn's `C` (default 1.0, sklearn's default). */
  c?: number;
  /** Stop when the largest |gradient| component is below tol·max(1, n·C) (default 1e-10). */
  tol?: number;
  /** Newton iterations at most (default 100; a dozen is typical). */
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
    return { coef: this.w.slice(), intercept: this.b, mean: this.scaler.mean, scale: this.scaler.scale };
  }

  fit(x: Float64Array, n: number, d: number, y: Uint8Array, _rng: Rng): void {
    checkFitArgs('LogisticRegression', x, n, d, y);
    this.scaler = fitStandardizer(x, n, d);
    const { mean, scale } = this.scaler;
    const c = this.c;
    const p = d + 1; // parameters: w[0..d-1], b at index d
    // Standardised rows with a trailing 1 for the intercept: n×p.
    const z = new Float64Array(n * p);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) z[i * p + j] = (x[i * d + j]! - mean[j]!) / scale[j]!;
      z[i * p + d] = 1;
    }
    const theta = new Float64Array(p);
    const grad = new Float64Array(p);
    const hess = new Float64Array(p * p);
    const step = new Float64Array(p);
    const trial = new Float64Array(p);
    const prob = new Float64Array(n); // σ(margin) at the current theta
    const gtol = this.tol * Math.max(1, n * c);
    let ones = 0;
    for (let i = 0; i < n; i++) ones += y[i]!;
    theta[d] = Math.log(ones / (n - ones)); // start from the class prior

    const objective = (t: Float64Array): number => {
      let reg = 0;
      for (let j = 0; j < d; j++) reg += t[j]! * t[j]!;
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const o = i * p;
        let s = 0;
        for (let j = 0; j < p; j++) s += t[j]! * z[o + j]!;
        // softplus(s) = max(s, 0) + log1p(e) and sigmoid(s), sharing e = exp(−|s|).
        const e = Math.exp(-Math.abs(s));
        prob[i] = s >= 0 ? 1 / (1 + e) : e / (1 + e);
        loss += Math.max(s, 0) + Math.log1p(e) - (y[i] === 1 ? s : 0);
      }
      return 0.5 * reg + c * loss;
    };

    let f = objective(theta);
    let iter = 0;
    const n4 = n - (n % 4);
    for (; iter < this.maxIter; iter++) {
      // Gradient Σ rᵢ zᵢ and Hessian Σ wᵢ zᵢ zᵢᵀ (lower triangle) at theta, four rows at a time.
      grad.fill(0);
      hess.fill(0);
      for (let i = 0; i < n; i += 4) {
        const four = i < n4;
        const o0 = i * p;
        const o1 = four ? o0 + p : o0;
        const o2 = four ? o1 + p : o0;
        const o3 = four ? o2 + p : o0;
        const p0 = prob[i]!;
        const p1 = four ? prob[i + 1]! : 0;
        const p2 = four ? prob[i + 2]! : 0;
        const p3 = four ? prob[i + 3]! : 0;
        const r0 = p0 - y[i]!;
        const r1 = four ? p1 - y[i + 1]! : 0;
        const r2 = four ? p2 - y[i + 2]! : 0;
        const r3 = four ? p3 - y[i + 3]! : 0;
        const w0 = p0 * (1 - p0);
        const w1 = p1 * (1 - p1);
        const w2 = p2 * (1 - p2);
        const w3 = p3 * (1 - p3);
        if (!four) i -= 3; // a single remainder row per pass
        for (let j = 0; j < p; j++) {
          const a0 = z[o0 + j]!;
          const a1 = z[o1 + j]!;
          const a2 = z[o2 + j]!;
          const a3 = z[o3 + j]!;
          grad[j]! += r0 * a0 + r1 * a1 + r2 * a2 + r3 * a3;
          const b0 = w0 * a0;
          const b1 = w1 * a1;
          const b2 = w2 * a2;
          const b3 = w3 * a3;
          const row = j * p;
          for (let k = 0; k <= j; k++) {
            hess[row + k]! += b0 * z[o0 + k]! + b1 * z[o1 + k]! + b2 * z[o2 + k]! + b3 * z[o3 + k]!;
          }
        }
      }
      let gmax = 0;
      for (let j = 0; j < p; j++) {
        grad[j]! *= c;
        if (j < d) grad[j]! += theta[j]!;
        gmax = Math.max(gmax, Math.abs(grad[j]!));
      }
      if (gmax < gtol) break;
      for (let j = 0; j < p; j++) {
        for (let k = 0; k <= j; k++) {
          const v = c * hess[j * p + k]! + (j === k && j < d ? 1 : 0) + (j === k && j === d ? 1e-12 : 0);
          hess[j * p + k] = v;
          hess[k * p + j] = v;
        }
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
