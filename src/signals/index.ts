/**
 * `mia-audit/signals`: a model's outputs (ModelOutputs), the attack input (members + non-members, TF
 * Privacy's names) from arrays or .npz / .npy files, per-sample signals and batched inference.
 * Re-exports only; code inside src/ imports the concrete files, never this index.
 */
export {
  ATTACK_INPUT_KEYS,
  type AttackInput,
  attackInputFromArrays,
  type PooledOutputs,
  poolAttackInput,
} from './attack-input.js';
export { loadAttackInput } from './attack-input-files.js';
export { type Augmentation, augmentationSet } from './augment.js';
export { type BoundaryOptions, type BoundaryResult, boundaryDistances } from './boundary-distance.js';
export {
  type AugmentedOutputs,
  type InferenceOptions,
  perAugmentationMatrix,
  predictAugmentedOutputs,
  predictOutputs,
} from './inference.js';
export {
  augmentAndNoiseLabels,
  type LabelModel,
  type LabelQueryPlan,
  type LabelQueryResults,
  labelAugmentations,
} from './label-queries.js';
export { type ModelOutputs, type ModelOutputsFields, makeModelOutputs } from './model-outputs.js';
export { computeSignal, membershipScore, SIGNAL_NAMES, type SignalName } from './signals.js';
export { syntheticAttackInput } from './synthetic-outputs.js';
