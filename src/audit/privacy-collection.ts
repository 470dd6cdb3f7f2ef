/**
 * Privacy metrics collected during training — TF Privacy's AttackResultsCollection with its
 * PrivacyReportMetadata (model_variant_label, epoch_num, accuracy_train, accuracy_test), flattened to
 * one point per (model, epoch, attack) on the entire dataset, which is what TF Privacy's
 * privacy_report.plot_by_epochs and plot_privacy_vs_accuracy draw. Saved as privacy-by-epoch.json in
 * the run directory (docs/run-dir.md).
 *
 * The producers (the training callback of privacy-callback.ts, the audit pipelines) live in audit/, so
 * the vocabulary lives here too; report/collection.ts re-exports it and adds the validating reader
 * (`parseCollection`, `loadCollection`) the charts use.
 */

import type { z } from 'zod';
import { MiaError } from '../errors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import type { AttackResult } from './run-attacks.js';
import type { PrivacyByEpochFile, PrivacyPoint as PrivacyPointJson } from './run-format/index.js';

/** What a point says about the model when it was attacked (TF Privacy's PrivacyReportMetadata). */
export interface PrivacyReportMetadata {
  /** Model label shown in legends (model_variant_label). */
  model: string;
  /** 1-based epoch just finished (epoch_num). */
  epoch: number;
  /** Training accuracy at that epoch, a fraction in [0, 1] (accuracy_train); null when unknown. */
  trainAccuracy?: number | null;
  /** Validation accuracy, a fraction in [0, 1] (accuracy_test); null when unknown. */
  valAccuracy?: number | null;
  /** The experiment the model belongs to, when a run holds several. */
  experiment?: string;
}

/**
 * One attack's entire-dataset metrics at one epoch of one model (model, epoch, attack, auc, advantage,
 * tprAt1Fpr, valAccuracy, trainAccuracy, ppv?, experiment?); the schema is run-format/privacy.ts's.
 */
export type PrivacyPoint = PrivacyPointJson;

/** privacy-by-epoch.json as read: `{"points": [...]}`. */
export type AttackResultsCollection = z.output<typeof PrivacyByEpochFile>;

/**
 * The points of one attack run during training: one per entire-dataset result in `results` (other
 * slices are ignored, as TF Privacy's report does), tagged with `meta`. Throws E_MISSING_FIELD when a
 * result lacks TPR at 1% FPR (`tprAtFpr["0.01"]`).
 */
export function pointsFromResults(
  results: readonly AttackResult[],
  meta: PrivacyReportMetadata,
): PrivacyPoint[] {
  const out: PrivacyPoint[] = [];
  for (const r of results) {
    if (r.slice.feature !== 'entire_dataset') continue;
    const t = r.tprAtFpr['0.01'];
    if (t === undefined) {
      throw new MiaError('E_MISSING_FIELD', `result of ${r.attack} has no TPR at 1% FPR`, {
        where: 'tprAtFpr["0.01"]',
      });
    }
    const p: PrivacyPoint = {
      model: meta.model,
      epoch: meta.epoch,
      attack: r.attack,
      auc: r.auc,
      advantage: r.advantage,
      tprAt1Fpr: t.tpr,
      valAccuracy: meta.valAccuracy ?? null,
      trainAccuracy: meta.trainAccuracy ?? null,
      ppv: r.ppvMaxOverThresholds,
    };
    if (meta.experiment !== undefined) p.experiment = meta.experiment;
    out.push(p);
  }
  return out;
}

const pointKey = (p: PrivacyPoint) => JSON.stringify([p.experiment ?? '', p.model, p.attack, p.epoch]);

/**
 * All points of `collections` in one collection (TF Privacy's AttackResultsCollection of several runs):
 * when two points share (experiment, model, attack, epoch) the later one wins; the result is sorted by
 * experiment, model, attack, then epoch. Inputs are not modified.
 */
export function mergeCollections(...collections: AttackResultsCollection[]): AttackResultsCollection {
  const byKey = new Map<string, PrivacyPoint>();
  for (const c of collections) for (const p of c.points) byKey.set(pointKey(p), { ...p });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const points = [...byKey.values()].sort(
    (a, b) =>
      cmp(a.experiment ?? '', b.experiment ?? '') ||
      cmp(a.model, b.model) ||
      cmp(a.attack, b.attack) ||
      a.epoch - b.epoch,
  );
  return { points };
}

/** Writes the collection as JSON (`{"points": [...]}`) atomically. */
export function saveCollection(path: string, collection: AttackResultsCollection): void {
  const file: PrivacyByEpochFile = { points: collection.points };
  writeJsonAtomic(path, file);
}
