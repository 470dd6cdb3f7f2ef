/**
 * Batched inference: a model (any Predictor — our engine's models, ONNX, tfjs layers) × labelled samples
 * → ModelOutputs (logits when the model gives them, probabilities, per-sample cross-entropy, labels), with
 * optional test-time augmentations as extra queries per sample (LiRA).
 */
import type { LabelledSamples } from '../data/samples.js';
import type { Predictor } from '../models/predictor.js';
import { type Augmentation, applyAugmentation, augmentationName } from './augment.js';
import { type ModelOutputs, makeModelOutputs } from './model-outputs.js';

export interface InferenceOptions {
  /** Samples per forward pass (default: the predictor's). */
  batchSize?: number;
  /** Names the data in validation errors ("members", "dataset fashion-mnist test"). Default "inference". */
  where?: string;
  /** Field suffix in errors ("_train" → "logits_train"). */
  suffix?: string;
}

/**
 * Runs `predictor` on the samples and builds ModelOutputs through makeModelOutputs: for a logits
 * predictor `logits` is set and probs = softmax(logits), loss = logsumexp − logit[label]; for a probs
 * predictor `logits` is undefined and loss = −log max(p[label], 1e-300). Throws makeModelOutputs' errors
 * (E_LABEL_RANGE when a label ≥ the model's classes, E_NOT_FINITE for NaN outputs, …) naming `where`.
 */
export async function predictOutputs(
  predictor: Predictor,
  samples: LabelledSamples,
  options: InferenceOptions = {},
): Promise<ModelOutputs> {
  const out = await predictor.predict(
    samples.x,
    samples.n,
    options.batchSize !== undefined ? { batchSize: options.batchSize } : {},
  );
  return toOutputs(predictor, out, samples, options);
}

function toOutputs(
  predictor: Predictor,
  out: Float32Array,
  samples: LabelledSamples,
  options: InferenceOptions,
): ModelOutputs {
  const where = options.where ?? 'inference';
  const opts = options.suffix !== undefined ? { suffix: options.suffix } : {};
  const labels = samples.y.length === samples.n ? samples.y : samples.y.subarray(0, samples.n);
  const numClasses = predictor.numClasses;
  return predictor.outputKind === 'logits'
    ? makeModelOutputs({ logits: out, labels, numClasses, n: samples.n }, where, opts)
    : makeModelOutputs({ probs: out, labels, numClasses, n: samples.n }, where, opts);
}

/** A model's outputs on A augmented copies of the same samples. */
export interface AugmentedOutputs {
  /** Names of the augmentations (augmentationName), in query order. */
  augmentations: string[];
  /**
   * One ModelOutputs per augmentation, same order; outputs[a].logits[i·c + k] is the logit of class k for
   * sample i under augmentation a. With the identity first (augmentationSet), outputs[0] equals
   * predictOutputs on the raw samples.
   */
  outputs: ModelOutputs[];
}

/**
 * Queries `predictor` once per augmentation (applyAugmentation on the whole sample set, one augmentation
 * at a time so memory stays at one extra copy) and returns A ModelOutputs (see AugmentedOutputs).
 * `shape` is the per-sample shape [h, w, c].
 */
export async function predictAugmentedOutputs(
  predictor: Predictor,
  samples: LabelledSamples,
  shape: readonly number[],
  augmentations: readonly Augmentation[],
  options: InferenceOptions = {},
): Promise<AugmentedOutputs> {
  const outputs: ModelOutputs[] = [];
  for (const a of augmentations) {
    const x = applyAugmentation(samples.x, samples.n, shape, a);
    const out = await predictor.predict(
      x,
      samples.n,
      options.batchSize !== undefined ? { batchSize: options.batchSize } : {},
    );
    outputs.push(
      toOutputs(predictor, out, samples, {
        ...options,
        where: `${options.where ?? 'inference'} [${augmentationName(a)}]`,
      }),
    );
  }
  return { augmentations: augmentations.map(augmentationName), outputs };
}

/**
 * The per-augmentation values of one per-sample statistic as an n × A row-major matrix: entry [i, a] is
 * `stat(outputs[a], i)` — e.g. `(o, i) => o.loss[i]` gives the n × A loss matrix LiRA fits its Gaussians to.
 */
export function perAugmentationMatrix(
  aug: AugmentedOutputs,
  stat: (o: ModelOutputs, i: number) => number,
): { data: Float64Array; shape: [number, number] } {
  const A = aug.outputs.length;
  const n = aug.outputs[0]?.n ?? 0;
  const data = new Float64Array(n * A);
  aug.outputs.forEach((o, a) => {
    for (let i = 0; i < n; i++) data[i * A + a] = stat(o, i);
  });
  return { data, shape: [n, A] };
}
