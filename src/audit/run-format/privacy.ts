/**
 * privacy-by-epoch.json and privacy/<model-id>.json: the attacks run while the models trained — TF
 * Privacy's AttackResultsCollection with its PrivacyReportMetadata, flattened to one point per (model,
 * epoch, attack) on the entire dataset (src/audit/privacy-collection.ts).
 */
import { z } from 'zod';

const frac = z.number().nullable().default(null);

/** One attack's entire-dataset metrics at one epoch of one model. */
export const PrivacyPointJson = z
  .object({
    model: z.string().describe('model label (model_variant_label)'),
    epoch: z.number().int().describe('1-based epoch just finished (epoch_num)'),
    attack: z.string().describe('attack name'),
    auc: z.number().describe('AUC'),
    advantage: z.number().describe('attacker advantage, max over thresholds of TPR − FPR'),
    tprAt1Fpr: z.number().describe('TPR at FPR ≤ 1% (the highest ROC point at or below it)'),
    valAccuracy: frac.describe('validation accuracy, a fraction (accuracy_test); null when unknown'),
    trainAccuracy: frac.describe('training accuracy, a fraction (accuracy_train); null when unknown'),
    ppv: z.number().optional().describe("TF Privacy's get_ppv (the best precision over all thresholds)"),
    experiment: z
      .string()
      .optional()
      .describe('the experiment the model belongs to, when a run holds several'),
  })
  .meta({
    title: 'PrivacyPoint',
    definition: 'one attack’s entire-dataset metrics at one epoch of one model',
  });

export const PrivacyByEpochFile = z
  .object({ points: z.array(PrivacyPointJson).describe('sorted by experiment, model, attack, epoch') })
  .describe(
    'Optional: the points of every model (later duplicates of (experiment, model, attack, epoch) winning); ' +
      'no file when no attacks ran during training.',
  );

export const PrivacySideFile = z
  .object({
    key: z
      .string()
      .describe('hex SHA-256 of the model’s request hash and every setting the points depend on'),
    complete: z.boolean().describe('true once training has finished'),
    points: z.array(PrivacyPointJson).describe('the model’s points so far'),
  })
  .describe(
    'Per model, rewritten after every attacked epoch (src/audit/tracked-training.ts). A rerun whose model ' +
      'is cached and whose side file is complete for the same key reuses both.',
  );

/** One point as read: accuracies default to null. */
export type PrivacyPoint = z.output<typeof PrivacyPointJson>;
/** privacy-by-epoch.json as written. */
export type PrivacyByEpochFile = z.input<typeof PrivacyByEpochFile>;
/** privacy/<model-id>.json as written. */
export type PrivacySideFile = z.input<typeof PrivacySideFile>;
