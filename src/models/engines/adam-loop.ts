/**
 * The Adam update as one loop over a parameter's buffers, shared by both engines: the onnxruntime
 * engine's update (ort/engine.ts) and the tfjs kernel 'MiaAdamUpdate' (tfjs/kernels/adam.ts). No tfjs
 * import, so the onnxruntime engine can use it without loading TensorFlow.js. Rule (PyTorch's Adam, as src/models/optimizers.ts
 * documents it), with t the 1-based step:
 *   g ← g + weightDecay·w;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   w ← w − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε).
 */

export interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** 1-based step number t of this update. */
  step: number;
}

/**
 * The update above for every index, written to wOut / mOut / vOut. The outputs may be the inputs
 * themselves (in-place update): each index is read before it is written.
 */
export function adamLoop(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  wOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  a: AdamAttrs,
): void {
  const { beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd } = a;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const stepSize = a.lr / (1 - b1 ** a.step);
  const invSqrtBc2 = 1 / Math.sqrt(1 - b2 ** a.step);
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    const gi = wd !== 0 ? g[i]! + wd * wi : g[i]!;
    const mi = b1 * m[i]! + c1 * gi;
    const vi = b2 * v[i]! + c2 * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = wi - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
  }
}
