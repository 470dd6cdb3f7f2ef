import type { Rng } from '../../rng.js';
import type { BinaryClassifier } from './classifier.js';
import { gemmNT, transpose } from './gemm.js';
import { sigmoid } from './logistic-regression.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from './standardize.js';
import { checkFitArgs, checkPredictArgs } from './validate.js';

/** Options of {@link Mlp}. Defaults follow sklearn's MLPClassifier where it has the same knob. */
export interface MlpOptions {
  /** Hidden layer widths, one or two layers (default [64], the first of TF Privacy's grid). */
  hiddenLayers?: number[];
  /** L2 penalty, sklearn's `alpha` (default 1e-4): loss += alpha·‖W‖² / (2·batch). */
  alpha?: number;
  /** Adam step size (default 1e-3, sklearn's learning_rate_init). */
  learningRate?: number;
  /** Minibatch size (default min(200, n), sklearn's "auto"). */
  batchSize?: number;
  /** Epochs at most (default 200, sklearn's max_iter). */
  maxEpochs?: number;
  /** Fraction of the training rows held out for early stopping (default 0.1). */
  validationFraction?: number;
  /** Rows trained between validation checks (default 20,000; at most one epoch). */
  checkEvery?: number;
  /** Stop after this many checks without a validation-loss gain above `tol` (default 10). */
  patience?: number;
  /** Minimum validation log-loss gain that counts as progress (default 1e-4). */
  tol?: number;
}

/**
 * A multilayer perceptron with ReLU hidden layers and a sigmoid output, trained on standardised
 * features by Adam on minibatches of binary cross-entropy + L2 — sklearn's
 * `MLPClassifier(hidden_layer_sizes=(64,), solver='adam', alpha=1e-4, early_stopping=True)` behind a
 * StandardScaler, the model of TF Privacy's MultilayerPerceptronAttacker (which grid-searches
 * hidden_layer_sizes ∈ {(64,), (32, 32)} × alpha ∈ {1e-4, 1e-3, 1e-2} by 3-fold CV; we fit the first
 * point of that grid).
 *
 * Weights start Glorot-uniform (sklearn's init: bound √(6/(fan_in+fan_out))). A random
 * `validationFraction` of the rows (by the rng) is held out; its log-loss is measured after every epoch
 * or every `checkEvery` training rows, whichever comes first; training stops after `patience` checks
 * without a gain of `tol` (or after `maxEpochs`), and the weights of the best check are kept. sklearn
 * checks once per epoch and scores by accuracy: on small data the two agree in spirit; on 10⁵ rows a
 * model converges within an epoch or two, and checking each 20,000 rows stops it after ~2 epochs
 * instead of ≥ 11. Log-loss is finer than accuracy and also judges the probabilities.
 */
export class Mlp implements BinaryClassifier {
  private readonly hidden: number[];
  private readonly alpha: number;
  private readonly lr: number;
  private readonly batchSize: number | undefined;
  private readonly maxEpochs: number;
  private readonly validationFraction: number;
  private readonly checkEvery: number;
  private readonly patience: number;
  private readonly tol: number;
  private scaler: Standardizer | undefined;
  private sizes: number[] = [];
  private weights: Float64Array[] = [];
  private biases: Float64Array[] = [];
  /** Epochs begun by the last fit, rows it trained on in all, and rows trained when the kept weights were. */
  epochs = 0;
  rowsTrained = 0;
  bestRows = 0;

  constructor(options: MlpOptions = {}) {
    this.hidden = options.hiddenLayers ?? [64];
    this.alpha = options.alpha ?? 1e-4;
    this.lr = options.learningRate ?? 1e-3;
    this.batchSize = options.batchSize;
    this.maxEpochs = options.maxEpochs ?? 200;
    this.validationFraction = options.validationFraction ?? 0.1;
    this.checkEvery = options.checkEvery ?? 20000;
    this.patience = options.patience ?? 10;
    this.tol = options.tol ?? 1e-4;
    if (this.hidden.length < 1 || this.hidden.some((h) => !Number.isInteger(h) || h < 1)) {
      throw new RangeError(`Mlp: hiddenLayers must be positive integers. Got [${this.hidden.join(', ')}]`);
    }
    if (!(this.validationFraction >= 0 && this.validationFraction < 1)) {
      throw new RangeError(`Mlp: validationFraction must be in [0, 1). Got ${this.validationFraction}`);
    }
  }

  fit(x: Float64Array, n: number, d: number, y: Uint8Array, rng: Rng): void {
    checkFitArgs('Mlp', x, n, d, y);
    this.scaler = fitStandardizer(x, n, d);
    const z = applyStandardizer(this.scaler, x, n, d);
    const sizes = [d, ...this.hidden, 1];
    this.sizes = sizes;
    const L = sizes.length - 1;
    const weights: Float64Array[] = [];
    const biases: Float64Array[] = [];
    for (let l = 0; l < L; l++) {
      const fin = sizes[l]!;
      const fout = sizes[l + 1]!;
      const bound = Math.sqrt(6 / (fin + fout));
      const w = new Float64Array(fin * fout);
      for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * bound;
      const b = new Float64Array(fout);
      for (let i = 0; i < fout; i++) b[i] = (2 * rng.next() - 1) * bound;
      weights.push(w);
      biases.push(b);
    }
    this.weights = weights;
    this.biases = biases;

    // Validation split (random rows); train on the rest.
    const perm = rng.permutation(n);
    let nVal = Math.floor(this.validationFraction * n);
    if (n - nVal < 1) nVal = 0;
    const valIdx = perm.subarray(0, nVal);
    const trainIdx = perm.slice(nVal);
    const nTrain = trainIdx.length;
    const valX = new Float64Array(nVal * d);
    const valY = new Uint8Array(nVal);
    for (let i = 0; i < nVal; i++) {
      const r = valIdx[i]!;
      valX.set(z.subarray(r * d, r * d + d), i * d);
      valY[i] = y[r]!;
    }

    const batch = Math.max(1, Math.min(this.batchSize ?? 200, nTrain));
    // Activations per layer for one batch (layer 0 is the input), and their gradients.
    const acts = sizes.map((s) => new Float64Array(batch * s));
    const deltas = sizes.map((s) => new Float64Array(batch * s));
    const maxWidth = Math.max(...sizes);
    const scratch = {
      dT: new Float64Array(batch * maxWidth),
      aT: new Float64Array(batch * maxWidth),
      wT: new Float64Array(maxWidth * maxWidth),
    };
    const gW = weights.map((w) => new Float64Array(w.length));
    const gB = biases.map((b) => new Float64Array(b.length));
    const mW = weights.map((w) => new Float64Array(w.length));
    const vW = weights.map((w) => new Float64Array(w.length));
    const mB = biases.map((b) => new Float64Array(b.length));
    const vB = biases.map((b) => new Float64Array(b.length));
    const beta1 = 0.9;
    const beta2 = 0.999;
    const eps = 1e-8;
    let t = 0;

    let bestLoss = Number.POSITIVE_INFINITY;
    let bestW = weights.map((w) => w.slice());
    let bestB = biases.map((b) => b.slice());
    let sinceBest = 0;
    let sinceCheck = 0;
    let rows = 0;
    let stop = false;
    const period = Math.min(nTrain, this.checkEvery);
    this.bestRows = 0;
    let epoch = 0;
    for (; epoch < this.maxEpochs && !stop; epoch++) {
      rng.shuffle(trainIdx);
      for (let start = 0; start < nTrain; start += batch) {
        const bs = Math.min(batch, nTrain - start);
        const a0 = acts[0]!;
        const yb = deltas[L]!;
        for (let i = 0; i < bs; i++) {
          const r = trainIdx[start + i]!;
          a0.set(z.subarray(r * d, r * d + d), i * d);
        }
        this.forward(acts, bs);
        const out = acts[L]!;
        for (let i = 0; i < bs; i++) yb[i] = (out[i]! - y[trainIdx[start + i]!]!) / bs; // output delta
        this.backward(acts, deltas, gW, gB, bs, scratch);
        t++;
        const lrT = (this.lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
        for (let l = 0; l < L; l++) {
          adam(weights[l]!, gW[l]!, mW[l]!, vW[l]!, lrT, beta1, beta2, eps);
          adam(biases[l]!, gB[l]!, mB[l]!, vB[l]!, lrT, beta1, beta2, eps);
        }
        rows += bs;
        sinceCheck += bs;
        if (nVal === 0 || sinceCheck < period) continue;
        // Validation check.
        sinceCheck = 0;
        const loss = this.logLoss(valX, valY, nVal);
        if (loss < bestLoss) {
          sinceBest = loss < bestLoss - this.tol ? 0 : sinceBest + 1;
          bestLoss = loss;
          bestW = weights.map((w) => w.slice());
          bestB = biases.map((b) => b.slice());
          this.bestRows = rows;
        } else {
          sinceBest++;
        }
        if (sinceBest >= this.patience) {
          stop = true;
          break;
        }
      }
    }
    this.epochs = epoch;
    this.rowsTrained = rows;
    if (nVal > 0 && bestLoss < Number.POSITIVE_INFINITY) {
      this.weights = bestW;
      this.biases = bestB;
    } else {
      this.bestRows = rows;
    }
  }

  /** Mean binary cross-entropy of the model on standardised rows (probabilities clipped to 1e-15). */
  private logLoss(z: Float64Array, y: Uint8Array, m: number): number {
    const p = this.forwardAll(z, m);
    let loss = 0;
    for (let i = 0; i < m; i++) {
      const q = Math.min(Math.max(p[i]!, 1e-15), 1 - 1e-15);
      loss -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
    }
    return loss / m;
  }

  predictProba(x: Float64Array, m: number, d: number): Float64Array {
    const s = this.scaler;
    if (s === undefined) throw new Error('Mlp: predictProba before fit');
    checkPredictArgs('Mlp', x, m, d, this.sizes[0]!);
    return this.forwardAll(applyStandardizer(s, x, m, d), m);
  }

  /** Forward pass on standardised rows, in chunks; returns P(class 1) per row. */
  private forwardAll(z: Float64Array, m: number): Float64Array {
    const d = this.sizes[0]!;
    const chunk = 512;
    const acts = this.sizes.map((s) => new Float64Array(chunk * s));
    const out = new Float64Array(m);
    const L = this.sizes.length - 1;
    for (let start = 0; start < m; start += chunk) {
      const bs = Math.min(chunk, m - start);
      acts[0]!.set(z.subarray(start * d, (start + bs) * d));
      this.forward(acts, bs);
      out.set(acts[L]!.subarray(0, bs), start);
    }
    return out;
  }

  /** Fills acts[1..L] from acts[0] for the first bs rows: ReLU hidden layers, sigmoid output. */
  private forward(acts: Float64Array[], bs: number): void {
    const sizes = this.sizes;
    const L = sizes.length - 1;
    for (let l = 0; l < L; l++) {
      const fout = sizes[l + 1]!;
      const b = this.biases[l]!;
      const aOut = acts[l + 1]!;
      gemmNT(acts[l]!, bs, sizes[l]!, this.weights[l]!, fout, aOut);
      const hidden = l < L - 1;
      for (let i = 0; i < bs; i++) {
        const oo = i * fout;
        for (let j = 0; j < fout; j++) {
          const t = aOut[oo + j]! + b[j]!;
          aOut[oo + j] = hidden ? Math.max(t, 0) : sigmoid(t);
        }
      }
    }
  }

  /**
   * Gradients of the mean batch loss + alpha·‖W‖²/(2·bs) into gW, gB, given the output delta
   * (p − y)/bs in deltas[L]. Weights are out×in row-major (W[j, k] at j·fin + k).
   */
  private backward(
    acts: Float64Array[],
    deltas: Float64Array[],
    gW: Float64Array[],
    gB: Float64Array[],
    bs: number,
    scratch: { dT: Float64Array; aT: Float64Array; wT: Float64Array },
  ): void {
    const sizes = this.sizes;
    const { dT, aT, wT } = scratch;
    for (let l = sizes.length - 2; l >= 0; l--) {
      const fin = sizes[l]!;
      const fout = sizes[l + 1]!;
      const w = this.weights[l]!;
      const gw = gW[l]!;
      const gb = gB[l]!;
      const dOut = deltas[l + 1]!;
      const aIn = acts[l]!;
      transpose(dOut, bs, fout, dT); // fout×bs
      transpose(aIn, bs, fin, aT); // fin×bs
      gemmNT(dT, fout, bs, aT, fin, gw); // Σᵢ dOut[i, j]·aIn[i, k]
      const reg = this.alpha / bs;
      for (let k = 0; k < gw.length; k++) gw[k]! += reg * w[k]!;
      for (let j = 0; j < fout; j++) {
        let t = 0;
        const o = j * bs;
        for (let i = 0; i < bs; i++) t += dT[o + i]!;
        gb[j] = t;
      }
      if (l > 0) {
        const dIn = deltas[l]!;
        transpose(w, fout, fin, wT); // fin×fout
        gemmNT(dOut, bs, fout, wT, fin, dIn);
        for (let i = 0; i < bs * fin; i++) if (aIn[i]! <= 0) dIn[i] = 0; // ReLU gradient
      }
    }
  }
}

function adam(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  lrT: number,
  beta1: number,
  beta2: number,
  eps: number,
): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i]! -= (lrT * mi) / (Math.sqrt(vi) + eps);
  }
}
