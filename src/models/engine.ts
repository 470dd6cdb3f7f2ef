/**
 * The training-engine interface. An engine builds a model from a {@link ModelSpec} (architecture by name,
 * input shape, classes, seed), trains it one batch at a time on Float32Array batches, predicts logits in
 * batches, and exports / imports its weights as named float32 arrays. Nothing else crosses the boundary:
 * the training loop (train.ts), storage (store.ts) and inference (signals/inference.ts) only use this
 * interface, so a faster engine (e.g. an onnxruntime training graph) can replace TensorFlow.js by
 * implementing it.
 *
 * TensorFlow.js (src/models/tfjs/) is the first engine; it is loaded lazily so that commands that never
 * train do not pay for it.
 */
import { MiaError } from '../errors.js';
import type { ArchSpec } from './architectures.js';
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

/** One training batch: `x` holds n × prod(inputShape) values (row-major NHWC), `y` n labels. */
export interface Batch {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** What one training step reports, measured on the batch during the forward pass before the update. */
export interface StepStats {
  /** Mean softmax cross-entropy (natural log) over the batch. */
  loss: number;
  /** Number of samples whose arg-max logit equals the label (ties: the first maximum). */
  correct: number;
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
   * Throws E_CONFIG when no optimiser was set, E_SHAPE_MISMATCH when the batch does not fit inputShape.
   */
  trainStep(batch: Batch, lr: number): Promise<StepStats>;
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

export type BackendPreference = 'auto' | 'node' | 'wasm' | 'cpu';

export interface EngineOptions {
  /** Compute backend of the tfjs engine; 'auto' (default) takes tfjs-node, else wasm, else cpu. */
  backend?: BackendPreference;
  /** onnxruntime intra-op threads for the 'ort' and 'auto' engines (default: all cores). */
  threads?: number;
}

/**
 * - 'tfjs': TensorFlow.js (src/models/tfjs/) on the backend chosen by `backend`;
 * - 'ort': whole training steps in onnxruntime-node (src/models/backend/ort/), for the architectures it can
 *   build (conv/dense nets; not resnet18);
 * - 'auto': 'ort' where it can build the architecture and onnxruntime-node loads, else 'tfjs'.
 * All three use the same seeded initial weights and weight names/layouts, so saved models load into any.
 */
export const ENGINE_NAMES = ['auto', 'tfjs', 'ort'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/**
 * The engine called `name` (default 'tfjs') with its backend initialised. Throws E_UNKNOWN_NAME listing
 * the engines, and E_BACKEND when the requested backend cannot start.
 */
export async function createEngine(name: string = 'tfjs', options: EngineOptions = {}): Promise<Engine> {
  const threads = options.threads !== undefined ? { threads: options.threads } : {};
  switch (name) {
    case 'tfjs': {
      const { createTfjsEngine } = await import('./tfjs/engine.js');
      return createTfjsEngine(options.backend ?? 'auto');
    }
    case 'ort': {
      const { createOrtEngine } = await import('./backend/ort/engine.js');
      return createOrtEngine(threads);
    }
    case 'auto': {
      const { createAutoEngine } = await import('./backend/auto-engine.js');
      return createAutoEngine({ backend: options.backend ?? 'auto', ...threads });
    }
    default:
      throw new MiaError('E_UNKNOWN_NAME', `unknown engine '${name}'`, {
        where: 'engine',
        expected: ENGINE_NAMES.join(', '),
        found: name,
      });
  }
}
