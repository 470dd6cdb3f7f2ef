/**
 * `mia-audit/metrics`: every number an audit reports, from (scores, isMember): exact ROC, AUC,
 * advantage, PPV, TPR at FPR with Clopper–Pearson intervals, ε lower bounds, slices. Re-exports only;
 * code inside src/ imports the concrete files, never this index.
 */
export { type AdvantageOptions, attackerAdvantage } from './advantage.js';
export { auc } from './auc.js';
export { betaCdf, betaQuantile } from './beta.js';
export { downsampleRocForPlot } from './downsample.js';
export { type EpsilonBound, type EpsilonOptions, epsilonLowerBound } from './epsilon.js';
export { clopperPearson, clopperPearsonLower, clopperPearsonUpper, type Interval } from './intervals.js';
export { ppv } from './ppv.js';
export { type RocCurve, rocCurve } from './roc.js';
export {
  buildSlices,
  type CustomSlice,
  type Slice,
  type SliceFamily,
  type SliceSpec,
  sliceLabel,
} from './slicing.js';
export { sortFloat64 } from './sort-float64.js';
export { type AttackMetrics, DEFAULT_FPR_TARGETS, type SummaryOptions, summarize } from './summary.js';
export { type TprAtFprResult, tprAtFpr } from './tpr-at-fpr.js';
export type { Scores } from './validate.js';
