/**
 * What a model trained with DP-SGD records about it: model.json's `dp` field (store.ts), written by
 * `mia train`, the audit's model cache (the run directory's models/<hash>/model.json) and every other
 * trainOrLoad / trainModel caller. The audit stage reads it with {@link dpOfModel}. docs/dp.md,
 * "Training with DP-SGD", describes the contract.
 */
import { type ModelRecord, readModelRecord } from '../store.js';
import type { DpRecord } from './dp-sgd.js';

export type { DpRecord } from './dp-sgd.js';

/**
 * The DP-SGD record of a saved model (its ModelRecord, or the model directory, whose model.json is
 * read), or undefined when it was not trained with DP-SGD. JSON's null (for +∞) in epsilon and
 * maxGradNorm comes back as Infinity.
 */
export function dpOfModel(model: ModelRecord | string): DpRecord | undefined {
  const rec = typeof model === 'string' ? readModelRecord(model) : model;
  const dp = rec.dp as (Omit<DpRecord, 'epsilon' | 'maxGradNorm'> & Record<string, unknown>) | undefined;
  if (dp === undefined || dp === null) return undefined;
  const inf = (v: unknown): number => (typeof v === 'number' ? v : Infinity);
  return { ...dp, maxGradNorm: inf(dp.maxGradNorm), epsilon: inf(dp.epsilon) } as DpRecord;
}
