// Small builders shared by the audit tests: hand-made results and privacy points, and the MiaError a
// call throws.
import assert from 'node:assert/strict';
import type { AuditResult } from '../../src/audit/attack-stage.js';
import type { PrivacyPoint } from '../../src/audit/privacy-collection.js';
import { isMiaError, type MiaError } from '../../src/errors.js';

/** The MiaError that `fn` throws (fails the test when it throws something else or nothing). */
export function errorOf(fn: () => unknown): MiaError {
  try {
    fn();
  } catch (e) {
    assert.ok(isMiaError(e), `expected a MiaError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

/**
 * A result with AUC `auc` (advantage auc − 0.5) and TPR `tpr` at 1% FPR (interval [0, 1]) on the
 * entire dataset of 10 members and 10 non-members; `more` replaces or adds fields (slice, sizes,
 * experiment, model, …).
 */
export function fakeResult(
  attack: string,
  auc: number,
  tpr: number,
  more: Partial<AuditResult> = {},
): AuditResult {
  return {
    attack,
    signal: 'loss',
    slice: { feature: 'entire_dataset' },
    nMembers: 10,
    nNonMembers: 10,
    auc,
    advantage: auc - 0.5,
    ppv: 0.5,
    tprAtFpr: { '0.01': { tpr, low: 0, high: 1, lowSupport: false } },
    epsilonLowerBound: 0,
    epsilon: { estimate: 0, low: 0, high: 0, thresholdsTried: 1 },
    ...more,
  };
}

/** A point of privacy-by-epoch.json with only its AUC set (advantage, TPR 0; no accuracies). */
export function fakePoint(
  model: string,
  epoch: number,
  attack: string,
  auc: number,
  more: Partial<PrivacyPoint> = {},
): PrivacyPoint {
  return {
    model,
    epoch,
    attack,
    auc,
    advantage: 0,
    tprAt1Fpr: 0,
    valAccuracy: null,
    trainAccuracy: null,
    ...more,
  };
}
