/**
 * `mia-audit/audit`: the audit pipeline and what it runs. The YAML config, runAudit (data → keep
 * matrix → models → signals → attacks → metrics, into a resumable run directory), attacks × slices
 * (runOutputAttacks), the reference-model attacks, experiments, shadow models, the privacy-metrics
 * training callback, and the run directory's file schemas (docs/run-dir.md). Re-exports only; code
 * inside src/ imports the concrete files, never this index.
 */

// the join that mia evaluate scores lives in signals/ (predictions.ts); listed here beside its scoring
export { type EvaluationInput, joinScoresAndTruth } from '../signals/predictions.js';
export { type AggregateResult, aggregateResults, type Spread } from './aggregate.js';
export type { AuditResult } from './attack-stage.js';
export type { AuditModelSummary, AuditRun, RunAuditOptions } from './audit-run.js';
export {
  aucStandardError,
  compareExperiments,
  type ExperimentsComparison,
  type ModelStanding,
} from './compare-experiments.js';
export {
  ATTACK_NAMES,
  type AuditConfig,
  type ExperimentConfig,
  type ExperimentModelConfig,
  type ExperimentsAudit,
  type ExperimentsConfig,
  type LoadedConfig,
  loadAuditConfig,
  parseAuditConfig,
  type ReferenceAudit,
} from './config.js';
export { evaluatePredictions, evaluateScores } from './evaluate-scores.js';
export { runExperimentsAudit } from './experiments.js';
export { pairedKeepMatrix } from './keep.js';
export { type MembershipSet, readMembershipSet } from './membership-sets.js';
export { runAudit } from './pipeline.js';
export { type PlanAnswer, type PlanRequest, planRequest } from './plan-config.js';
export { membersFor, nonMembersFor, planAudit, REFERENCE_NEEDS, unresolvedTargets } from './plan-sizes.js';
export {
  DEFAULT_PRIVACY_ATTACKS,
  DEFAULT_PRIVACY_SAMPLES,
  type PrivacyCallbackOptions,
  type PrivacyMetricsCallback,
  privacyMetricsCallback,
  subsampleRows,
} from './privacy-callback.js';
export {
  REFERENCE_ATTACKS,
  type ReferenceAttackOptions,
  type ReferenceAttackOutput,
  runReferenceAttacks,
} from './reference-attacks.js';
export { type MetricName, type MetricValue, metricOf, parseMetricName } from './result-metric.js';
export {
  type AttackResult,
  DEFAULT_FPR_TARGETS,
  type RunAttacksOptions,
  type RunAttacksOutput,
  resultForSlice,
  runOutputAttacks,
} from './run-attacks.js';
export {
  EnvironmentFile,
  ExperimentsFile,
  HistoryFile,
  PrivacyByEpochFile,
  PrivacySideFile,
  ResolvedConfigFile,
  ResultsFile,
  RUN_FILES,
  type RunArray,
  type RunFile,
  TimingFile,
} from './run-format/index.js';
export { trainShadowModels } from './shadow-models.js';
export { type PrivacyTracking, type TrackedResult, trainTracked } from './tracked-training.js';
