/**
 * Convolution gradients for the WASM backend (NHWC, groups = 1).
 *
 * - Conv2DBackpropFilter (absent from tfjs-backend-wasm 4.22, so conv nets cannot train on it at all):
 *   im2col of x into cols [M, K] (M = n·outH·outW, K = kh·kw·cin, zero where the window leaves the
 *   padded input), then dWᵀ [cout, K] = dyᵀ [cout, M] · cols [M, K] on XNNPACK (BatchMatMul), then
 *   transposed to [kh, kw, cin, cout]. Any stride, dilation and padding.
 * - Conv2DBackpropInput for stride 1 and dilation 1: a forward convolution (XNNPACK Conv2D) of dy,
 *   padded by (k − 1 − pad) on each side, with the filter rotated by 180° and its in/out channels swapped:
 *   dx[y, x, ci] = Σ dy[y + pt − i, x + pl − j, co] · W[i, j, ci, co]. Other strides: the stock kernel.
 * Reference: Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016), §4.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
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
  const K = kh * kw * inChannels;
  const run = kw * inChannels;
  let row = 0;
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * inWidth * inChannels;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, row++) {
        const base = row * K;
        const x0 = ox * strideWidth - pl;
        for (let i = 0; i < kh; i++) {
          const iy = oy * strideHeight - pt + i * dh;
          const o = base + i * run;
          if (iy < 0 || iy >= inHeight) {
            cols.fill(0, o, o + run);
            continue;
          }
          const xr = xb + iy * inWidth * inChannels;
          if (dw === 1 && x0 >= 0 && x0 + kw <= inWidth) {
            cols.set(x.subarray(xr + x0 * inChannels, xr + (x0 + kw) * inChannels), o);
            continue;
          }
          for (let j = 0; j < kw; j++) {
            const ix = x0 + j * dw;
            const oj = o + j * inChannels;
            if (ix < 0 || ix >= inWidth) cols.fill(0, oj, oj + inChannels);
            else cols.set(x.subarray(xr + ix * inChannels, xr + (ix + 1) * inChannels), oj);
          }
        }
      }
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

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = args.attrs as unknown as ConvAttrs;
  if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const filterShape = a.filterShape!;
  const info = convInfo(x.shape, filterShape, a);
  const M = info.batchSize * info.outHeight * info.outWidth;
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const cout = info.outChannels;
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
export function rotateFilter(w: Float32Array, out: Float32Array, kh: number, kw: number, cin: number, cout: number): void {
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

function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
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
    const out = runStock(
      'Conv2D',
      backend,
      { x: dy4, filter: rot },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      } as unknown as tf.NamedAttrMap,
    );
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
