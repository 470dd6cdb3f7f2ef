/**
 * The training-engine interface. An engine builds a model from a {@link ModelSpec} (architecture by name,
 * input shape, classes, seed), trains it one batch at a time on Float32Array batches, predicts logits in
 * batches, and exports / imports its weights as named float32 arrays. Nothing else crosses the boundary:
 * the training loop (train.ts), storage (store.ts) and inference (signals/inference.ts) only use this
 * interface, so a faster engine (e.g. an onnxruntime training graph) can replace TensorFlow.js by
 * implementing it.
 *
 * The engines live in engines/ (tfjs/, ort/, auto/), are named in engines/names.ts and created by name
 * with engines/create-engine.ts, which loads each lazily so that commands that never train do not pay
 * for it. This file holds the interface only: types, no code.
 */
import type { LabelledSamples } from '../data/samples.js';
import type { ArchSpec } from './architectures.js';
import type { GaussianStream } from './dp/noise.js';
import type { NamedWeight } from './init.js';
import type { NormalizedOptimizerSpec } from './optimizers.js';
import type { Predictor } from './predictor.js';

export type { NamedWeight } from './init.js';

/** What to build: an architecture for a per-sample input shape and class count, initialised from `seed`. */
export interface ModelSpec {
  arch: ArchSpec;
  /** Per-sample input shape: [h, w, c] (NHWC) for images, [d] for tabular rows. */
  inputShape: number[];
  numClasses: number;
  /** Seed of the weight initialisation (init.ts): the same seed gives the same initial weights. */
  seed: number;
}

/** What one training step reports, measured on the batch during the forward pass before the update. */
export interface StepStats {
  /** Mean softmax cross-entropy (natural log) over the batch. */
  loss: number;
  /** Number of samples whose arg-max logit equals the label (ties: the first maximum). */
  correct: number;
}

/** One DP-SGD step's parameters (Abadi et al. 2016; models/dp/dp-sgd.ts sets them). */
export interface DpStepOptions {
  /** C: each sample's gradient is scaled to L2 norm ≤ C (+∞: no clipping). */
  maxGradNorm: number;
  /** Standard deviation of the Gaussian noise added to the sum of clipped gradients: σ·C. */
  noiseStd: number;
  /** The noisy sum is divided by this: the expected batch size (q·n under Poisson sampling). */
  divisor: number;
  /** Where the noise comes from (seeded). */
  noise: GaussianStream;
}

/** What a DP-SGD step reports besides the batch's loss and correct count. */
export interface DpStepStats extends StepStats {
  /** Samples of the batch whose gradient norm exceeded C (and were scaled down). */
  clipped: number;
}

/** A model held by an engine. Predictions are logits (`outputKind` = 'logits'). */
export interface EngineModel extends Predictor {
  readonly spec: ModelSpec;
  /** The name of the engine that runs this model ('tfjs', 'ort'). */
  readonly engine: string;
  /** The compute backend in use ('wasm', 'cpu', 'tensorflow', …). */
  readonly backend: string;
  /** Trainable scalars (batch-norm moving statistics excluded), as Keras counts "trainable params". */
  paramCount(): number;
  /** Sets (or replaces, resetting its state) the optimiser used by {@link trainStep}. */
  setOptimizer(spec: NormalizedOptimizerSpec): void;
  /**
   * One optimisation step on a batch at learning rate `lr`: forward in training mode (batch-norm uses batch
   * statistics and updates its moving averages), mean cross-entropy, gradients, optimiser update.
   * Throws E_SHAPE_MISMATCH when the batch does not fit inputShape, E_ARGUMENT when no optimiser was set,
   * E_LABEL_RANGE for a label outside [0, numClasses) (engines/check-batch.ts, shared by the engines).
   */
  trainStep(batch: LabelledSamples, lr: number): Promise<StepStats>;
  /**
   * One DP-SGD step (engines that support it; the onnxruntime engine): per-sample gradients clipped to
   * L2 norm `dp.maxGradNorm`, summed, Gaussian noise of std `dp.noiseStd` added to every coordinate,
   * divided by `dp.divisor`, then the optimiser's update at `lr`. The batch may be empty (Poisson
   * sampling): the update is then noise only. `loss` is NaN for an empty batch.
   */
  dpStep?(batch: LabelledSamples, lr: number, dp: DpStepOptions): Promise<DpStepStats>;
  /** Every parameter (trainable and batch-norm statistics), in the layer graph's order, copied out. */
  getWeights(): NamedWeight[];
  /** Replaces every parameter; names and shapes must match getWeights() exactly (E_MODEL otherwise). */
  setWeights(weights: readonly NamedWeight[]): void;
}

export interface Engine {
  /** Engine name ('tfjs', 'ort', 'auto'). Models record the engine that built them (EngineModel.engine). */
  readonly name: string;
  /** The backend in use and a one-line description of it, for the CLI to print at start. */
  readonly backend: { name: string; description: string };
  /**
   * A new model for `spec`, its weights initialised from `spec.seed`. Throws E_UNKNOWN_NAME / E_CONFIG for
   * a bad architecture or one that does not fit the input shape.
   */
  build(spec: ModelSpec): Promise<EngineModel>;
}
