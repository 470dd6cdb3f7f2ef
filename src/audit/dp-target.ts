/**
 * The DP-trained targets of a run: the `dp` field that DP-SGD training writes into a model's model.json
 * (models/dp/dp-record.ts, read with its dpOfModel), gathered for results.json's `dpTraining` with the utility
 * comparison (the target's accuracy against the run's non-DP models).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dpOfModel } from '../models/dp/dp-record.js';
import { type ClaimCandidate, thresholdTestClaim } from './dp-claim.js';
import type { DpClaimJson, DpTrainingJson } from './run-format/index.js';

/** dpOfModel of a model directory; undefined when its model.json is gone (signals reused without it). */
function dpOfDir(modelDir: string) {
  return existsSync(join(modelDir, 'model.json')) ? dpOfModel(modelDir) : undefined;
}

/** A model of the run as the DP summary sees it. */
export interface DpCandidate {
  id: string;
  /** The model's cache directory (models/<id>/<hash>/). */
  modelDir: string;
  /** Its last validation accuracy, when measured. */
  accuracy: number | undefined;
  /** Whether it acts as a target (its DP claim is audited). */
  target: boolean;
}

/**
 * results.json's `dpTraining`: each target whose model.json carries `dp`, with its accuracy and, as the
 * baseline of the utility cost, the mean accuracy of the run's models trained without DP (`baseline`
 * names them). Empty when no target is DP-trained.
 */
export function dpTrainingOf(models: readonly DpCandidate[], baselineName: string): DpTrainingJson[] {
  const dp = models.map((m) => ({ m, dp: dpOfDir(m.modelDir) }));
  const plain = dp.filter((x) => x.dp === undefined && x.m.accuracy !== undefined).map((x) => x.m.accuracy!);
  const baseline = plain.length > 0 ? plain.reduce((a, b) => a + b, 0) / plain.length : undefined;
  const out: DpTrainingJson[] = [];
  for (const { m, dp: d } of dp) {
    if (d === undefined || !m.target) continue;
    out.push({
      model: m.id,
      ...d,
      ...(m.accuracy !== undefined ? { accuracy: m.accuracy } : {}),
      ...(baseline !== undefined ? { baselineAccuracy: baseline, baseline: baselineName } : {}),
    });
  }
  return out;
}

/**
 * The threshold-test claim of each DP target on its own, when the run's claim (the best over every
 * target of num_experiments > 1) is another model's: so the DP target's audited ε from the attacks is set
 * against its accountant's ε, not the bound of a non-DP model of the same run. Each is corrected for that
 * target's attacks and thresholds only (a separate, pre-stated question: how much does this model leak).
 */
export function dpTargetClaims(
  candidates: readonly ClaimCandidate[],
  dpTraining: readonly DpTrainingJson[],
  runClaim: DpClaimJson | undefined,
  delta: number,
): DpClaimJson[] {
  const out: DpClaimJson[] = [];
  for (const t of dpTraining) {
    if (runClaim === undefined || runClaim.model === undefined || runClaim.model === t.model) continue;
    const own = thresholdTestClaim(
      candidates.filter((c) => c.model === t.model),
      0.95,
      delta,
    );
    if (own !== undefined) out.push(own);
  }
  return out;
}
