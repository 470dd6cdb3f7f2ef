/**
 * `mia-audit`: the documented surface, each stage's main functions and their option and result types
 * (stages io → data → models → signals → attacks → metrics → audit → report; listed here by path), with
 * MiaError and Rng. Every stage in full is a subpath (`mia-audit/metrics`, …: src/<stage>/index.ts,
 * package.json "exports"); the names here are a selection of those. test/api.test.ts lists them: a new
 * name here is a deliberate act.
 */

// attacks
export { getOutputAttack, type OutputAttack, outputAttackNames } from './attacks/index.js';
// audit
export {
  type AttackResult,
  type AuditConfig,
  type AuditRun,
  type LoadedConfig,
  loadAuditConfig,
  type PrivacyCallbackOptions,
  privacyMetricsCallback,
  type ReferenceAttackOptions,
  type RunAttacksOptions,
  type RunAuditOptions,
  runAudit,
  runExperimentsAudit,
  runOutputAttacks,
  runReferenceAttacks,
  trainTracked,
} from './audit/index.js';
// data
export { type Dataset, type DatasetOptions, type LoadedDatasets, loadDataset } from './data/index.js';
// errors
export {
  type ErrorLocation,
  type ErrorWhere,
  isMiaError,
  MiaError,
  type MiaErrorCode,
} from './errors.js';
// io
export { type NpyArray, readNpz, writeNpz } from './io/index.js';
// metrics
export {
  type AttackMetrics,
  attackerAdvantage,
  auc,
  epsilonLowerBound,
  ppv,
  type RocCurve,
  rocCurve,
  summarize,
  tprAtFpr,
} from './metrics/index.js';
// models
export {
  createEngine,
  type Engine,
  type LoadPredictorOptions,
  loadPredictor,
  type Predictor,
  type TrainOptions,
  type TrainOrLoadResult,
  type TrainRequest,
  type TrainResult,
  trainModel,
  trainOrLoad,
} from './models/index.js';
// report
export {
  mergeCollections,
  pointsFromResults,
  saveCollection,
  type WriteReportOptions,
  writeReport,
} from './report/index.js';
// randomness
export { Rng } from './rng.js';
// signals
export {
  type AttackInput,
  attackInputFromArrays,
  loadAttackInput,
  type ModelOutputs,
  makeModelOutputs,
  predictOutputs,
} from './signals/index.js';
