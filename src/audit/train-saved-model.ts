/**
 * `mia train`'s work: a model trained on rows of a dataset's training split and saved in a folder
 * (src/models/store.ts: model.json, weights.npz, train-indices.npy), or the model that folder already
 * holds when it was trained by the same request (src/models/cache.ts `requestHash`: architecture,
 * optimiser, epochs, batch size, seed, dataset and training rows).
 */

import { formatDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import type { DatasetName, DatasetOptions, LoadedDatasets } from '../data/registry.js';
import { subsetIndices, take } from '../data/splits.js';
import { isMiaError } from '../errors.js';
import { type ArchSpec, archParamsLabel } from '../models/architectures.js';
import { requestHash, shuffleSeedOf } from '../models/cache.js';
import type { DpConfig } from '../models/dp/dp-sgd.js';
import { createEngine } from '../models/engines/create-engine.js';
import type { BackendPreference, EngineName } from '../models/engines/names.js';
import type { NormalizedOptimizerSpec, OptimizerSpec } from '../models/optimizers.js';
import {
  type FinalEvaluation,
  isModelDir,
  type ModelRecord,
  NEWER_FORMAT,
  readModelRecord,
  saveModel,
} from '../models/store.js';
import { evaluateLogits, formatEpsilon, trainModel } from '../models/train.js';
import { describeAugment, isAugmenting, type TrainAugment } from '../models/train-augment.js';
import { Rng } from '../rng.js';

/** What to train and where to save it. */
export interface SavedModelRequest {
  /** The dataset, loaded (`loadDataset`), with the name and options it was loaded with (recorded). */
  data: LoadedDatasets;
  datasetName: DatasetName;
  datasetOptions: DatasetOptions;
  /** Training rows: this many of the training split, drawn with `seed` (all of it: every row, in order). */
  trainSize: number;
  /** Validation after each epoch on the first `valSize` test samples (0: none). */
  valSize: number;
  arch: ArchSpec;
  /** The optimiser as given (trained with) and as normalised (recorded and hashed). */
  optimizer: OptimizerSpec;
  normalizedOptimizer: NormalizedOptimizerSpec;
  epochs: number;
  batchSize: number;
  /** Training-time random crops / flips (none when absent). */
  augment?: TrainAugment;
  /** Seeds the training rows, the initial weights and (through shuffleSeedOf) the shuffles. */
  seed: number;
  engine: EngineName;
  backend: BackendPreference;
  /** The model folder (checked by checkModelDestination beforehand). */
  out: string;
  /** Train again even when `out` holds the model of this request. */
  force: boolean;
  /** Train with DP-SGD (models/dp/dp-sgd.ts); recorded in model.json's `dp` and hashed. */
  dp?: DpConfig;
}

/** "train accuracy 68.60% (loss 0.9123), test accuracy …% (loss …) on N test samples", as after training. */
function formatFinal(f: FinalEvaluation): string {
  return (
    `train accuracy ${(100 * f.trainAccuracy).toFixed(2)}% (loss ${f.trainLoss.toFixed(4)}), ` +
    `test accuracy ${(100 * f.testAccuracy).toFixed(2)}% (loss ${f.testLoss.toFixed(4)}) on ${f.testSamples} test samples`
  );
}

/**
 * What the reuse message says about a saved model: the "final:" evaluation printed when it was trained,
 * when the record holds it; else (records written before it was recorded) the running training accuracy
 * during the last epoch and the validation accuracy after it, labelled as such.
 */
function reusedFigures(record: ModelRecord): string {
  const f = record.final;
  if (
    f !== undefined &&
    f !== null &&
    [f.trainAccuracy, f.trainLoss, f.testAccuracy, f.testLoss, f.testSamples].every(
      (v) => typeof v === 'number' && Number.isFinite(v),
    )
  ) {
    return `; final: ${formatFinal(f)}`;
  }
  const last = record.history.at(-1);
  if (last === undefined) return '';
  return (
    `; training accuracy during the last epoch ${(100 * last.trainAccuracy).toFixed(2)}%` +
    (last.valAccuracy !== null
      ? `, validation accuracy after it ${(100 * last.valAccuracy).toFixed(2)}%`
      : '')
  );
}

/**
 * Trains the request's model and saves it in `r.out`, or reuses the model there when it has the
 * request's hash (and `force` is off); resolves to whether it was reused. Progress (reuse or replacement,
 * engine, model, each epoch, the final evaluation, the save) goes to `logger`. A model.json that cannot
 * be read is replaced, except one of a newer format, whose MiaError is thrown; so are the errors of the
 * engine, training and saving.
 */
export async function trainSavedModel(r: SavedModelRequest, logger: Logger): Promise<{ reused: boolean }> {
  const { data, seed, epochs, batchSize, arch, out } = r;
  const opt = r.normalizedOptimizer;
  const indices =
    r.trainSize === data.train.n
      ? Int32Array.from({ length: r.trainSize }, (_, i) => i)
      : subsetIndices(data.train.n, r.trainSize, new Rng(seed));
  const train = take(data.train, indices);
  const val =
    r.valSize > 0
      ? take(
          data.test,
          Int32Array.from({ length: r.valSize }, (_, i) => i),
        )
      : undefined;

  const dsRecord: Record<string, unknown> = { ...r.datasetOptions };
  const hash = requestHash({
    arch,
    inputShape: [...train.shape],
    numClasses: train.numClasses,
    optimizer: opt,
    epochs,
    batchSize,
    ...(r.augment !== undefined ? { augment: r.augment } : {}),
    seed,
    dataset: { name: r.datasetName, options: dsRecord },
    indices,
    train,
    ...(r.dp !== undefined ? { dp: r.dp } : {}),
  });
  if (!r.force && isModelDir(out)) {
    let previous: ModelRecord | undefined;
    try {
      previous = readModelRecord(out);
    } catch (e) {
      // a damaged model.json is replaced (as any other model); a newer one stops (upgrade, or --force)
      if (!isMiaError(e) || e.message.includes(NEWER_FORMAT)) throw e;
      logger.info(`${out} holds a model that cannot be read (${e.message}); it will be replaced`);
    }
    if (previous !== undefined && previous.hash === hash) {
      logger.info(
        `${out} already holds this model (trained ${previous.createdAt}${reusedFigures(previous)}); ` +
          'reused, nothing trained (--force trains again)',
      );
      return { reused: true };
    }
    if (previous !== undefined)
      logger.info(`${out} holds another model (a different request); it will be replaced`);
  }

  const engine = await createEngine(r.engine, { backend: r.backend });
  const model = await engine.build({
    arch,
    inputShape: [...train.shape],
    numClasses: train.numClasses,
    seed,
  });
  logger.info(`engine: ${model.engine}, backend ${model.backend} (${engine.backend.description})`);
  try {
    logger.info(
      `model: ${arch.name} ${archParamsLabel(arch)}, ${model.paramCount().toLocaleString('en-US')} parameters; ` +
        `${opt.name} lr ${opt.lr}, batch ${batchSize}, ${epochs} epochs, ${train.n} training samples, seed ${seed}`,
    );
    const shuffleSeed = shuffleSeedOf(seed);
    const aug = isAugmenting(r.augment);
    if (aug) logger.info(`augmentation: ${describeAugment(r.augment!)}`);
    const result = await trainModel(model, train, {
      epochs,
      batchSize,
      optimizer: r.optimizer,
      shuffleSeed,
      ...(aug ? { augment: r.augment } : {}),
      ...(val !== undefined ? { validation: val } : {}),
      logger,
      ...(r.dp !== undefined ? { dp: r.dp } : {}),
    });
    if (result.dp !== undefined) {
      const d = result.dp;
      logger.info(
        `DP-SGD: σ ${d.noiseMultiplier.toPrecision(4)}, C ${d.maxGradNorm}, q ${d.sampleRate.toPrecision(3)}, ${d.steps} steps, ` +
          `ε ${formatEpsilon(d.epsilon)} at δ ${d.delta} (RDP accountant)` +
          (d.sampling === 'shuffle'
            ? '; batches were shuffled, not Poisson-sampled: this ε assumes Poisson sampling and does not cover them'
            : ''),
      );
    }
    const trainEval = evaluateLogits(
      await model.predict(train.x, train.n),
      train.y,
      train.n,
      train.numClasses,
    );
    const testEval = evaluateLogits(
      await model.predict(data.test.x, data.test.n),
      data.test.y,
      data.test.n,
      train.numClasses,
    );
    const final: FinalEvaluation = {
      trainAccuracy: trainEval.accuracy,
      trainLoss: trainEval.loss,
      testAccuracy: testEval.accuracy,
      testLoss: testEval.loss,
      testSamples: data.test.n,
    };
    logger.info(`final: ${formatFinal(final)}; trained in ${formatDuration(result.seconds)}`);
    saveModel(out, model, {
      training: { optimizer: opt, epochs, batchSize, shuffleSeed, ...(aug ? { augment: r.augment } : {}) },
      dataset: { name: r.datasetName, options: dsRecord },
      indices,
      history: result.history,
      hash,
      trainSeconds: result.seconds,
      final,
      ...(result.dp !== undefined ? { dp: result.dp } : {}),
    });
    logger.info(`saved ${out}`);
  } finally {
    model.dispose();
  }
  return { reused: false };
}
