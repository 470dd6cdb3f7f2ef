/**
 * BatchMatMul and _FusedMatMul for the WASM backend with physical transposes.
 *
 * The stock kernels hand XNNPACK a fast path only for untransposed operands; with transposeA or
 * transposeB (every gradient of a dense layer: dy·Wᵀ and xᵀ·dy) they take a scalar loop that is 20–40×
 * slower. Here a transposed operand is first copied into its transposed layout (tiled JS transpose on
 * the heap, [batch, r, c] → [batch, c, r]) and the stock kernel runs untransposed. Results are
 * identical up to float rounding order.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { alloc, f32, free, runStock, type TensorInfo, transposeInto } from './wasm-util.js';

/** A physically transposed copy of the last two axes of `t` (caller frees it). */
export function transposeLast2(backend: BackendWasm, t: TensorInfo): TensorInfo {
  const s = t.shape;
  const r = s[s.length - 2]!;
  const c = s[s.length - 1]!;
  const batch = tf.util.sizeFromShape(s.slice(0, -2));
  const out = alloc(backend, [...s.slice(0, -2), c, r]);
  transposeInto(f32(backend, t), f32(backend, out), batch, r, c);
  return out;
}

function withPhysicalTransposes(
  name: string,
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): TensorInfo {
  const backend = args.backend as BackendWasm;
  const attrs = (args.attrs ?? {}) as Record<string, unknown>;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const ta = attrs.transposeA === true && a.shape.length >= 2;
  const tb = attrs.transposeB === true && b.shape.length >= 2;
  if (!ta && !tb) return runStock(name, backend, args.inputs, args.attrs);
  const a2 = ta ? transposeLast2(backend, a) : a;
  const b2 = tb ? transposeLast2(backend, b) : b;
  try {
    return runStock(name, backend, { ...args.inputs, a: a2, b: b2 }, {
      ...(args.attrs ?? {}),
      transposeA: false,
      transposeB: false,
    } as tf.NamedAttrMap);
  } finally {
    if (ta) free(backend, a2);
    if (tb) free(backend, b2);
  }
}

export const batchMatMulKernel: tf.KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: (args) => withPhysicalTransposes('BatchMatMul', args),
};

export const fusedMatMulKernel: tf.KernelConfig = {
  kernelName: '_FusedMatMul',
  backendName: 'wasm',
  kernelFunc: (args) => withPhysicalTransposes('_FusedMatMul', args),
};

/** Transpose of any rank: the tiled JS copy when it swaps the last two axes only, else stock. */
export const transposeKernel: tf.KernelConfig = {
  kernelName: 'Transpose',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { x } = args.inputs as { x: TensorInfo };
    const perm = (args.attrs as { perm: number[] }).perm;
    const n = perm.length;
    const swapsLast2 =
      n >= 2 &&
      x.dtype === 'float32' &&
      perm[n - 2] === n - 1 &&
      perm[n - 1] === n - 2 &&
      perm.slice(0, -2).every((p, i) => p === i);
    if (!swapsLast2) return runStock('Transpose', backend, args.inputs, args.attrs);
    return transposeLast2(backend, x);
  },
};
