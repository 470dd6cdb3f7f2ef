/**
 * Reading privacy-by-epoch.json for the charts. The collection's vocabulary (TF Privacy's
 * AttackResultsCollection and PrivacyReportMetadata, flattened to one point per (model, epoch, attack))
 * and its writers live in audit/privacy-collection.ts beside their producers (the training callback of
 * audit/privacy-callback.ts); they are re-exported here so the report reads and writes one vocabulary.
 */
import { z } from 'zod';
import type { AttackResultsCollection, PrivacyPoint } from '../audit/privacy-collection.js';
import { readJsonFile } from '../io/json.js';
import { parseWith } from './validate.js';

export {
  type AttackResultsCollection,
  mergeCollections,
  type PrivacyPoint,
  type PrivacyReportMetadata,
  pointsFromResults,
  saveCollection,
} from '../audit/privacy-collection.js';

const frac = z.number().nullable();
const PointSchema = z.looseObject({
  model: z.string(),
  epoch: z.number().int(),
  attack: z.string(),
  auc: z.number(),
  advantage: z.number(),
  tprAt1Fpr: z.number(),
  valAccuracy: frac.optional(),
  trainAccuracy: frac.optional(),
  ppv: z.number().optional(),
  experiment: z.string().optional(),
});
const CollectionSchema = z.looseObject({ points: z.array(PointSchema) });

/** Validates a parsed privacy-by-epoch.json; E_JSON naming `where` and the field at fault. */
export function parseCollection(value: unknown, where: string): AttackResultsCollection {
  const c = parseWith(CollectionSchema, value, where);
  return {
    points: c.points.map((p) => {
      const out: PrivacyPoint = {
        model: p.model,
        epoch: p.epoch,
        attack: p.attack,
        auc: p.auc,
        advantage: p.advantage,
        tprAt1Fpr: p.tprAt1Fpr,
        valAccuracy: p.valAccuracy ?? null,
        trainAccuracy: p.trainAccuracy ?? null,
      };
      if (p.ppv !== undefined) out.ppv = p.ppv;
      if (p.experiment !== undefined) out.experiment = p.experiment;
      return out;
    }),
  };
}

/** Reads a collection written by {@link saveCollection} (E_IO when unreadable, E_JSON when malformed). */
export function loadCollection(path: string): AttackResultsCollection {
  return parseCollection(readJsonFile(path), path);
}
