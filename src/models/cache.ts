/**
 * Train-or-load by content hash. A request (architecture, input shape, classes, optimiser, epochs, batch
 * size, seed, dataset name and options, the training rows and their data) maps to a SHA-256 key; the model
 * trained for it is saved under `<cacheDir>/<key>/` (store.ts, atomically), and the same request again
 * loads it instead of training. Reference-model attacks train tens of models this way and a killed audit
 * resumes with every finished model reused. A cached model that cannot be read (a truncated weights.npz,
 * a damaged model.json) is reported in one progress line, moved aside and trained again.
 */

import { createHash } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../core/canonical-json.js';
import type { Logger } from '../core/logger.js';
import { isMiaError, MiaError, type MiaErrorCode } from '../errors.js';
import { describeFsError, tempPathFor } from '../io/atomic.js';
import { unreadableReason } from '../io/unreadable.js';
import { type ArchSpec, normalizeArchSpec } from './architectures.js';
import type { DpConfig } from './dp/dp-sgd.js';
import type { Engine, EngineModel, ModelSpec } from './engine.js';
import { normalizeOptimizerSpec, type OptimizerSpec } from './optimizers.js';
import {
  isModelDir,
  loadModel,
  type ModelRecord,
  NEWER_FORMAT,
  publishModel,
  readModelRecord,
  removeStaleTemps,
} from './store.js';
import { type EpochEndHook, type Samples, trainModel } from './train.js';
import { isAugmenting, type TrainAugment } from './train-augment.js';

export interface TrainRequest {
  arch: ArchSpec;
  /** Per-sample input shape ([h, w, c] or [d]). */
  inputShape: number[];
  numClasses: number;
  optimizer: OptimizerSpec;
  epochs: number;
  batchSize: number;
  /** Training-time crops / flips (train-augment.ts); part of the key when it augments. */
  augment?: TrainAugment;
  /** Seeds the initial weights (as is) and the per-epoch shuffles (through {@link shuffleSeedOf}). */
  seed: number;
  /** The dataset as asked for (name and loader options); recorded and hashed. */
  dataset: { name: string; options?: Record<string, unknown> };
  /** Rows of the dataset's training split used for training, in the order of `train`. */
  indices: Int32Array;
  /** The training samples (the dataset's rows `indices`). Their bytes are part of the key. */
  train: Samples;
  /** Validation samples for the history (not part of the key). */
  validation?: Samples;
  /** Train with DP-SGD (models/dp/dp-sgd.ts); part of the key (its `where` is not). */
  dp?: DpConfig;
}

export interface TrainOrLoadOptions {
  engine: Engine;
  logger?: Logger;
  /** Epoch-end hooks; they run only when the model is trained, not when it is loaded from the cache. */
  onEpochEnd?: EpochEndHook | readonly EpochEndHook[];
  progressIntervalMs?: number;
  label?: string;
}

export interface TrainOrLoadResult {
  model: EngineModel;
  record: ModelRecord;
  /** The model's directory `<cacheDir>/<hash>`. */
  dir: string;
  /** True when the model was loaded from the cache (no training happened). */
  cached: boolean;
}

/** The shuffle seed used for a request seed: (seed · 2654435761 + 1013904223) mod 2³², fixed forever. */
export function shuffleSeedOf(seed: number): number {
  return (Math.imul(Math.trunc(seed) >>> 0, 2654435761) + 1013904223) >>> 0;
}

function sha256(...parts: (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

const bytesOf = (a: Float32Array | Int32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * The request's cache key: hex SHA-256 of the canonical JSON of { normalised architecture, input shape,
 * classes, normalised optimiser (with schedule), epochs, batch size, the augmentation (only when it
 * augments, so keys of models trained without one are unchanged), seed, dataset name and options,
 * SHA-256 of the indices (int32 LE), SHA-256 of the training x (float32 LE) and y (int32 LE) }.
 * With DP-SGD, also `dp`: { noiseMultiplier | targetEpsilon, maxGradNorm, delta, sampling } (absent
 * without it, so the keys of non-DP requests are unchanged). Validation data, the engine and the
 * backend are not part of the key.
 */
export function requestHash(r: TrainRequest): string {
  const n = r.train.n;
  return sha256(
    canonicalJson({
      v: 1,
      arch: normalizeArchSpec(r.arch),
      inputShape: r.inputShape,
      numClasses: r.numClasses,
      optimizer: normalizeOptimizerSpec(r.optimizer),
      epochs: r.epochs,
      batchSize: r.batchSize,
      ...(isAugmenting(r.augment) ? { augment: { crop: r.augment.crop, flip: r.augment.flip } } : {}),
      seed: r.seed,
      dataset: { name: r.dataset.name, options: r.dataset.options ?? {} },
      indices: sha256(bytesOf(r.indices)),
      data: sha256(bytesOf(r.train.x.subarray(0, r.train.x.length)), bytesOf(r.train.y.subarray(0, n))),
      ...(r.dp !== undefined ? { dp: dpKey(r.dp) } : {}),
    }),
  );
}

/** The hashed form of a DP configuration (its error-message location left out). */
export function dpKey(dp: DpConfig): Record<string, unknown> {
  return {
    ...(dp.noiseMultiplier !== undefined ? { noiseMultiplier: dp.noiseMultiplier } : {}),
    ...(dp.targetEpsilon !== undefined ? { targetEpsilon: dp.targetEpsilon } : {}),
    maxGradNorm: dp.maxGradNorm,
    delta: dp.delta,
    sampling: dp.sampling,
  };
}

/** Errors of loading a cached model that mean its files are damaged (anything else propagates). */
const UNREADABLE: ReadonlySet<MiaErrorCode> = new Set<MiaErrorCode>([
  'E_IO',
  'E_NPY_HEADER',
  'E_NPY_DTYPE',
  'E_NPY_ORDER',
  'E_TRUNCATED',
  'E_ZIP',
  'E_SHAPE_MISMATCH',
  'E_MISSING_FIELD',
  'E_NOT_FINITE',
  'E_JSON',
  'E_MODEL',
]);

/**
 * Why the model in `dir` could not be loaded, as `weights.npz: not a valid zip archive: …` (the file
 * relative to `dir` when the error names one), or undefined when `e` is not a damaged-file error.
 */
function damageReason(e: unknown, dir: string): string | undefined {
  if (!isMiaError(e) || !UNREADABLE.has(e.code)) return undefined;
  // A file that cannot be opened for another reason (too many open files, permissions, a network file
  // system's hiccup) says nothing about the model: propagate rather than delete a finished model. So
  // does a model written by a newer mia-audit.
  if (e.code === 'E_IO' && !/no such file or directory|is a directory/.test(e.message)) return undefined;
  if (e.code === 'E_MODEL' && e.message.includes(NEWER_FORMAT)) return undefined;
  return unreadableReason(e, { path: dir });
}

/**
 * Moves the damaged model directory `dir` aside in one rename (to a hidden temp name that
 * removeStaleTemps would also clean up after a crash), then deletes it. Another process may have moved
 * it already (ENOENT is fine).
 */
function discardDamaged(dir: string, cacheDir: string, hash: string): void {
  const aside = tempPathFor(join(cacheDir, `.${hash}-unreadable`));
  try {
    renameSync(dir, aside);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return;
    throw new MiaError('E_IO', `cannot move the unreadable cached model aside: ${describeFsError(e)}`, {
      where: dir,
    });
  }
  rmSync(aside, { recursive: true, force: true });
}

/**
 * Loads the model cached for `request` under `cacheDir`, or trains it (trainModel, with the request's seed
 * for the weights and shuffleSeedOf(seed) for the shuffles) and saves it there atomically. Stale temp
 * directories of killed runs are removed first. A cached model whose files cannot be read (E_ZIP,
 * E_JSON, E_MODEL, … from store.ts loadModel) is reported in one progress line (`cached model <dir>:
 * unreadable (<file>: <why>); training it again`), moved aside and trained again; other load errors
 * (the engine's) propagate. Two processes training the same request both finish; the first to publish
 * wins and the other's copy is discarded (both return equivalent models).
 */
export async function trainOrLoad(
  request: TrainRequest,
  cacheDir: string,
  options: TrainOrLoadOptions,
): Promise<TrainOrLoadResult> {
  const hash = requestHash(request);
  const dir = join(cacheDir, hash);
  const log = options.logger;
  const prefix = options.label !== undefined ? `${options.label}  ` : '';
  if (isModelDir(dir)) {
    let loaded: Awaited<ReturnType<typeof loadModel>> | undefined;
    try {
      loaded = await loadModel(dir, options.engine);
    } catch (e) {
      const reason = damageReason(e, dir);
      if (reason === undefined) throw e;
      log?.info(`${prefix}cached model ${dir}: unreadable (${reason}); training it again`);
      discardDamaged(dir, cacheDir, hash);
    }
    if (loaded !== undefined) {
      log?.info(`${prefix}cached model ${hash.slice(0, 12)} loaded from ${dir}`);
      return { model: loaded.model, record: loaded.record, dir, cached: true };
    }
  }
  removeStaleTemps(cacheDir);
  const spec: ModelSpec = {
    arch: normalizeArchSpec(request.arch),
    inputShape: [...request.inputShape],
    numClasses: request.numClasses,
    seed: request.seed,
  };
  const model = await options.engine.build(spec);
  try {
    const shuffleSeed = shuffleSeedOf(request.seed);
    const result = await trainModel(model, request.train, {
      epochs: request.epochs,
      batchSize: request.batchSize,
      optimizer: request.optimizer,
      shuffleSeed,
      ...(isAugmenting(request.augment) ? { augment: request.augment } : {}),
      ...(request.validation !== undefined ? { validation: request.validation } : {}),
      ...(log !== undefined ? { logger: log } : {}),
      ...(options.onEpochEnd !== undefined ? { onEpochEnd: options.onEpochEnd } : {}),
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      ...(options.label !== undefined ? { label: options.label } : {}),
      ...(request.dp !== undefined ? { dp: request.dp } : {}),
    });
    publishModel(dir, model, {
      training: {
        optimizer: normalizeOptimizerSpec(request.optimizer),
        epochs: request.epochs,
        batchSize: request.batchSize,
        shuffleSeed,
        ...(isAugmenting(request.augment) ? { augment: request.augment } : {}),
      },
      dataset: { name: request.dataset.name, options: request.dataset.options ?? {} },
      indices: request.indices,
      history: result.history,
      hash,
      trainSeconds: result.seconds,
      ...(result.dp !== undefined ? { dp: result.dp } : {}),
    });
    return { model, record: readModelRecord(dir), dir, cached: false };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
