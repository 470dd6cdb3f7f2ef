/**
 * Normalisation ops on the tape (tape.ts), with ε = 1e-5 (PyTorch's default):
 *
 *   batch norm, training:  μ, σ² (biased) over N, H, W per channel; x̂ = (x − μ) / √(σ² + ε);
 *                          y = γ·x̂ + β; the batch μ and σ² are graph outputs, from which the engine
 *                          updates the running averages (running-stats.ts)
 *   batch norm, inference: BatchNormalization with the running mean and variance
 *   group norm:            μ, σ² over each sample's group of C / G channels × H × W (Wu & He 2018),
 *                          the same in training and inference
 *
 *   gradient of a normalisation over a set S of M values: dγ = Σ dy·x̂, dβ = Σ dy, and with
 *   d = dy·γ, dx = (d − mean_S(d) − x̂ · mean_S(d·x̂)) / √(σ² + ε)
 */
import type { Tape, Value } from './tape.js';

export const NORM_EPSILON = 1e-5;

interface Affine {
  gamma: string;
  beta: string;
}

/** γ and β reshaped to broadcast over NCHW ([1, C, 1, 1]) or [N, C] rows. */
function broadcastAffine(t: Tape, a: Affine, x: Value): { g: string; b: string; axes: number[] } {
  const C = x.shape[0]!;
  if (x.shape.length === 1) return { g: a.gamma, b: a.beta, axes: [0] };
  const s = t.b.ints([1, C, 1, 1]);
  return { g: t.b.one('Reshape', [a.gamma, s]), b: t.b.one('Reshape', [a.beta, s]), axes: [0, 2, 3] };
}

/** x̂, 1/√(σ² + ε), μ and σ² of `x` over `axes` (kept as size-1 dims). */
function standardize(t: Tape, x: string, axes: number[]) {
  const b = t.b;
  const mean = b.one('ReduceMean', [x], { axes, keepdims: 1 });
  const xc = b.one('Sub', [x, mean]);
  const variance = b.one('ReduceMean', [b.one('Mul', [xc, xc])], { axes, keepdims: 1 });
  const inv = b.one('Reciprocal', [b.one('Sqrt', [b.one('Add', [variance, b.scalar(NORM_EPSILON)])])]);
  return { xhat: b.one('Mul', [xc, inv]), inv, mean, variance };
}

/** dx of a standardisation over `axes` from d = dy·γ (see the file comment). */
function standardizeGrad(t: Tape, d: string, xhat: string, inv: string, axes: number[]): string {
  const b = t.b;
  const m1 = b.one('ReduceMean', [d], { axes, keepdims: 1 });
  const m2 = b.one('ReduceMean', [b.one('Mul', [d, xhat])], { axes, keepdims: 1 });
  return b.one('Mul', [b.one('Sub', [b.one('Sub', [d, m1]), b.one('Mul', [xhat, m2])]), inv]);
}

/** γ·x̂ + β. */
function affine(t: Tape, xhat: string, g4: string, b4: string): string {
  return t.b.one('Add', [t.b.one('Mul', [xhat, g4]), b4]);
}

/** Batch norm in training mode; also returns the batch mean and biased variance ([C] each). */
export function batchNormTrain(t: Tape, x: Value, a: Affine): { y: Value; mean: string; variance: string } {
  const b = t.b;
  const { g: g4, b: b4, axes } = broadcastAffine(t, a, x);
  const s = standardize(t, x.name, axes);
  const y = affine(t, s.xhat, g4, b4);
  t.record(y, [x.name, a.gamma, a.beta], (g) => {
    t.addGrad(a.beta, b.one('ReduceSum', [g, b.ints(axes)], { keepdims: 0 }));
    t.addGrad(a.gamma, b.one('ReduceSum', [b.one('Mul', [g, s.xhat]), b.ints(axes)], { keepdims: 0 }));
    if (t.needs(x.name)) t.addGrad(x.name, standardizeGrad(t, b.one('Mul', [g, g4]), s.xhat, s.inv, axes));
  });
  const flat = b.ints([-1]);
  return {
    y: { name: y, shape: x.shape },
    mean: b.one('Reshape', [s.mean, flat]),
    variance: b.one('Reshape', [s.variance, flat]),
  };
}

/** Batch norm in inference mode (running statistics); not differentiated. */
export function batchNormEval(t: Tape, x: Value, a: Affine, mean: string, variance: string): Value {
  const y = t.b.one('BatchNormalization', [x.name, a.gamma, a.beta, mean, variance], {
    epsilon: { float: NORM_EPSILON },
  });
  return { name: y, shape: x.shape };
}

/** GroupNorm over `groups` channel groups of NCHW `x`. */
export function groupNorm(t: Tape, x: Value, a: Affine, groups: number): Value {
  const b = t.b;
  const { g: g4, b: b4, axes } = broadcastAffine(t, a, x);
  const grouped = b.ints([0, groups, -1]);
  const shape = b.one('Shape', [x.name]);
  const s = standardize(t, b.one('Reshape', [x.name, grouped]), [2]);
  const xhat = b.one('Reshape', [s.xhat, shape]);
  const y = affine(t, xhat, g4, b4);
  t.record(y, [x.name, a.gamma, a.beta], (g) => {
    t.addGrad(a.beta, b.one('ReduceSum', [g, b.ints(axes)], { keepdims: 0 }));
    t.addGrad(a.gamma, b.one('ReduceSum', [b.one('Mul', [g, xhat]), b.ints(axes)], { keepdims: 0 }));
    if (!t.needs(x.name)) return;
    const d = b.one('Reshape', [b.one('Mul', [g, g4]), grouped]);
    t.addGrad(x.name, b.one('Reshape', [standardizeGrad(t, d, s.xhat, s.inv, [2]), shape]));
  });
  return { name: y, shape: x.shape };
}
