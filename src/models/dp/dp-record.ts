/**
 * What a model trained with DP-SGD records about it: model.json's `dp` field (store.ts), written by
 * `mia train`, the audit's model cache (the run directory's models/<id>/<hash>/model.json) and every
 * other trainOrLoad / trainModel caller. The audit stage reads it with {@link dpOfModel} (results.json's
 * `dpTraining`: audit/dp-target.ts). docs/dp.md, "Training with DP-SGD", describes the contract.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { MiaError } from '../../errors.js';
import { type ModelRecord, readModelRecord } from '../store.js';
import type { DpRecord } from './dp-sgd.js';

export type { DpRecord } from './dp-sgd.js';

const num = z.number();
/** JSON's null for +∞ (ε with σ = 0, C = ∞) read back as Infinity. */
const orInfinity = (v: number | null) => v ?? Number.POSITIVE_INFINITY;

/** The `dp` field of a DP-trained model's model.json (the training's contract), as a zod schema. */
export const DpRecordJson = z.object({
  noiseMultiplier: num.describe('σ: the noise std over the clipping norm'),
  maxGradNorm: num
    .nullable()
    .transform(orInfinity)
    .describe('C: the per-example clipping norm; null = ∞ (no clipping)'),
  delta: num.describe('δ of the guarantee'),
  sampleRate: num.describe('q: the sampling rate (batch size / training-set size)'),
  steps: z.number().int().nonnegative().describe('T: the noisy steps taken'),
  epochs: z.number().int().nonnegative().describe('the epochs trained'),
  sampling: z
    .enum(['poisson', 'shuffle'])
    .describe('poisson, or shuffle: fixed-size shuffled batches (whose accounting is not the Poisson one)'),
  accountant: z.string().describe('the accountant of epsilon (rdp)'),
  epsilon: num.nullable().transform(orInfinity).describe('the theoretical ε at δ; null = unbounded'),
});

/**
 * The DP-SGD record of a saved model (its ModelRecord, or the model directory, whose model.json is
 * read: E_MODEL when it is not a saved model), or undefined when it was not trained with DP-SGD. JSON's
 * null (for +∞) in epsilon and maxGradNorm comes back as Infinity. A malformed field is one E_MODEL
 * line naming the file and the field.
 */
export function dpOfModel(model: ModelRecord | string): DpRecord | undefined {
  const rec = typeof model === 'string' ? readModelRecord(model) : model;
  const raw: unknown = rec.dp;
  if (raw === undefined || raw === null) return undefined;
  const parsed = DpRecordJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const file = typeof model === 'string' ? join(model, 'model.json') : 'model.json';
    const field = issue !== undefined && issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
    throw new MiaError('E_MODEL', `model.json's dp field is malformed: ${issue?.message ?? 'invalid'}`, {
      where: `${file}:dp${field}`,
    });
  }
  return parsed.data as DpRecord;
}
