/**
 * Helpers for our kernels on the tfjs WASM backend: typed views of tensors on the WASM heap, output
 * allocation, and calls into the stock kernels we wrap (kept from before we re-register a name).
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

export type TensorInfo = tf.TensorInfo;
export type KernelFunc = (args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}) => TensorInfo | TensorInfo[];

/** The stock 'wasm' kernel functions we call from ours, captured before we replace them. */
const stock = new Map<string, tf.KernelConfig>();

/** The stock wasm kernel config for `name` (captured at first call, before any replacement). */
export function stockKernel(name: string): tf.KernelConfig {
  let k = stock.get(name);
  if (k === undefined) {
    const found = tf.getKernel(name, 'wasm');
    if (found === undefined) throw new Error(`internal: stock wasm kernel ${name} missing`);
    k = found;
    stock.set(name, k);
  }
  return k;
}

/** Runs the stock wasm kernel `name`. */
export function runStock(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): TensorInfo {
  const k = stockKernel(name);
  return (k.kernelFunc as KernelFunc)({ inputs, backend, attrs }) as TensorInfo;
}

/** A Float32Array view of a float32 tensor's data on the WASM heap (invalid after any allocation). */
export function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t as tf.Tensor) as Float32Array;
}

/** A new float32 output tensor of `shape` (uninitialised). */
export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** Frees an intermediate tensor created by one of our kernels. */
export function free(backend: BackendWasm, t: TensorInfo): void {
  backend.disposeData(t.dataId);
}

/** A tensor sharing `t`'s data with another shape (refcount incremented; free it like any other). */
export function reshapeInfo(backend: BackendWasm, t: TensorInfo, shape: number[]): TensorInfo {
  backend.incRef(t.dataId);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * out[b, c, r] = x[b, r, c] for b < batch, r < rows, c < cols (row-major), in 32 × 32 tiles so that
 * reads and writes both stay in cache.
 */
export function transposeInto(
  x: Float32Array,
  out: Float32Array,
  batch: number,
  rows: number,
  cols: number,
  xOff = 0,
  outOff = 0,
): void {
  const T = 32;
  const plane = rows * cols;
  for (let b = 0; b < batch; b++) {
    const xb = xOff + b * plane;
    const ob = outOff + b * plane;
    for (let r0 = 0; r0 < rows; r0 += T) {
      const r1 = Math.min(rows, r0 + T);
      for (let c0 = 0; c0 < cols; c0 += T) {
        const c1 = Math.min(cols, c0 + T);
        for (let r = r0; r < r1; r++) {
          let xi = xb + r * cols + c0;
          let oi = ob + c0 * rows + r;
          for (let c = c0; c < c1; c++) {
            out[oi] = x[xi++]!;
            oi += rows;
          }
        }
      }
    }
  }
}
