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
export { runTrainedAttack, type TrainedAttackResult } from './attacks/trained-attack.js';
// audit
export {
  type AttackResult,
  DEFAULT_FPR_TARGETS,
  type RunAttacksOptions,
  resultForSlice,
  runOutputAttacks,
} from './audit/run-attacks.js';
export { evaluateScores, joinScoresAndTruth } from './cli/evaluate.js';
export { REFERENCE_ATTACKS, runReferenceAttacks } from './cli/score-reference.js';
// data
export type { Dataset, DatasetPair } from './data/dataset.js';
export { DATASET_NAMES, type DatasetOptions, type LoadedDatasets, loadDataset } from './data/registry.js';
export { firstKClasses, randomHalves, randomSplit, subsetIndices, take } from './data/splits.js';
export { makeSynthetic, type SyntheticOptions } from './data/synthetic.js';
// errors and randomness
export { isMiaError, MiaError, type MiaErrorCode, type MiaErrorDetails } from './errors.js';
// io
export { readFileOrThrow, readJsonFile, writeFileAtomic, writeJsonAtomic } from './io/atomic.js';
export { formatCsv, parseCsv } from './io/csv.js';
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
export { Rng } from './rng.js';
// signals
export {
  ATTACK_INPUT_KEYS,
  type AttackInput,
  attackInputFromArrays,
  type PooledOutputs,
  poolAttackInput,
} from './signals/attack-input.js';
export { loadAttackInput } from './signals/attack-input-files.js';
export { type ModelOutputs, type ModelOutputsFields, makeModelOutputs } from './signals/model-outputs.js';
export { computeSignal, membershipScore, SIGNAL_NAMES, type SignalName } from './signals/signals.js';
export { syntheticAttackInput } from './signals/synthetic-outputs.js';

// report
export {
  type AttackResultsCollection,
  type ChartSpec,
  loadCollection,
  mergeCollections,
  pointsFromResults,
  readRunDir,
  renderChart,
  saveCollection,
  svgToPng,
  type WriteReportOptions,
  writeReport,
} from './report/index.js';
