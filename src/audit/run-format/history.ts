/** history.json: every model's training history, one entry per epoch. */
import { z } from 'zod';

/** One epoch of a model (src/models/train.ts EpochRecord without lr and throughput). */
export const EpochJson = z.object({
  epoch: z.number().int().describe('1-based epoch'),
  trainLoss: z.number().describe('mean cross-entropy over the epoch’s batches'),
  trainAccuracy: z.number().describe('fraction of training samples classified correctly during the epoch'),
  valLoss: z
    .number()
    .nullable()
    .default(null)
    .describe('cross-entropy on the validation samples after the epoch; null without them'),
  valAccuracy: z
    .number()
    .nullable()
    .default(null)
    .describe('validation accuracy; null without validation samples'),
  seconds: z.number().optional().describe('wall time of the epoch, training and validation'),
  epsilon: z
    .number()
    .nullable()
    .optional()
    .describe(
      'DP-SGD models: ε spent after the epoch (RDP accountant, the model’s δ); null for ∞ (no noise)',
    ),
});

/** One model's history; the reader fills a missing label with the id and a missing role with "target". */
export const HistoryModelJson = z
  .object({
    id: z.string().describe('model id: target, ref-01, … (experiments mode: the model’s id in results.json)'),
    label: z.string().optional().describe('legend label, e.g. "target (small_cnn)"'),
    role: z.string().default('target').describe('"target", "reference" or "shadow"'),
    epochs: z.array(EpochJson).describe('one entry per epoch'),
  })
  .transform((m) => ({ id: m.id, label: m.label ?? m.id, role: m.role, epochs: m.epochs }));

export const HistoryFile = z
  .object({ models: z.array(HistoryModelJson).describe('every model of the run, target first') })
  .describe('The training history of every model (the training charts).');

/** history.json as the audit writes it. */
export type HistoryFile = z.input<typeof HistoryFile>;
/** One epoch of history.json with every field the audit writes (validation values null without them). */
export type HistoryEpoch = z.output<typeof EpochJson>;
