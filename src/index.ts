/**
 * mia-audit's public library API: re-exports only. Stages in pipeline order:
 * io → data → models → signals → attacks → metrics → audit.
 */

// attacks
export { attackFeatures } from './attacks/features.js';
export {
  LIRA_VARIANTS,
  type LiraStatistics,
  type LiraVariant,
  liraScores,
  liraScoresFromStatistics,
  liraStatistics,
} from './attacks/lira.js';
export {
  allReferences,
  leaveOneOut,
  makePopulation,
  type Population,
  type ReferenceView,
  withoutRow,
} from './attacks/population.js';
export { attackPScores, attackRScores, REFERENCE_BASELINES } from './attacks/reference-baselines.js';
export {
  type ReferenceData,
  readLiraExperiment,
  readReference,
  readReferenceNpz,
} from './attacks/reference-input.js';
export {
  type AttackScores,
  DEFAULT_OUTPUT_ATTACKS,
  getOutputAttack,
  type OutputAttack,
  outputAttackNames,
} from './attacks/registry.js';
export {
  RMIA_A_GRID,
  type RmiaOptions,
  rmiaCountScores,
  rmiaRatios,
  rmiaScores,
  tuneRmiaA,
} from './attacks/rmia.js';
export {
  fitShadowMetaClassifier,
  type ShadowMetaClassifier,
  type ShadowOutputs,
  shadowAttackScores,
} from './attacks/shadow.js';
export { runTrainedAttack, type TrainedAttackResult } from './attacks/trained-attack.js';
// audit
export { type AggregateResult, aggregateResults, type Spread } from './audit/aggregate.js';
export type { AuditResult } from './audit/attack-stage.js';
export {
  aucStandardError,
  compareExperiments,
  type ExperimentsComparison,
  type ExperimentsFile,
  type ModelStanding,
} from './audit/compare-experiments.js';
export {
  ATTACK_NAMES,
  type AuditConfig,
  type ExperimentConfig,
  type ExperimentModelConfig,
  type ExperimentsConfig,
  type LoadedConfig,
  loadAuditConfig,
  parseAuditConfig,
} from './audit/config.js';
export { runExperimentsAudit } from './audit/experiments.js';
export { pairedKeepMatrix } from './audit/keep.js';
export { type MembershipSet, readMembershipSet } from './audit/membership-sets.js';
export { type AuditRun, type RunAuditOptions, runAudit } from './audit/pipeline.js';
export {
  DEFAULT_PRIVACY_ATTACKS,
  DEFAULT_PRIVACY_SAMPLES,
  type PrivacyCallbackOptions,
  type PrivacyMetricsCallback,
  privacyMetricsCallback,
  subsampleRows,
} from './audit/privacy-callback.js';
export { REFERENCE_ATTACKS, runReferenceAttacks } from './audit/reference-attacks.js';
export {
  type AttackResult,
  DEFAULT_FPR_TARGETS,
  type RunAttacksOptions,
  resultForSlice,
  runOutputAttacks,
} from './audit/run-attacks.js';
export { trainShadowModels } from './audit/shadow-models.js';
export { type PrivacyTracking, trainTracked } from './audit/tracked-training.js';
export { evaluateScores, joinScoresAndTruth } from './cli/evaluate.js';
export { type Logger, memoryLogger, silentLogger } from './core/logger.js';
// data
export type { Dataset, DatasetPair } from './data/dataset.js';
export { DATASET_NAMES, type DatasetOptions, type LoadedDatasets, loadDataset } from './data/registry.js';
export type { LabelledSamples, ShapedSamples } from './data/samples.js';
export { firstKClasses, randomHalves, randomSplit, subsetIndices, take } from './data/splits.js';
export { makeSynthetic, type SyntheticOptions } from './data/synthetic.js';
// errors and randomness
export {
  type ErrorLocation,
  type ErrorWhere,
  formatLocation,
  isMiaError,
  MiaError,
  type MiaErrorCode,
  type MiaErrorDetails,
} from './errors.js';
// io
export { readFileOrThrow, writeFileAtomic, writeJsonAtomic } from './io/atomic.js';
export { formatCsv, parseCsv } from './io/csv.js';
export { readJsonFile } from './io/json.js';
export {
  type NpyArray,
  type NpyData,
  type NpyDtype,
  npyArray,
  readNpy,
  toBool,
  toFloat32,
  toFloat64,
  toInt32,
  writeNpy,
} from './io/npy.js';
export { readNpz, writeNpz } from './io/npz.js';
// metrics
export {
  attackerAdvantage,
  auc,
  clopperPearson,
  downsampleRocForPlot,
  epsilonLowerBound,
  ppv,
  type RocCurve,
  rocCurve,
  summarize,
  tprAtFpr,
} from './metrics/index.js';
export {
  buildSlices,
  type CustomSlice,
  type Slice,
  type SliceFamily,
  type SliceSpec,
  sliceLabel,
} from './metrics/slicing.js';
// models
export {
  type ArchParamValue,
  type ArchSpec,
  architectureNames,
  describeArchitectures,
  parseArchParams,
} from './models/architectures.js';
export {
  type TrainOrLoadOptions,
  type TrainOrLoadResult,
  type TrainRequest,
  trainOrLoad,
} from './models/cache.js';
export type { Engine, EngineModel, ModelSpec } from './models/engine.js';
export { createEngine, type EngineOptions } from './models/engines/create-engine.js';
export { ENGINE_NAMES } from './models/engines/names.js';
export { loadOnnxModel, type OnnxLayout, type OnnxOptions } from './models/engines/ort/onnx-model.js';
export { loadTfjsLayersModel, type TfjsLayersOptions } from './models/engines/tfjs/layers-model.js';
export {
  detectModelKind,
  type LoadedPredictor,
  type LoadPredictorOptions,
  loadPredictor,
  type ModelKind,
} from './models/load.js';
export { OPTIMIZER_NAMES, type OptimizerSpec } from './models/optimizers.js';
export type { OutputKind, PredictOptions, Predictor } from './models/predictor.js';
export { isModelDir, loadModel, type ModelRecord, saveModel } from './models/store.js';
export {
  type EpochEndContext,
  type EpochEndHook,
  type EpochRecord,
  type Samples,
  type TrainOptions,
  type TrainResult,
  trainEpoch,
  trainModel,
} from './models/train.js';
// report
export {
  type AttackResultsCollection,
  type ChartSpec,
  loadCollection,
  mergeCollections,
  type PrivacyPoint,
  type PrivacyReportMetadata,
  pointsFromResults,
  readRunDir,
  renderChart,
  saveCollection,
  svgToPng,
  type WriteReportOptions,
  writeReport,
} from './report/index.js';
export { Rng } from './rng.js';
export {
  ATTACK_INPUT_KEYS,
  type AttackInput,
  attackInputFromArrays,
  type PooledOutputs,
  poolAttackInput,
} from './signals/attack-input.js';
export { loadAttackInput } from './signals/attack-input-files.js';
// signals
export { type Augmentation, augmentationSet } from './signals/augment.js';
export {
  type AugmentedOutputs,
  type InferenceOptions,
  perAugmentationMatrix,
  predictAugmentedOutputs,
  predictOutputs,
} from './signals/inference.js';
export { type ModelOutputs, type ModelOutputsFields, makeModelOutputs } from './signals/model-outputs.js';
export { computeSignal, membershipScore, SIGNAL_NAMES, type SignalName } from './signals/signals.js';
export { syntheticAttackInput } from './signals/synthetic-outputs.js';
