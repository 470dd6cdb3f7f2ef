/**
 * results.json's `dpTraining`: how each DP-trained target was trained and what its accountant claims —
 * the `dp` field of its model.json (written by the DP-SGD training), copied with the model id and the
 * utility comparison the report shows (src/audit/dp-target.ts).
 */
import { z } from 'zod';

const num = z.number();

/** The `dp` field of a DP-trained model's model.json (the training's contract). */
export const ModelDpJson = z.object({
  noiseMultiplier: num.describe('σ: the noise std over the clipping norm'),
  maxGradNorm: num
    .nullable()
    .transform((v) => v ?? Number.POSITIVE_INFINITY)
    .describe('C: the per-example clipping norm; null = ∞ (no clipping)'),
  delta: num.describe('δ of the guarantee'),
  sampleRate: num.describe('q: the sampling rate (batch size / training-set size)'),
  steps: z.number().int().nonnegative().describe('T: the noisy steps taken'),
  epochs: z.number().int().nonnegative().describe('the epochs trained'),
  sampling: z
    .string()
    .describe('poisson, or fixed-size shuffled batches (whose accounting is not the Poisson one)'),
  accountant: z.string().describe('the accountant of epsilon (rdp, prv)'),
  epsilon: num
    .nullable()
    .transform((v) => v ?? Number.POSITIVE_INFINITY)
    .describe('the theoretical ε at δ; null = unbounded'),
});

export const DpTrainingJson = ModelDpJson.extend({
  model: z.string().describe('the target model’s id'),
  accuracy: num.optional().describe('its last validation accuracy, when measured'),
  baselineAccuracy: num
    .optional()
    .describe('the mean last validation accuracy of the non-DP models of the run it is compared with'),
  baseline: z.string().optional().describe('which models the baseline accuracy is of, in words'),
}).meta({ title: 'DpTraining', definition: 'a DP-trained target and its accountant’s ε' });

/** model.json's `dp` as written. */
export type ModelDpJson = z.input<typeof ModelDpJson>;
/** One entry of results.json's `dpTraining` as written. */
export type DpTrainingJson = z.input<typeof DpTrainingJson>;
