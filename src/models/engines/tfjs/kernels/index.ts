/**
 * Our training kernels for the tfjs WASM backend, registered over (or beside) the stock ones.
 * See each file for the maths; test/models/engines/tfjs/kernels.test.ts checks every one against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamCpuKernel, adamWasmKernel } from './adam.js';
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from './conv-backprop.js';
import { batchMatMulKernel, fusedMatMulKernel, transposeKernel } from './matmul.js';
import { maxPoolGradKernel, sumKernel } from './pool-sum.js';
import { stockKernel } from './wasm-util.js';

/** Every kernel we register for 'wasm', in registration order. */
export const WASM_KERNELS: readonly tf.KernelConfig[] = [
  batchMatMulKernel,
  fusedMatMulKernel,
  transposeKernel,
  conv2DBackpropFilterKernel,
  conv2DBackpropInputKernel,
  maxPoolGradKernel,
  sumKernel,
  adamWasmKernel,
];

let registered = false;

/**
 * Registers WASM_KERNELS for the 'wasm' backend (once). Must run before the backend initialises:
 * a replaced stock kernel keeps its setupFunc, which the engine calls at initialisation.
 * Returns the kernel names.
 */
export function registerWasmKernels(): string[] {
  const names = WASM_KERNELS.map((k) => k.kernelName);
  if (registered) return names;
  for (const k of WASM_KERNELS) {
    const existing = tf.getKernel(k.kernelName, 'wasm');
    if (existing !== undefined) {
      stockKernel(k.kernelName);
      tf.unregisterKernel(k.kernelName, 'wasm');
    }
    const setup = existing?.setupFunc;
    tf.registerKernel(setup !== undefined ? { ...k, setupFunc: setup } : k);
  }
  if (tf.getKernel(adamCpuKernel.kernelName, 'cpu') === undefined) tf.registerKernel(adamCpuKernel);
  registered = true;
  return names;
}
