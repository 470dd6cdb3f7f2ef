/**
 * Which model trains on which audit sample: the keep matrix of the population (Uint8Array [M, N],
 * keep[m·N + i] = 1 when model m trains on sample i; row 0 is the target).
 *
 * Models are PAIRED: for each pair (2p, 2p + 1) a seeded random half of the N samples trains model 2p
 * and the complementary half trains model 2p + 1. Every sample is then IN for exactly M/2 models and
 * every model trains on ⌊N/2⌋ or ⌈N/2⌉ samples (pairs alternate which side gets the odd sample). With
 * unpaired random halves, some samples would have no IN (or no OUT) reference model and online LiRA
 * could not score them. The target's partner (row 1) is RMIA's "paired model" for tuning `a`.
 * A single model (M = 1) trains on a seeded random half.
 */
import { MiaError } from '../errors.js';
import { Rng } from '../rng.js';

/**
 * The paired keep matrix for `models` models (M = 1 or an even number) over `samples` samples (N ≥ 2),
 * from `seed`: pair p draws its own permutation from the p-th fork of Rng(seed), so the first pairs do
 * not change when more models are added. Throws E_ARGUMENT for an odd M > 1 or N < 2.
 */
export function pairedKeepMatrix(models: number, samples: number, seed: number): Uint8Array {
  if (!Number.isInteger(models) || models < 1 || (models > 1 && models % 2 !== 0)) {
    throw new MiaError('E_ARGUMENT', 'the number of models must be 1 or even to pair them', {
      where: 'keep matrix',
      expected: '1 or an even number of models (target + an odd number of references)',
      found: String(models),
    });
  }
  if (!Number.isInteger(samples) || samples < 2) {
    throw new MiaError('E_ARGUMENT', 'at least 2 audit samples are needed', {
      where: 'keep matrix',
      found: String(samples),
    });
  }
  const keep = new Uint8Array(models * samples);
  const root = new Rng(seed);
  const pairs = Math.max(1, models / 2);
  for (let p = 0; p < pairs; p++) {
    const perm = root.fork().permutation(samples);
    // pairs alternate which model gets the larger half when N is odd
    const half = p % 2 === 0 ? Math.floor(samples / 2) : Math.ceil(samples / 2);
    const a = 2 * p;
    for (let j = 0; j < samples; j++) {
      const i = perm[j]!;
      if (j < half) keep[a * samples + i] = 1;
      else if (models > 1) keep[(a + 1) * samples + i] = 1;
    }
  }
  return keep;
}

/** The rows (sample indices, ascending) that model `m` trains on. */
export function trainingRows(keep: Uint8Array, samples: number, m: number): Int32Array {
  const row = keep.subarray(m * samples, (m + 1) * samples);
  let count = 0;
  for (let i = 0; i < samples; i++) count += row[i]!;
  const out = new Int32Array(count);
  let j = 0;
  for (let i = 0; i < samples; i++) if (row[i] === 1) out[j++] = i;
  return out;
}
