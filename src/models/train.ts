/**
 * The training loop: seeded shuffling each epoch, mini-batches, the learning-rate schedule, progress
 * lines through an injectable logger, the per-epoch history, validation, and the public epoch-end hook
 * (later stages run privacy attacks from it, as the TF Privacy codelab's PrivacyMetrics callback does).
 * Engine-independent: it only uses the EngineModel interface.
 */

import { formatDuration } from '../core/duration.js';
import { type Logger, logProgress, silentLogger } from '../core/logger.js';
import { gatherRows } from '../data/samples.js';
import { MiaError } from '../errors.js';
import { Rng } from '../rng.js';
import {
  checkDpModel,
  type DpConfig,
  type DpRecord,
  dpEpoch,
  dpRecordOf,
  epsilonAfter,
  type ResolvedDp,
  resolveDp,
} from './dp/dp-sgd.js';
import { GaussianStream } from './dp/noise.js';
import type { EngineModel } from './engine.js';
import { shapeSize } from './layer-graph.js';
import { learningRateAt, normalizeOptimizerSpec, type OptimizerSpec } from './optimizers.js';
import { augmentBatch, checkAugment, isAugmenting, type TrainAugment } from './train-augment.js';

/** Labelled samples: `x` holds n × prod(inputShape) values, row-major (NHWC for images). */
export interface Samples {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** One epoch of the history (Keras' History.history, one row per epoch). */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Learning rate used in this epoch. */
  lr: number;
  /** Mean cross-entropy over the epoch's batches, each batch weighted by its size (Keras' `loss`). */
  trainLoss: number;
  /** Fraction of training samples classified correctly during the epoch, before each batch's update. */
  trainAccuracy: number;
  /** Mean cross-entropy on the validation set after the epoch; null without validation data. */
  valLoss: number | null;
  valAccuracy: number | null;
  /** Wall time of the epoch, training and validation, in seconds. */
  seconds: number;
  /** Training samples per second (training steps only). */
  samplesPerSecond: number;
  /** DP-SGD only: ε spent after this epoch (RDP accountant at the configured δ; null in JSON for +∞). */
  epsilon?: number;
}

/** What an epoch-end hook receives. */
export interface EpochEndContext {
  /** 1-based number of the epoch just finished. */
  epoch: number;
  epochs: number;
  /** Every epoch so far, the last one being this epoch. */
  history: readonly EpochRecord[];
  model: EngineModel;
  /** Logits of the model in its current state: n × numClasses, row-major (the model's predict). */
  predict(x: Float32Array, n: number): Promise<Float32Array>;
  /** Ends training after this epoch (the remaining hooks of this epoch still run). */
  stop(): void;
}

export type EpochEndHook = (ctx: EpochEndContext) => void | Promise<void>;

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  /** Seed of the per-epoch shuffles (one Rng, one permutation per epoch). */
  shuffleSeed: number;
  /** Random crops / flips of each training batch (train-augment.ts), drawn from augmentSeedOf(shuffleSeed). */
  augment?: TrainAugment;
  /** Evaluated after every epoch (valLoss / valAccuracy). */
  validation?: Samples;
  logger?: Logger;
  /** Called after each epoch, in order, awaited. */
  onEpochEnd?: EpochEndHook | readonly EpochEndHook[];
  /** Also log a progress line within an epoch every this many milliseconds (default 10 000; 0 = never). */
  progressIntervalMs?: number;
  /** Prefix of every progress line, e.g. "model 3/16" (default none). */
  label?: string;
  /** Clock in milliseconds (default performance.now); tests inject one. */
  now?: () => number;
  /**
   * Train with DP-SGD (models/dp/dp-sgd.ts) instead of plain mini-batches; the batch sampling and the
   * noise are seeded from `shuffleSeed`. Needs an engine with a DP step (the onnxruntime engine).
   */
  dp?: DpConfig;
}

export interface TrainResult {
  history: EpochRecord[];
  /** True when a hook called stop() before the last epoch. */
  stoppedEarly: boolean;
  /** Wall time of the whole run in seconds. */
  seconds: number;
  /** DP-SGD training: σ, C, δ, q, steps and the final ε (model.json's `dp`). */
  dp?: DpRecord;
}

/**
 * Mean softmax cross-entropy (natural log, computed in float64 as logsumexp − z[label]) and accuracy
 * (arg-max, first maximum on ties) of n × c logits against labels.
 */
export function evaluateLogits(
  logits: Float32Array,
  y: Int32Array,
  n: number,
  c: number,
): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let m = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let k = 0; k < c; k++) {
      const v = logits[o + k]!;
      if (v > m) {
        m = v;
        arg = k;
      }
    }
    let s = 0;
    for (let k = 0; k < c; k++) s += Math.exp(logits[o + k]! - m);
    loss += m + Math.log(s) - logits[o + y[i]!]!;
    if (arg === y[i]) correct++;
  }
  return { loss: n > 0 ? loss / n : Number.NaN, accuracy: n > 0 ? correct / n : Number.NaN };
}

/** Throws E_SHAPE_MISMATCH / E_LABEL_RANGE / E_EMPTY naming `where` when samples do not fit the model. */
export function checkSamples(
  s: Samples,
  inputShape: readonly number[],
  numClasses: number,
  where: string,
): void {
  const size = shapeSize(inputShape);
  if (s.n === 0) throw new MiaError('E_EMPTY', 'no samples', { where });
  if (s.x.length !== s.n * size) {
    throw new MiaError('E_SHAPE_MISMATCH', 'x does not hold n samples of the model input shape', {
      where: `${where}.x`,
      expected: `${s.n} × [${inputShape.join(', ')}] = ${s.n * size} values`,
      found: `${s.x.length} values`,
    });
  }
  if (s.y.length !== s.n) {
    throw new MiaError('E_SHAPE_MISMATCH', 'y and x have different numbers of samples', {
      where: `${where}.y`,
      expected: `${s.n} labels`,
      found: `${s.y.length}`,
    });
  }
  for (let i = 0; i < s.n; i++) {
    const v = s.y[i]!;
    if (!(v >= 0 && v < numClasses)) {
      throw new MiaError('E_LABEL_RANGE', `label of sample ${i} is outside [0, ${numClasses})`, {
        where: `${where}.y[${i}]`,
        found: String(v),
      });
    }
  }
}

const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
/** ε for a progress line: 3 significant digits, ∞ for no noise. */
export const formatEpsilon = (e: number): string => (Number.isFinite(e) ? e.toPrecision(3) : '∞');

export interface EpochOptions {
  /** Sample order: the rows of `train` in the order they are batched (e.g. a seeded permutation). */
  order: Int32Array;
  batchSize: number;
  lr: number;
  /** Reusable batch buffers (batchSize × sample size values, batchSize labels); allocated when absent. */
  buffers?: { x: Float32Array; y: Int32Array };
  /** Called after every batch with the running totals (samples seen, Σ loss·batch size, correct). */
  onBatch?: (seen: number, lossSum: number, correct: number) => void;
  /** Names the epoch in errors. */
  where?: string;
  /** Augments each gathered batch in place (train-augment.ts) with draws from `rng`. */
  augment?: { spec: TrainAugment; rng: Rng };
}

/** The seed of the augmentation draws for a shuffle seed: shuffleSeed XOR 0x9e3779b9, fixed forever. */
export function augmentSeedOf(shuffleSeed: number): number {
  return (shuffleSeed ^ 0x9e3779b9) >>> 0;
}

/**
 * One pass over the rows `order` of `train` in mini-batches of `batchSize` (the last may be smaller),
 * one model.trainStep at learning rate `lr` per batch. Returns the samples seen, Σ batch-mean loss ×
 * batch size, and the number classified correctly before each batch's update. Throws E_NOT_FINITE when
 * the loss becomes NaN or infinite.
 */
export async function trainEpoch(
  model: EngineModel,
  train: Samples,
  options: EpochOptions,
): Promise<{ seen: number; lossSum: number; correct: number }> {
  const { order, batchSize, lr } = options;
  const size = shapeSize(model.inputShape);
  const bx = options.buffers?.x ?? new Float32Array(batchSize * size);
  const by = options.buffers?.y ?? new Int32Array(batchSize);
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  for (let s = 0; s < order.length; s += batchSize) {
    const m = Math.min(batchSize, order.length - s);
    const batch = gatherRows(train, order.subarray(s, s + m), { x: bx, y: by });
    const aug = options.augment;
    if (aug !== undefined) augmentBatch(batch.x, m, model.inputShape, aug.spec, aug.rng);
    const st = await model.trainStep(batch, lr);
    if (!Number.isFinite(st.loss)) {
      throw new MiaError('E_NOT_FINITE', `training loss became ${st.loss} at sample ${s} of the epoch`, {
        where: options.where ?? 'training',
        expected: 'a finite loss (try a smaller learning rate)',
      });
    }
    lossSum += st.loss * m;
    correct += st.correct;
    seen += m;
    options.onBatch?.(seen, lossSum, correct);
  }
  return { seen, lossSum, correct };
}

/**
 * Trains `model` on `train` for `options.epochs` epochs of mini-batches (the last batch of an epoch may be
 * smaller, as in Keras), sample order reshuffled each epoch from `shuffleSeed`, learning rate by the
 * optimiser's schedule. Logs one line per epoch (and within long epochs every progressIntervalMs):
 * epoch, loss, accuracy, validation loss / accuracy, samples/s, ETA. Resolves to the history.
 * Throws E_ARGUMENT for epochs / batch size that are not positive integers, and checkSamples' errors.
 */
export async function trainModel(
  model: EngineModel,
  train: Samples,
  options: TrainOptions,
): Promise<TrainResult> {
  const { epochs, batchSize } = options;
  if (!Number.isInteger(epochs) || epochs < 0) {
    throw new MiaError('E_ARGUMENT', 'epochs must be an integer ≥ 0', {
      where: 'train.epochs',
      found: String(epochs),
    });
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new MiaError('E_ARGUMENT', 'batch size must be an integer ≥ 1', {
      where: 'train.batchSize',
      found: String(batchSize),
    });
  }
  checkSamples(train, model.inputShape, model.numClasses, 'training data');
  const augment = isAugmenting(options.augment)
    ? { spec: options.augment, rng: new Rng(augmentSeedOf(options.shuffleSeed)) }
    : undefined;
  if (augment !== undefined) checkAugment(augment.spec, model.inputShape, 'train.augment');
  if (options.validation !== undefined) {
    checkSamples(options.validation, model.inputShape, model.numClasses, 'validation data');
  }
  let dp: ResolvedDp | undefined;
  if (options.dp !== undefined) {
    checkDpModel(model, options.dp.where);
    if (augment !== undefined)
      throw new MiaError('E_CONFIG', 'DP-SGD does not augment its batches yet', {
        where: options.dp.where ?? 'train.dp',
        expected: 'dp without augment (remove one of them)',
        found: 'dp and augment together',
      });
    dp = resolveDp(options.dp, train.n, batchSize, epochs);
  }
  const opt = normalizeOptimizerSpec(options.optimizer);
  model.setOptimizer(opt);
  const log = options.logger ?? silentLogger;
  const now = options.now ?? (() => performance.now());
  const interval = options.progressIntervalMs ?? 10_000;
  const prefix = options.label !== undefined ? `${options.label}  ` : '';
  // one progress task per model: a terminal rewrites its line in place (cli/console-logger.ts)
  const key = options.label ?? 'training';
  const hooks: readonly EpochEndHook[] =
    options.onEpochEnd === undefined
      ? []
      : typeof options.onEpochEnd === 'function'
        ? [options.onEpochEnd]
        : options.onEpochEnd;
  const size = shapeSize(model.inputShape);
  const n = train.n;
  const bx = new Float32Array(batchSize * size);
  const by = new Int32Array(batchSize);
  const rng = new Rng(options.shuffleSeed);
  const history: EpochRecord[] = [];
  const start = now();
  let stopped = false;
  const predict = (x: Float32Array, m: number) => model.predict(x, m);
  // DP-SGD: Poisson batches and noise from their own streams, so `rng` gives the same permutations
  const dpSampling = new Rng((options.shuffleSeed ^ 0x51ed27a3) >>> 0);
  const dpNoise = new GaussianStream(new Rng((options.shuffleSeed ^ 0x2545f491) >>> 0));
  let dpSteps = 0;
  let dpBuf = { x: bx, y: by };

  for (let e = 0; e < epochs && !stopped; e++) {
    const lr = learningRateAt(opt.lr, opt.schedule, e, epochs);
    const order = rng.permutation(n);
    const t0 = now();
    let lastLog = t0;
    const onBatch = (seen: number, lossSum: number, correct: number) => {
      const t = now();
      if (interval > 0 && t - lastLog >= interval && seen < n) {
        lastLog = t;
        const rate = seen / ((t - t0) / 1000);
        const etaS = (n - seen) / rate + (epochs - e - 1) * (n / rate);
        logProgress(
          log,
          key,
          `${prefix}epoch ${e + 1}/${epochs}  ${seen}/${n}  loss ${(lossSum / seen).toFixed(4)}  acc ${pct(correct / seen)}  ` +
            `${Math.round(rate)} samples/s  ETA ${formatDuration(etaS)}`,
          false,
        );
      }
    };
    const where = `epoch ${e + 1}`;
    const gather = (rows: Int32Array) => {
      if (rows.length > dpBuf.y.length)
        dpBuf = { x: new Float32Array(rows.length * size), y: new Int32Array(rows.length) };
      return gatherRows(train, rows, dpBuf);
    };
    const ep =
      dp === undefined
        ? await trainEpoch(model, train, {
            order,
            batchSize,
            lr,
            buffers: { x: bx, y: by },
            ...(augment !== undefined ? { augment } : {}),
            onBatch,
            where,
          })
        : await dpEpoch(model, n, {
            dp,
            lr,
            order,
            sampling: dpSampling,
            noise: dpNoise,
            gather,
            onBatch,
            where,
          });
    if ('steps' in ep && typeof ep.steps === 'number') dpSteps += ep.steps;
    const epsilon = dp !== undefined ? epsilonAfter(dp, dpSteps) : undefined;
    const seen = ep.seen;
    const lossSum = ep.lossSum;
    const correct = ep.correct;
    const tTrain = now();
    let valLoss: number | null = null;
    let valAccuracy: number | null = null;
    if (options.validation !== undefined) {
      const v = options.validation;
      const ev = evaluateLogits(await model.predict(v.x, v.n), v.y, v.n, model.numClasses);
      valLoss = ev.loss;
      valAccuracy = ev.accuracy;
    }
    const t1 = now();
    const record: EpochRecord = {
      epoch: e + 1,
      lr,
      trainLoss: lossSum / seen,
      trainAccuracy: correct / seen,
      valLoss,
      valAccuracy,
      seconds: (t1 - t0) / 1000,
      samplesPerSecond: seen / Math.max(1e-9, (tTrain - t0) / 1000),
      ...(epsilon !== undefined ? { epsilon } : {}),
    };
    history.push(record);
    const avg = (t1 - start) / 1000 / (e + 1);
    logProgress(
      log,
      key,
      `${prefix}epoch ${e + 1}/${epochs}  loss ${record.trainLoss.toFixed(4)}  acc ${pct(record.trainAccuracy)}` +
        (valLoss !== null ? `  val_loss ${valLoss.toFixed(4)}  val_acc ${pct(valAccuracy!)}` : '') +
        (dp !== undefined ? `  ε ${formatEpsilon(epsilon!)} (δ ${dp.delta})` : '') +
        `  ${Math.round(record.samplesPerSecond)} samples/s  ${formatDuration(record.seconds)}` +
        (e + 1 < epochs ? `  ETA ${formatDuration(avg * (epochs - e - 1))}` : ''),
      e + 1 === epochs,
    );
    const ctx: EpochEndContext = {
      epoch: e + 1,
      epochs,
      history,
      model,
      predict,
      stop: () => {
        stopped = true;
      },
    };
    for (const hook of hooks) await hook(ctx);
  }
  const result: TrainResult = {
    history,
    stoppedEarly: stopped && history.length < epochs,
    seconds: (now() - start) / 1000,
  };
  if (dp !== undefined) result.dp = dpRecordOf(dp, dpSteps, history.length, epsilonAfter(dp, dpSteps));
  return result;
}
