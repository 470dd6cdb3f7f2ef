/**
 * One Adam step for one parameter as a single kernel ('MiaAdamUpdate'), for the wasm and cpu backends:
 * a JS loop over the four buffers instead of ≈12 tfjs ops (each a kernel launch and a temporary).
 *
 * Rule (PyTorch's Adam, as src/models/optimizers.ts documents it), with t the 1-based step:
 *   g ← g + weightDecay·w;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   w ← w − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε).
 * Outputs are new tensors [w, m, v] (never in place: the wasm backend caches XNNPACK operators by
 * weight tensor id, so a weight changed in place would be multiplied with its stale packed copy).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type AdamAttrs, adamLoop } from '../../adam-loop.js';

export const ADAM_KERNEL = 'MiaAdamUpdate';

export type { AdamAttrs } from '../../adam-loop.js';

interface WasmLike {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
interface CpuLike {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

export const adamWasmKernel: tf.KernelConfig = {
  kernelName: ADAM_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: b, attrs }) => {
    const backend = b as unknown as WasmLike;
    const { w, g, m, v } = inputs as Record<'w' | 'g' | 'm' | 'v', tf.TensorInfo>;
    const outs = [w, m, v].map((t) => backend.makeOutput([...t.shape], 'float32'));
    const [wo, mo, vo] = outs.map((t) => backend.typedArrayFromHeap(t));
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t);
    adamLoop(view(w), view(g), view(m), view(v), wo!, mo!, vo!, attrs as unknown as AdamAttrs);
    return outs;
  },
};

export const adamCpuKernel: tf.KernelConfig = {
  kernelName: ADAM_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend: b, attrs }) => {
    const backend = b as unknown as CpuLike;
    const { w, g, m, v } = inputs as Record<'w' | 'g' | 'm' | 'v', tf.TensorInfo>;
    const view = (t: tf.TensorInfo) => backend.data.get(t.dataId).values;
    const n = tf.util.sizeFromShape(w.shape);
    const wo = new Float32Array(n);
    const mo = new Float32Array(n);
    const vo = new Float32Array(n);
    adamLoop(view(w), view(g), view(m), view(v), wo, mo, vo, attrs as unknown as AdamAttrs);
    return [
      backend.makeTensorInfo([...w.shape], 'float32', wo),
      backend.makeTensorInfo([...m.shape], 'float32', mo),
      backend.makeTensorInfo([...v.shape], 'float32', vo),
    ];
  },
};

/**
 * Applies one Adam step to every variable: `vars[i]`, `m[i]`, `v[i]` are assigned their new values
 * from `grads[i]` (rule above). One kernel per variable on wasm and cpu; elsewhere (tfjs-node) the same
 * rule in tfjs ops. Grads are not disposed. Call outside or inside tf.tidy.
 */
export function adamUpdate(
  vars: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  m: readonly tf.Variable[],
  v: readonly tf.Variable[],
  attrs: AdamAttrs,
): void {
  const fused = tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined;
  tf.tidy(() => {
    vars.forEach((w, i) => {
      const g = grads[i]!;
      const mi = m[i]!;
      const vi = v[i]!;
      if (fused) {
        const [nw, nm, nv] = tf
          .engine()
          .runKernel(ADAM_KERNEL, { w, g, m: mi, v: vi }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        w.assign(nw!);
        mi.assign(nm!);
        vi.assign(nv!);
        return;
      }
      const { beta1, beta2, epsilon, weightDecay, lr, step } = attrs;
      const gg = weightDecay !== 0 ? tf.add(g, tf.mul(w, weightDecay)) : g;
      const nm = tf.add(tf.mul(mi, beta1), tf.mul(gg, 1 - beta1));
      const nv = tf.add(tf.mul(vi, beta2), tf.mul(tf.square(gg), 1 - beta2));
      mi.assign(nm);
      vi.assign(nv);
      const denom = tf.add(tf.sqrt(tf.div(nv, 1 - beta2 ** step)), epsilon);
      w.assign(tf.sub(w, tf.div(tf.mul(nm, lr / (1 - beta1 ** step)), denom)));
    });
  });
}
