/**
 * Reading privacy-by-epoch.json for the charts. The collection's vocabulary (TF Privacy's
 * AttackResultsCollection and PrivacyReportMetadata, flattened to one point per (model, epoch, attack))
 * and its writers live in audit/privacy-collection.ts beside their producers (the training callback of
 * audit/privacy-callback.ts); they are re-exported here so the report reads and writes one vocabulary.
 */
import type { AttackResultsCollection } from '../audit/privacy-collection.js';
import { PrivacyByEpochFile } from '../audit/run-format/index.js';
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

/**
 * Validates a parsed privacy-by-epoch.json (src/audit/run-format/privacy.ts; missing accuracies become
 * null, unknown keys are dropped); E_JSON naming `where` and the field at fault.
 */
export function parseCollection(value: unknown, where: string): AttackResultsCollection {
  return parseWith(PrivacyByEpochFile, value, where);
}

/** Reads a collection written by {@link saveCollection} (E_IO when unreadable, E_JSON when malformed). */
export function loadCollection(path: string): AttackResultsCollection {
  return parseCollection(readJsonFile(path), path);
}
