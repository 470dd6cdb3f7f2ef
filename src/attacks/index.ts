/**
 * `mia-audit/attacks`: the attacks as pure functions over arrays. Output attacks by name (registry:
 * threshold, lr, mlp, …), LiRA, RMIA, the reference-model baselines, shadow-model meta-classifiers and
 * trained attacks. Re-exports only; code inside src/ imports the concrete files, never this index.
 */
export { attackFeatures } from './features.js';
export {
  LIRA_VARIANTS,
  type LiraStatistics,
  type LiraVariant,
  liraScores,
  liraScoresFromStatistics,
  liraStatistics,
} from './lira.js';
export {
  allReferences,
  leaveOneOut,
  makePopulation,
  type Population,
  type ReferenceView,
  withoutRow,
} from './population.js';
export { attackPScores, attackRScores, REFERENCE_BASELINES } from './reference-baselines.js';
export {
  type ReferenceData,
  readLiraExperiment,
  readReference,
  readReferenceNpz,
} from './reference-input.js';
export {
  type AttackScores,
  DEFAULT_OUTPUT_ATTACKS,
  getOutputAttack,
  type OutputAttack,
  outputAttackNames,
} from './registry.js';
export {
  RMIA_A_GRID,
  type RmiaOptions,
  rmiaCountScores,
  rmiaRatios,
  rmiaScores,
  tuneRmiaA,
} from './rmia.js';
export {
  fitShadowMetaClassifier,
  type ShadowMetaClassifier,
  type ShadowOutputs,
  shadowAttackScores,
} from './shadow.js';
export { runTrainedAttack, type TrainedAttackOptions, type TrainedAttackResult } from './trained-attack.js';
export {
  DEFAULT_MAX_TRAIN_PER_CLASS,
  SUBSAMPLED_CLASSIFIER_OPTIONS,
  type TrainedAttackProgress,
} from './trained-attack-scale.js';
