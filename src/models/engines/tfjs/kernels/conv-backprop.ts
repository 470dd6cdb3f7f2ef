/**
 * Convolution gradients for the WASM backend (NHWC, groups = 1).
 *
 * - Conv2DBackpropFilter (absent from tfjs-backend-wasm 4.22, so conv nets cannot train on it at all).
 *   Stride 1, dilation 1: dW[i, j, ci, co] = Σ_{b,y,x} x[b, y + i − pt, x + j − pl, ci] · dy[b, y, x, co] is
 *   itself a convolution (XNNPACK Conv2D, threaded) of x laid out [cin, h, w, n] (batch = cin, channels
 *   = n) with dy laid out [oh, ow, n, cout] as the filter, giving [cin, kh, kw, cout]. Other strides and
 *   dilations: im2col of x into cols [M, K] (M = n·oh·ow, K = kh·kw·cin, zeros outside the input), then
 *   dWᵀ [cout, K] = dyᵀ [cout, M] · cols [M, K] (BatchMatMul), transposed to [kh, kw, cin, cout].
 * - Conv2DBackpropInput for stride 1 and dilation 1: a forward convolution (XNNPACK Conv2D) of dy,
 *   padded by (k − 1 − pad) on each side, with the filter rotated by 180° and its in/out channels swapped:
 *   dx[y, x, ci] = Σ dy[y + pt − i, x + pl − j, co] · W[i, j, ci, co]. Other strides: the stock kernel.
 * Reference: Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016), §4.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { alloc, f32, free, reshapeInfo, runStock, type TensorInfo, transposeInto } from './wasm-util.js';

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

/**
 * cols[m, k] for m = (b, oy, ox), k = (i, j, c): x[b, oy·sh − pt + i·dh, ox·sw − pl + j·dw, c], or 0 outside.
 * With dilation 1 each (m, i) row segment of kw·cin values is one contiguous run of x.
 */
export function im2col(x: Float32Array, cols: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const C = inChannels;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * inWidth * C;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let i = 0; i < kh; i++) {
          const iy = oy * strideHeight - pt + i * dh;
          const rowOk = iy >= 0 && iy < inHeight;
          const xr = xb + iy * inWidth * C;
          for (let j = 0; j < kw; j++) {
            const ix = ox * strideWidth - pl + j * dw;
            if (rowOk && ix >= 0 && ix < inWidth) {
              let src = xr + ix * C;
              for (let c = 0; c < C; c++) cols[o++] = x[src++]!;
            } else {
              for (let c = 0; c < C; c++) cols[o++] = 0;
            }
          }
        }
      }
    }
  }
}

/** out[c, p, n] = x[n, p, c] for x of shape [n, p, c]. */
export function swapOuterInner(x: Float32Array, out: Float32Array, n: number, p: number, c: number): void {
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < p; q++) {
      const src = (i * p + q) * c;
      let dst = q * n + i;
      const step = p * n;
      for (let k = 0; k < c; k++) {
        out[dst] = x[src + k]!;
        dst += step;
      }
    }
  }
}

/** out[q, i, :] = x[i, q, :] for x of shape [n, p, inner]. */
export function swapOuter2(x: Float32Array, out: Float32Array, n: number, p: number, inner: number): void {
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < p; q++) {
      const src = (i * p + q) * inner;
      out.set(x.subarray(src, src + inner), (q * n + i) * inner);
    }
  }
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(a.dataFormat),
  );
}

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = args.attrs as unknown as ConvAttrs;
  if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const filterShape = a.filterShape!;
  const info = convInfo(x.shape, filterShape, a);
  const {
    batchSize: n,
    inHeight: H,
    inWidth: W,
    inChannels: cin,
    outHeight: oh,
    outWidth: ow,
    outChannels: cout,
  } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const pb = kh - 1 - H - pt + oh;
  const pr = kw - 1 - W - pl + ow;
  const unit =
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1;
  if (unit && pb >= 0 && pr >= 0) {
    // dW as a convolution: batch = cin, channels = n, the filter is dy laid out [oh, ow, n, cout].
    const xT = alloc(backend, [cin, H, W, n]);
    const dyT = alloc(backend, [oh, ow, n, cout]);
    swapOuterInner(f32(backend, x), f32(backend, xT), n, H * W, cin);
    swapOuter2(f32(backend, dy), f32(backend, dyT), n, oh * ow, cout);
    let r: TensorInfo;
    try {
      r = runStock('Conv2D', backend, { x: xT, filter: dyT }, {
        strides: [1, 1],
        pad: [
          [0, 0],
          [pt, pb],
          [pl, pr],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      } as unknown as tf.NamedAttrMap);
    } finally {
      free(backend, xT);
      free(backend, dyT);
    }
    // r is [cin, kh, kw, cout]; the filter is [kh, kw, cin, cout].
    const out = alloc(backend, [...filterShape]);
    swapOuter2(f32(backend, r), f32(backend, out), cin, kh * kw, cout);
    free(backend, r);
    return out;
  }
  const M = n * oh * ow;
  const K = kh * kw * cin;
  // cols [1, M, K] and dyᵀ [1, cout, M]; allocate both before taking heap views.
  const cols = alloc(backend, [1, M, K]);
  const dyT = alloc(backend, [1, cout, M]);
  im2col(f32(backend, x), f32(backend, cols), info);
  transposeInto(f32(backend, dy), f32(backend, dyT), 1, M, cout);
  const dwT = runStock('BatchMatMul', backend, { a: dyT, b: cols }, { transposeA: false, transposeB: false });
  free(backend, cols);
  free(backend, dyT);
  const out = alloc(backend, [...filterShape]);
  transposeInto(f32(backend, dwT), f32(backend, out), 1, cout, K);
  free(backend, dwT);
  return out;
}

export const conv2DBackpropFilterKernel: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};

/** W'[i, j, co, ci] = W[kh − 1 − i, kw − 1 − j, ci, co]. */
export function rotateFilter(
  w: Float32Array,
  out: Float32Array,
  kh: number,
  kw: number,
  cin: number,
  cout: number,
): void {
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * cin * cout;
      const dst = (i * kw + j) * cout * cin;
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++) out[dst + co * cin + ci] = w[src + ci * cout + co]!;
      }
    }
  }
}

function conv2DBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as ConvAttrs;
  const inputShape = a.inputShape!;
  const info = convInfo(inputShape, filter.shape, a);
  const simple =
    a.dataFormat !== 'NCHW' &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1;
  if (!simple) return runStock('Conv2DBackpropInput', backend, args.inputs, args.attrs);
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const cin = info.inChannels;
  const cout = info.outChannels;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = info.inHeight - info.outHeight - top + kh - 1;
  const right = info.inWidth - info.outWidth - left + kw - 1;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    return runStock('Conv2DBackpropInput', backend, args.inputs, args.attrs);
  }
  const rot = alloc(backend, [kh, kw, cout, cin]);
  rotateFilter(f32(backend, filter), f32(backend, rot), kh, kw, cin, cout);
  const dy4 = reshapeInfo(backend, dy, [info.batchSize, info.outHeight, info.outWidth, cout]);
  try {
    const out = runStock('Conv2D', backend, { x: dy4, filter: rot }, {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    } as unknown as tf.NamedAttrMap);
    return { ...out, shape: [...inputShape] };
  } finally {
    free(backend, rot);
    free(backend, dy4);
  }
}

export const conv2DBackpropInputKernel: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
