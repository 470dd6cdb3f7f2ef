/**
 * The backward pass of a forward graph (forward-graph.ts) as ONNX nodes: from the gradient of the logits
 * to the gradient of every parameter, written out op by op.
 *
 * Gradients (NCHW, stride 1):
 *   relu:     dZ = dA · 1[A > 0]                                  (A = relu output)
 *   conv dW:  Conv(Xᵀ, dYᵀ) with Xᵀ = X transposed [C, N, H, W], dYᵀ = [O, N, Ho, Wo] as the kernel,
 *             same top/left pads as the forward conv → [C, O, kh, kw], transposed to [O, C, kh, kw]
 *   conv dX:  Conv(dY, W flipped in h and w with in/out swapped), pads (k − 1 − p) → [N, C, H, W]
 *   maxpool:  size = stride: dY upsampled, masked where the input equals its window's maximum
 *             (see poolGradByMask for ties); overlapping windows: ScatterElements(add) of dY at
 *             MaxPool's argmax indices
 *   dense:    dW = Fᵀ·dZ, db = Σ_n dZ, dF = dZ·Wᵀ
 */
import type { Layer } from '../../layer-graph.js';
import type { Saved } from './forward-graph.js';
import type { Builder } from './graph-builder.js';

function isRelu(l: Layer): boolean {
  return (l.type === 'conv2d' || l.type === 'dense' || l.type === 'activation') && l.activation === 'relu';
}

/** g · 1[a > 0] (the ReLU gradient; a is the ReLU's output). */
function reluGrad(b: Builder, g: string, a: string): string {
  const zero = b.scalar(0);
  return b.one('Where', [b.one('Greater', [a, zero]), g, zero]);
}

/**
 * dA for a max pool with size = stride (non-overlapping windows) and no padding, from dP: the mask of
 * positions equal to their window's maximum (pool output upsampled by repetition), times dP upsampled;
 * rows / columns past the last whole window get 0. Positions tied for a window's maximum each receive
 * dP (tfjs gives it to the first only); when a ReLU precedes the pool, `gP` is already masked by
 * P > 0, so the only ties that occur in practice (all four values 0) receive 0 either way.
 */
function poolGradByMask(b: Builder, s: Saved, gP: string): string {
  const l = s.layer as Extract<Layer, { type: 'maxpool' }>;
  const k = l.size;
  const [H, W] = s.inShape as [number, number, number];
  const [h, w] = s.outShape as [number, number];
  const up = (t: string) =>
    b.one('Resize', [t, '', b.floats([1, 1, k, k])], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
  let a = s.input;
  const crop = h * k !== H || w * k !== W;
  if (crop) a = b.one('Slice', [a, b.ints([0, 0]), b.ints([h * k, w * k]), b.ints([2, 3])]);
  const mask = b.one('Cast', [b.one('Equal', [a, up(s.output)])], { to: 1 });
  let g = b.one('Mul', [mask, up(gP)]);
  if (crop) g = b.one('Pad', [g, b.ints([0, 0, 0, 0, 0, 0, H - h * k, W - w * k])]);
  return g;
}

/**
 * Backward pass from dLogits; returns the gradient name of every parameter. With `onParamLayer`, the
 * dense and conv layers' parameter gradients are not written: the callback receives each such layer with
 * the gradient of its pre-activation output (dZ, [N, units] or [N, O, Ho, Wo]) instead, and the
 * returned map is empty (dp-graph.ts builds per-sample norms and clipped sums from them).
 */
export function backward(
  b: Builder,
  saved: Saved[],
  dLogits: string,
  onParamLayer?: (s: Saved, dZ: string) => void,
): Map<string, string> {
  const grads = new Map<string, string>();
  let g = dLogits;
  let reluDone = -1;
  for (let j = saved.length - 1; j >= 0; j--) {
    const s = saved[j]!;
    const l = s.layer;
    const i = s.index;
    const needInputGrad = j > 0;
    if (isRelu(l) && reluDone !== j) g = reluGrad(b, g, s.output);
    if ((l.type === 'dense' || l.type === 'conv2d') && onParamLayer !== undefined) onParamLayer(s, g);
    if (l.type === 'dense') {
      if (onParamLayer === undefined) grads.set(`l${i}.kernel`, b.one('Gemm', [s.input, g], { transA: 1 }));
      if (onParamLayer === undefined)
        grads.set(`l${i}.bias`, b.one('ReduceSum', [g, b.ints([0])], { keepdims: 0 }));
      if (needInputGrad) g = b.one('Gemm', [g, `p:l${i}.kernel`], { transB: 1 });
    } else if (l.type === 'conv2d') {
      const [pt, pl] = s.pads!;
      const k = l.kernel;
      const [H, W] = [s.inShape[0]!, s.inShape[1]!];
      const [oh, ow] = [s.outShape[0]!, s.outShape[1]!];
      const pb = k - 1 - H - pt + oh;
      const pr = k - 1 - W - pl + ow;
      if (onParamLayer === undefined) {
        grads.set(`l${i}.bias`, b.one('ReduceSum', [g, b.ints([0, 2, 3])], { keepdims: 0 }));
        // dW as a convolution of Xᵀ [C, N, H, W] with dYᵀ [O, N, Ho, Wo] as the kernel → [C, O, k, k].
        const xT = b.one('Transpose', [s.input], { perm: [1, 0, 2, 3] });
        const gT = b.one('Transpose', [g], { perm: [1, 0, 2, 3] });
        const r = b.one('Conv', [xT, gT], { pads: [pt, pl, pb, pr] });
        grads.set(`l${i}.kernel`, b.one('Transpose', [r], { perm: [1, 0, 2, 3] }));
      }
      if (needInputGrad) {
        const wT = b.one('Transpose', [`p:l${i}.kernel`], { perm: [1, 0, 2, 3] });
        const big = 2 ** 31 - 1;
        const flipped = b.one('Slice', [
          wT,
          b.ints([-1, -1]),
          b.ints([-big, -big]),
          b.ints([2, 3]),
          b.ints([-1, -1]),
        ]);
        const [ptf, plf, pbf, prf] = s.pads!;
        g = b.one('Conv', [g, flipped], { pads: [k - 1 - ptf, k - 1 - plf, k - 1 - pbf, k - 1 - prf] });
      }
    } else if (l.type === 'maxpool') {
      if (!needInputGrad) continue;
      const prev = saved[j - 1];
      // A ReLU right before the pool: mask dP by P > 0 here (4× fewer values) and skip its gradient.
      if (prev !== undefined && isRelu(prev.layer)) {
        g = reluGrad(b, g, s.output);
        reluDone = j - 1;
      }
      if (l.size === l.stride) {
        g = poolGradByMask(b, s, g);
      } else {
        // Overlapping windows: scatter-add dP at MaxPool's argmax indices.
        const size = b.one('Reshape', [b.one('Size', [s.input]), b.ints([1])]);
        const z = b.one('ConstantOfShape', [size]);
        const idx = b.one('Reshape', [s.indices!, b.ints([-1])]);
        const upd = b.one('Reshape', [g, b.ints([-1])]);
        const sc = b.one('ScatterElements', [z, idx, upd], { axis: 0, reduction: 'add' });
        g = b.one('Reshape', [sc, b.one('Shape', [s.input])]);
      }
    } else if (l.type === 'flatten') {
      if (s.inLayout === 'flat' || !needInputGrad) continue;
      const [H, W, C] = s.inShape;
      g = b.one('Reshape', [g, b.ints([-1, H!, W!, C!])]);
      if (s.inLayout === 'nchw') g = b.one('Transpose', [g], { perm: [0, 3, 1, 2] });
    }
  }
  return grads;
}
