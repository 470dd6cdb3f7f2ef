/**
 * MaxPoolGrad and leading-axis Sum for the WASM backend, as tight loops over the WASM heap.
 *
 * - MaxPoolGrad: dx = 0, then for every pooling window dx[argmax] += dy, where argmax is the first
 *   position (row-major within the window) holding the window's maximum, padding excluded: the rule of
 *   tfjs's cpu kernel (maxPoolPositions). The stock wasm kernel is ≈10× slower on training shapes.
 * - Sum over leading axes only (a bias gradient: Σ over [n, h, w] of an NHWC tensor): column sums of
 *   the [rows, cols] view, accumulated in float64. The stock kernel first transposes the reduced axes
 *   innermost. Any other reduction: the stock kernel.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { alloc, f32, runStock, type TensorInfo } from './wasm-util.js';

/** dx for max pooling (NHWC) given the forward input x and dy; see the file comment for ties. */
export function maxPoolBackprop(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: C,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
  } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  dx.fill(0);
  if (
    fh === 2 &&
    fw === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    pt === 0 &&
    pl === 0 &&
    dh === 1 &&
    dw === 1
  ) {
    pool2x2Backprop(x, dy, dx, batchSize, inHeight, inWidth, C, outHeight, outWidth);
    return;
  }
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * inWidth * C;
    for (let py = 0; py < outHeight; py++) {
      const y0 = py * strideHeight - pt;
      for (let px = 0; px < outWidth; px++) {
        const x0 = px * strideWidth - pl;
        for (let c = 0; c < C; c++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let i = 0; i < fh; i += dh) {
            const y = y0 + i;
            if (y < 0 || y >= inHeight) continue;
            const row = xb + y * inWidth * C + c;
            for (let j = 0; j < fw; j += dw) {
              const xx = x0 + j;
              if (xx < 0 || xx >= inWidth) continue;
              const k = row + xx * C;
              const v = x[k]!;
              if (v > best || at < 0) {
                best = v;
                at = k;
              }
            }
          }
          if (at >= 0) dx[at] = dx[at]! + dy[o]!;
        }
      }
    }
  }
}

/** The 2×2, stride 2, unpadded case (every window inside the input), with the same tie rule. */
function pool2x2Backprop(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  n: number,
  H: number,
  W: number,
  C: number,
  oh: number,
  ow: number,
): void {
  const rowStride = W * C;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let py = 0; py < oh; py++) {
      for (let px = 0; px < ow; px++) {
        const p00 = ((b * H + 2 * py) * W + 2 * px) * C;
        const p01 = p00 + C;
        const p10 = p00 + rowStride;
        const p11 = p10 + C;
        for (let c = 0; c < C; c++, o++) {
          let best = x[p00 + c]!;
          let at = p00 + c;
          const v01 = x[p01 + c]!;
          if (v01 > best) {
            best = v01;
            at = p01 + c;
          }
          const v10 = x[p10 + c]!;
          if (v10 > best) {
            best = v10;
            at = p10 + c;
          }
          if (x[p11 + c]! > best) at = p11 + c;
          dx[at] = dy[o]!;
        }
      }
    }
  }
}

export const maxPoolGradKernel: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: b, attrs }) => {
    const backend = b as BackendWasm;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const a = attrs as unknown as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const dx = alloc(backend, [...input.shape]);
    maxPoolBackprop(f32(backend, input), f32(backend, dy), f32(backend, dx), info);
    return dx;
  },
};

/** out[c] = Σ_r x[r, c] for x of shape [rows, cols], accumulated in float64. */
export function columnSums(x: Float32Array, out: Float32Array, rows: number, cols: number): void {
  const acc = new Float64Array(cols);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) acc[c] = acc[c]! + x[k++]!;
  }
  out.set(acc);
}

export const sumKernel: tf.KernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((v, i) => v === i);
    if (x.dtype !== 'float32' || !leading) return runStock('Sum', backend, args.inputs, args.attrs);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    const cols = tf.util.sizeFromShape(kept);
    const shape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
    const out = alloc(backend, shape);
    columnSums(f32(backend, x), f32(backend, out), rows, cols);
    return out;
  },
};
