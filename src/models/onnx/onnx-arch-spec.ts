/**
 * `--arch-from FILE` / `architecture: {from: FILE}`: the `from_onnx` architecture spec of an ONNX file
 * (read-onnx.ts, arch-from-onnx.ts), and a one-line description of what was read.
 */
import { type ArchSpec, normalizeArchSpec } from '../architectures.js';
import type { Layer } from '../layer-graph.js';
import { type ArchFromOnnxOptions, archFromOnnx, type OnnxArchitecture } from './arch-from-onnx.js';
import { readOnnxFile } from './read-onnx.js';

/**
 * The normalized `from_onnx` spec of the ONNX model at `path` and what was read from it. Throws E_IO /
 * E_MODEL as readOnnxFile and archFromOnnx do.
 */
export function archSpecFromOnnx(
  path: string,
  options: ArchFromOnnxOptions = {},
): { spec: Required<ArchSpec>; arch: OnnxArchitecture } {
  const arch = archFromOnnx(readOnnxFile(path), path, options);
  return {
    spec: normalizeArchSpec({ name: 'from_onnx', params: { layers: JSON.stringify(arch.layers) } }),
    arch,
  };
}

function countLayers(layers: readonly Layer[], into: Map<string, number>): void {
  for (const l of layers) {
    into.set(l.type, (into.get(l.type) ?? 0) + 1);
    if (l.type === 'residual') {
      countLayers(l.main, into);
      countLayers(l.shortcut, into);
    }
  }
}

/**
 * "20 conv2d, 20 batchnorm, 8 residual, … ; input [32, 32, 3] (NCHW), 10 classes": the layer counts
 * by type (most first), the file's input and class count, and a Softmax the file ended in.
 */
export function describeOnnxArch(arch: OnnxArchitecture): string {
  const counts = new Map<string, number>();
  countLayers(arch.layers, counts);
  const list = [...counts].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${n} ${t}`);
  const restored = arch.restoredBatchnorms > 0 ? `, ${arch.restoredBatchnorms} batch norms restored` : '';
  const softmax = arch.output === 'probabilities' ? ', its final softmax dropped (logits)' : '';
  return `${list.join(', ')}; input [${arch.inputShape.join(', ')}] (${arch.layout.toUpperCase()}), ${arch.classes} classes${restored}${softmax}`;
}
