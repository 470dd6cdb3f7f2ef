/**
 * Input normalisation. A "channel" is the last axis of the per-sample shape: the colour channel of an
 * NHWC image, each feature of a tabular row.
 * - 'none': values as loaded (byte images stay in [0, 255]);
 * - 'unit': x / 255 (byte images → [0, 1], as Keras' `x / 255.0` in the case study);
 * - 'standard': (x − mean_c) / std_c with the per-channel mean and population standard deviation
 *   (ddof 0, accumulated in float64) of the training set, applied to train and test alike (as
 *   torchvision's Normalize with train statistics). A channel with std 0 is only centred (std taken as 1).
 */
import { MiaError } from '../errors.js';
import type { Dataset, DatasetPair } from './dataset.js';

export type Normalization = 'none' | 'unit' | 'standard';
export const NORMALIZATIONS: readonly Normalization[] = ['none', 'unit', 'standard'];

/** Per-channel mean and standard deviation (population, ddof 0). */
export interface ChannelStats {
  mean: Float64Array;
  std: Float64Array;
}

function channels(d: Dataset): number {
  return d.shape[d.shape.length - 1] ?? 1;
}

/** Per-channel mean and population std of `d.x` (float64 accumulation, two passes). */
export function channelStats(d: Dataset): ChannelStats {
  const c = channels(d);
  const mean = new Float64Array(c);
  const std = new Float64Array(c);
  const count = d.x.length / c;
  if (count === 0) return { mean, std };
  for (let i = 0; i < d.x.length; i++) mean[i % c]! += d.x[i]!;
  for (let k = 0; k < c; k++) mean[k] = mean[k]! / count;
  for (let i = 0; i < d.x.length; i++) {
    const dv = d.x[i]! - mean[i % c]!;
    std[i % c]! += dv * dv;
  }
  for (let k = 0; k < c; k++) std[k] = Math.sqrt(std[k]! / count);
  return { mean, std };
}

/** Applies (x − mean_c) / std_c in place (std 0 → 1). Returns `d`. */
export function standardizeInPlace(d: Dataset, stats: ChannelStats): Dataset {
  const c = channels(d);
  if (stats.mean.length !== c || stats.std.length !== c) {
    throw new MiaError('E_SHAPE_MISMATCH', 'channel statistics do not match the number of channels', {
      where: `dataset ${d.name} (${d.split})`,
      expected: `${c} channels`,
      found: `${stats.mean.length}`,
    });
  }
  const inv = new Float64Array(c);
  for (let k = 0; k < c; k++) inv[k] = stats.std[k]! > 0 ? 1 / stats.std[k]! : 1;
  for (let i = 0; i < d.x.length; i++) {
    const k = i % c;
    d.x[i] = (d.x[i]! - stats.mean[k]!) * inv[k]!;
  }
  return d;
}

/**
 * Normalises both parts of `pair` IN PLACE (x arrays are overwritten) and returns the statistics used
 * ('standard': the training set's; 'unit': mean 0 and std 255 for every channel; 'none': undefined).
 */
export function normalizePair(pair: DatasetPair, mode: Normalization): ChannelStats | undefined {
  if (mode === 'none') return undefined;
  if (mode === 'unit') {
    for (const d of [pair.train, pair.test]) for (let i = 0; i < d.x.length; i++) d.x[i] = d.x[i]! / 255;
    const c = channels(pair.train);
    return { mean: new Float64Array(c), std: new Float64Array(c).fill(255) };
  }
  if (mode === 'standard') {
    const stats = channelStats(pair.train);
    standardizeInPlace(pair.train, stats);
    standardizeInPlace(pair.test, stats);
    return stats;
  }
  // loadDataset checks options.normalize (E_UNKNOWN_NAME) before it gets here
  throw new Error(
    `internal: unknown normalisation '${String(mode)}' (expected ${NORMALIZATIONS.join(', ')})`,
  );
}
