/**
 * How many samples one training pass of the tfjs engine may hold at once on the WASM backend.
 *
 * tfjs-backend-wasm keeps every tensor on one WebAssembly heap that cannot grow past 4 GiB; a training
 * step keeps every activation of the forward pass (and the batch-norm intermediates) for the backward
 * pass, so memory grows linearly with the batch. ResNet-18 at width 32 on 32×32×3 images measured
 * ~28 MB of heap per sample (batch 64 → 1.86 GB heap, 128 → 3.63 GB, 256 aborted past 4 GiB). The
 * engine therefore splits larger batches into micro-batches (engine.ts trainStep) sized by this estimate.
 */
import type { LayerGraph } from '../../layer-graph.js';
import { analyzeGraph, shapeSize } from '../../layer-graph.js';

/**
 * Heap bytes per stored activation value, calibrated on ResNet-18 width 32 (3.2 measured: forward
 * activations, their gradients and kernel workspaces), rounded up.
 */
const BYTES_PER_ACTIVATION = 4 * 3.5;

/** Heap a training micro-batch may use on the WASM backend (its hard limit is 4 GiB; growth fragments). */
export const WASM_TRAIN_BUDGET_BYTES = 1.5 * 1024 ** 3;

/** Values per sample that a training forward pass keeps for the backward pass (batch-norm: 5 per value). */
export function trainActivationsPerSample(graph: LayerGraph): number {
  let shape = [...graph.inputShape];
  let total = shapeSize(shape);
  const BN = 5; // moments' squared difference, x − μ, × scale, + β, and the output
  for (const layer of graph.layers) {
    switch (layer.type) {
      case 'conv2d': {
        const [h, w] = shape as [number, number, number];
        const oh =
          layer.padding === 'same'
            ? Math.ceil(h / layer.stride)
            : Math.floor((h - layer.kernel) / layer.stride) + 1;
        const ow =
          layer.padding === 'same'
            ? Math.ceil(w / layer.stride)
            : Math.floor((w - layer.kernel) / layer.stride) + 1;
        shape = [oh, ow, layer.filters];
        total += shapeSize(shape) * (layer.activation === 'linear' || layer.activation === 'relu' ? 1 : 2);
        break;
      }
      case 'maxpool': {
        const [h, w, c] = shape as [number, number, number];
        shape = [
          Math.floor((h - layer.size) / layer.stride) + 1,
          Math.floor((w - layer.size) / layer.stride) + 1,
          c,
        ];
        total += shapeSize(shape);
        break;
      }
      case 'batchnorm':
        total += BN * shapeSize(shape);
        break;
      case 'activation':
        total += shapeSize(shape);
        break;
      case 'flatten':
        shape = [shapeSize(shape)];
        break;
      case 'global_avg_pool':
        shape = [shape[2] ?? 1];
        total += shapeSize(shape);
        break;
      case 'dense':
        shape = [layer.units];
        total += 2 * layer.units;
        break;
      case 'basic_block': {
        const [h, w, c] = shape as [number, number, number];
        const out = Math.ceil(h / layer.stride) * Math.ceil(w / layer.stride) * layer.filters;
        const shortcut = layer.stride !== 1 || c !== layer.filters;
        // conv1, bn1, relu, conv2, bn2, [shortcut conv + bn], add, relu
        total += out * (1 + BN + 1 + 1 + BN + (shortcut ? 1 + BN : 0) + 2);
        shape = [Math.ceil(h / layer.stride), Math.ceil(w / layer.stride), layer.filters];
        break;
      }
      case 'residual': {
        const branch = (layers: LayerGraph['layers']) =>
          trainActivationsPerSample({ inputShape: shape, layers }) - shapeSize(shape);
        const out = analyzeGraph({ inputShape: shape, layers: layer.main }).outputShape;
        total += branch(layer.main) + branch(layer.shortcut) + shapeSize(out);
        shape = out;
        break;
      }
    }
  }
  return total;
}

/** Estimated heap bytes per sample of a training step of `graph`. */
export function trainBytesPerSample(graph: LayerGraph): number {
  return trainActivationsPerSample(graph) * BYTES_PER_ACTIVATION;
}

/** The largest micro-batch whose training step should fit `budgetBytes` (at least 1). */
export function maxTrainMicroBatch(graph: LayerGraph, budgetBytes = WASM_TRAIN_BUDGET_BYTES): number {
  return Math.max(1, Math.floor(budgetBytes / trainBytesPerSample(graph)));
}

/** Splits n samples into the fewest chunks of at most `max`, as equal as possible: their sizes. */
export function microBatchSizes(n: number, max: number): number[] {
  const chunks = Math.max(1, Math.ceil(n / Math.max(1, max)));
  const base = Math.floor(n / chunks);
  const extra = n - base * chunks;
  return Array.from({ length: chunks }, (_, i) => base + (i < extra ? 1 : 0));
}
