/**
 * Differentiable ops on the tape (tape.ts), each the forward ONNX nodes plus its gradient nodes:
 *
 *   conv:     y = Conv(x, W, stride s, pads p) (+ b)
 *             dW = dyᵀ · im2col(x)ᵀ as one Gemm (convWeightGrad), db = Σ dy,
 *             dx = ConvTranspose(dy, W, stride s, pads p, output_padding)
 *   relu:     dx = dy · 1[y > 0]
 *   add:      da = db = dy
 *   maxpool:  dy scattered (added) to MaxPool's argmax positions; non-overlapping, unpadded windows use
 *             the mask of positions equal to their window maximum (ties each get dy)
 *   gap:      dx = dy / (h·w) broadcast over the window
 *   flatten:  NCHW → NHWC order → [N, h·w·c] (dense weights mean the same as in the tfjs engine)
 *   dense:    dW = xᵀ·dy, db = Σ dy, dx = dy·Wᵀ
 *   dropout:  y = x · mask (mask fed per step: 0 or 1 / (1 − rate)), dx = dy · mask
 */
import type { Tape, Value } from './tape.js';

export interface ConvArgs {
  kernel: string;
  bias?: string;
  filters: number;
  k: number;
  stride: number;
  pads: [number, number, number, number];
}

export function conv(t: Tape, x: Value, a: ConvArgs): Value {
  const b = t.b;
  const [H, W] = [x.shape[1]!, x.shape[2]!];
  const { k, stride: s, pads } = a;
  const [pt, pl, pb, pr] = pads;
  const oh = Math.floor((H + pt + pb - k) / s) + 1;
  const ow = Math.floor((W + pl + pr - k) / s) + 1;
  const inputs = [x.name, a.kernel, ...(a.bias !== undefined ? [a.bias] : [])];
  const y = b.one('Conv', inputs, {
    kernel_shape: [k, k],
    strides: [s, s],
    pads: [pt, pl, pb, pr],
  });
  t.record(y, inputs, (g) => {
    if (a.bias !== undefined) t.addGrad(a.bias, b.one('ReduceSum', [g, b.ints([0, 2, 3])], { keepdims: 0 }));
    if (t.needs(a.kernel)) t.addGrad(a.kernel, convWeightGrad(t, x, g, a, oh, ow));
    if (t.needs(x.name)) {
      const full = (n: number, o: number, p0: number, p1: number) => n - (s * (o - 1) + k - p0 - p1);
      const dx = b.one('ConvTranspose', [g, a.kernel], {
        kernel_shape: [k, k],
        strides: [s, s],
        pads: [pt, pl, pb, pr],
        output_padding: [full(H, oh, pt, pb), full(W, ow, pl, pr)],
      });
      t.addGrad(x.name, dx);
    }
  });
  return { name: y, shape: [a.filters, oh, ow] };
}

/**
 * dW of a conv as im2col GEMMs, one per kernel tap: for each (i, j), the shifted, strided window of
 * the zero-padded input (as xᵀ = [C, N, H, W]) reshaped to [C, N·oh·ow] and dyᵀ reshaped to
 * [O, N·oh·ow] give dW[:, :, i, j] = dyᵀ · windowᵀ (Gemm transB, [O, C]); the k² results are
 * concatenated ([O, (i, j, c)]) and reordered to OIHW. GEMMs with the batch in their inner dimension run
 * faster on CPU than the dilated conv of xᵀ by dyᵀ (a C-image batch of skinny GEMMs), which took half
 * of a ResNet step; one window at a time keeps the extra memory at one activation (a single
 * [k²·C, N·oh·ow] im2col matrix would hold k² of them).
 */
function convWeightGrad(t: Tape, x: Value, g: string, a: ConvArgs, oh: number, ow: number): string {
  const b = t.b;
  const C = x.shape[0]!;
  const { k, stride: s, pads } = a;
  const [pt, pl, pb, pr] = pads;
  let xT = b.one('Transpose', [x.name], { perm: [1, 0, 2, 3] });
  if (pads.some((p) => p !== 0)) xT = b.one('Pad', [xT, b.ints([0, 0, pt, pl, 0, 0, pb, pr])]);
  const gT = b.one('Reshape', [b.one('Transpose', [g], { perm: [1, 0, 2, 3] }), b.ints([a.filters, -1])]);
  // one Gemm per kernel tap (i, j): dyᵀ [O, N·oh·ow] · window(i, j)ᵀ ([C, N·oh·ow]) → [O, C]
  const taps: string[] = [];
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const window =
        k === 1 && s === 1
          ? xT
          : b.one('Slice', [
              xT,
              b.ints([i, j]),
              b.ints([i + s * (oh - 1) + 1, j + s * (ow - 1) + 1]),
              b.ints([2, 3]),
              b.ints([s, s]),
            ]);
      taps.push(b.one('Gemm', [gT, b.one('Reshape', [window, b.ints([C, -1])])], { transB: 1 }));
    }
  const dw = taps.length === 1 ? taps[0]! : b.one('Concat', taps, { axis: 1 });
  if (k === 1) return b.one('Reshape', [dw, b.ints([a.filters, C, 1, 1])]);
  // [O, (i, j, c)] → [O, k, k, C] → OIHW
  return b.one('Transpose', [b.one('Reshape', [dw, b.ints([a.filters, k, k, C])])], { perm: [0, 3, 1, 2] });
}

/** g · 1[y > 0] (the ReLU gradient from its output y). */
export function reluGradOf(t: Tape, g: string, y: string): string {
  const zero = t.b.scalar(0);
  return t.b.one('Where', [t.b.one('Greater', [y, zero]), g, zero]);
}

export function relu(t: Tape, x: Value): Value {
  const y = t.b.one('Relu', [x.name]);
  t.record(y, [x.name], (g) => t.addGrad(x.name, reluGradOf(t, g, y)));
  return { name: y, shape: x.shape };
}

export function add(t: Tape, a: Value, c: Value): Value {
  const y = t.b.one('Add', [a.name, c.name]);
  t.record(y, [a.name, c.name], (g) => {
    t.addGrad(a.name, g);
    t.addGrad(c.name, g);
  });
  return { name: y, shape: a.shape };
}

export function maxpool(t: Tape, x: Value, size: number, stride: number, pad: number): Value {
  const b = t.b;
  const [C, H, W] = x.shape as [number, number, number];
  const oh = Math.floor((H + 2 * pad - size) / stride) + 1;
  const ow = Math.floor((W + 2 * pad - size) / stride) + 1;
  const byMask = size === stride && pad === 0;
  const [y, idx] = b.op(
    'MaxPool',
    [x.name],
    { kernel_shape: [size, size], strides: [stride, stride], pads: [pad, pad, pad, pad] },
    byMask ? 1 : 2,
  );
  t.record(y!, [x.name], (g) => {
    if (byMask) {
      const up = (v: string) =>
        b.one('Resize', [v, '', b.floats([1, 1, size, size])], {
          mode: 'nearest',
          coordinate_transformation_mode: 'asymmetric',
          nearest_mode: 'floor',
        });
      let a = x.name;
      const crop = oh * size !== H || ow * size !== W;
      if (crop) a = b.one('Slice', [a, b.ints([0, 0]), b.ints([oh * size, ow * size]), b.ints([2, 3])]);
      const mask = b.one('Cast', [b.one('Equal', [a, up(y!)])], { to: 1 });
      let dx = b.one('Mul', [mask, up(g)]);
      if (crop) dx = b.one('Pad', [dx, b.ints([0, 0, 0, 0, 0, 0, H - oh * size, W - ow * size])]);
      t.addGrad(x.name, dx);
      return;
    }
    const n = b.one('Reshape', [b.one('Size', [x.name]), b.ints([1])]);
    const z = b.one('ConstantOfShape', [n]);
    const flatIdx = b.one('Reshape', [idx!, b.ints([-1])]);
    const upd = b.one('Reshape', [g, b.ints([-1])]);
    const sc = b.one('ScatterElements', [z, flatIdx, upd], { axis: 0, reduction: 'add' });
    t.addGrad(x.name, b.one('Reshape', [sc, b.one('Shape', [x.name])]));
  });
  return { name: y!, shape: [C, oh, ow] };
}

/** Global average pooling: [N, C, H, W] → [N, C]. */
export function globalAvgPool(t: Tape, x: Value): Value {
  const b = t.b;
  const [C, H, W] = x.shape as [number, number, number];
  const y = b.one('Flatten', [b.one('GlobalAveragePool', [x.name])], { axis: 1 });
  t.record(y, [x.name], (g) => {
    const g4 = b.one('Reshape', [b.one('Mul', [g, b.scalar(1 / (H * W))]), b.ints([0, C, 1, 1])]);
    t.addGrad(x.name, b.one('Expand', [g4, b.one('Shape', [x.name])]));
  });
  return { name: y, shape: [C] };
}

/** [N, C, H, W] → [N, H·W·C] in NHWC order; flat rows pass through. */
export function flatten(t: Tape, x: Value): Value {
  if (x.shape.length !== 3) return x;
  const b = t.b;
  const [C, H, W] = x.shape as [number, number, number];
  const y = b.one('Flatten', [b.one('Transpose', [x.name], { perm: [0, 2, 3, 1] })], { axis: 1 });
  t.record(y, [x.name], (g) => {
    const g4 = b.one('Reshape', [g, b.ints([-1, H, W, C])]);
    t.addGrad(x.name, b.one('Transpose', [g4], { perm: [0, 3, 1, 2] }));
  });
  return { name: y, shape: [C * H * W] };
}

export function dense(t: Tape, x: Value, kernel: string, bias: string, units: number): Value {
  const b = t.b;
  const y = b.one('Gemm', [x.name, kernel, bias]);
  t.record(y, [x.name, kernel, bias], (g) => {
    t.addGrad(kernel, b.one('Gemm', [x.name, g], { transA: 1 }));
    t.addGrad(bias, b.one('ReduceSum', [g, b.ints([0])], { keepdims: 0 }));
    if (t.needs(x.name)) t.addGrad(x.name, b.one('Gemm', [g, kernel], { transB: 1 }));
  });
  return { name: y, shape: [units] };
}

/** x · mask, `mask` a graph input of x's full shape. */
export function dropout(t: Tape, x: Value, mask: string): Value {
  const y = t.b.one('Mul', [x.name, mask]);
  t.record(y, [x.name], (g) => t.addGrad(x.name, t.b.one('Mul', [g, mask])));
  return { name: y, shape: x.shape };
}
