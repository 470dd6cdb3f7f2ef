/**
 * The per-step pieces of training a tape graph (net-graph.ts) outside onnxruntime: the running
 * averages of batch norm, and the dropout masks fed to the graph.
 */
import type { Rng } from '../../../rng.js';
import type { BnStat, MaskInput } from './net-graph.js';

/** PyTorch's BatchNorm2d default momentum: running ← (1 − 0.1)·running + 0.1·batch statistic. */
export const BN_TORCH_MOMENTUM = 0.1;

/**
 * Folds one batch's statistics into the running averages in place, as torch.nn.BatchNorm2d does in
 * training mode: the mean as is, the variance unbiased (× M / (M − 1), M = n · values per channel).
 */
export function updateRunningStats(
  stat: BnStat,
  n: number,
  batchMean: Float32Array,
  batchVar: Float32Array,
  runningMean: Float32Array,
  runningVar: Float32Array,
): void {
  const m = BN_TORCH_MOMENTUM;
  const count = n * stat.perSample;
  const unbias = count > 1 ? count / (count - 1) : 1;
  for (let c = 0; c < runningMean.length; c++) {
    runningMean[c] = (1 - m) * runningMean[c]! + m * batchMean[c]!;
    runningVar[c] = (1 - m) * runningVar[c]! + m * batchVar[c]! * unbias;
  }
}

/**
 * An inverted-dropout mask for `n` samples: each value independently 0 with probability `rate`, else
 * 1 / (1 − rate), drawn from `rng` in row-major order.
 */
export function dropoutMask(mask: MaskInput, n: number, rng: Rng): Float32Array {
  let size = n;
  for (const d of mask.shape) size *= d;
  const out = new Float32Array(size);
  const keep = 1 / (1 - mask.rate);
  for (let i = 0; i < size; i++) out[i] = rng.next() < mask.rate ? 0 : keep;
  return out;
}
