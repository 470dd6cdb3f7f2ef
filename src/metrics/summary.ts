import { attackerAdvantage } from './advantage.js';
import { auc } from './auc.js';
import { type AucInterval, aucInterval } from './auc-interval.js';
import { type EpsilonBound, epsilonLowerBound } from './epsilon.js';
import { checkConfidence } from './intervals.js';
import { ppv } from './ppv.js';
import { type RocCurve, rocCurve } from './roc.js';
import { type TprAtFprResult, tprAtFpr } from './tpr-at-fpr.js';
import { checkRate, type Scores } from './validate.js';

/** Every number an audit reports for one attack on one slice. */
export interface AttackMetrics {
  nMembers: number;
  nNonMembers: number;
  /** Area under the ROC curve (see auc). */
  auc: number;
  /** max(TPR − FPR) (see attackerAdvantage). */
  advantage: number;
  /** DeLong's interval on the AUC at `confidence` (see aucInterval). */
  aucInterval: AucInterval;
  /**
   * TF Privacy's get_ppv: the best precision over every threshold (see ppv) — 1 as soon as the top-scored
   * sample is a member, so not a measure of leakage; the precision at each FPR target is in tprAtFpr.
   */
  ppvMaxOverThresholds: number;
  /**
   * Keyed by String(target), e.g. "0.001", "0.01", "0.05", "0.1" (see tprAtFpr). Iterate over the
   * targets, not Object.keys, for a stable order: JavaScript lists integer-like keys ("0", "1") first.
   */
  tprAtFpr: Record<string, TprAtFprResult>;
  /** ε lower bound at δ = 1e-5 (see epsilonLowerBound). */
  epsilonLowerBound: EpsilonBound;
  /** The full, unthinned ROC curve (see rocCurve; downsampleRocForPlot for charts). */
  roc: RocCurve;
}

/** Options of {@link summarize}. */
export interface SummaryOptions {
  /** FPR budgets for TPR@FPR; default [0.001, 0.01, 0.05, 0.1]. */
  fprTargets?: number[];
  /** Confidence of the TPR@FPR intervals and of the ε bound; default 0.95. */
  confidence?: number;
}

/** The default FPR budgets: 0.1%, 1%, 5%, 10%. */
export const DEFAULT_FPR_TARGETS: readonly number[] = [0.001, 0.01, 0.05, 0.1];

/**
 * All metrics of one attack: builds the ROC curve of `scores` against `isMember` once (see rocCurve for
 * validation and errors) and derives AUC with DeLong's interval, advantage, TF Privacy's max-over-thresholds PPV, TPR at each FPR target with Clopper–Pearson
 * intervals at `confidence`, and the ε lower bound (δ = 1e-5, same confidence).
 *
 * Throws what rocCurve throws, and E_ARGUMENT for an FPR target outside [0, 1] or a confidence outside (0, 1).
 */
export function summarize(scores: Scores, isMember: Uint8Array, options: SummaryOptions = {}): AttackMetrics {
  const targets = options.fprTargets ?? DEFAULT_FPR_TARGETS;
  const confidence = options.confidence ?? 0.95;
  for (const [i, t] of targets.entries()) checkRate(t, `fprTargets[${i}]`);
  checkConfidence(confidence, 'confidence');
  const roc = rocCurve(scores, isMember);
  const byTarget: Record<string, TprAtFprResult> = {};
  for (const t of targets) byTarget[String(t)] = tprAtFpr(roc, t, confidence);
  return {
    nMembers: roc.nMembers,
    nNonMembers: roc.nNonMembers,
    auc: auc(roc),
    aucInterval: aucInterval(roc, confidence),
    advantage: attackerAdvantage(roc),
    ppvMaxOverThresholds: ppv(roc),
    tprAtFpr: byTarget,
    epsilonLowerBound: epsilonLowerBound(roc, { confidence }),
    roc,
  };
}
