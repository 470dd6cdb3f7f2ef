/**
 * Trained models on disk. A model is a directory:
 *
 *   model.json          ModelRecord: format/version, engine and backend, the model spec (architecture with
 *                       every hyper-parameter, input shape, classes, seed), training config, dataset name and
 *                       options, history, parameter count, cache hash, weight names and shapes
 *   weights.npz         one float32 array per parameter, keyed by name ("l0.kernel", …); np.load reads it
 *   train-indices.npy   int32 rows of the dataset's training split the model was trained on (optional)
 *
 * Saving is atomic at the directory level: everything is written into a hidden sibling temp directory
 * `.<name>.tmp-<pid>-<16 hex>` (src/io/atomic.ts naming, so isTempFile recognises it), which is then
 * renamed to `<name>`. A run killed before the rename leaves only such a temp directory, which no reader
 * takes for a model (readers need `<name>/model.json`); stale ones are removed by removeStaleTemps.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MiaError } from '../errors.js';
import { describeFsError, isTempFile, processAlive, tempPathFor } from '../io/atomic.js';
import { readJsonFile } from '../io/json.js';
import { npyArray, readNpy, writeNpy } from '../io/npy.js';
import { toFloat32, toInt32 } from '../io/npy-cast.js';
import { readNpz, writeNpz } from '../io/npz.js';
import { normalizeArchSpec } from './architectures.js';
import type { DpRecord } from './dp/dp-sgd.js';
import type { Engine, EngineModel, ModelSpec, NamedWeight } from './engine.js';
import type { NormalizedOptimizerSpec } from './optimizers.js';
import type { EpochRecord } from './train.js';
import type { TrainAugment } from './train-augment.js';

export const MODEL_FORMAT = 'mia-audit-model';
export const MODEL_FORMAT_VERSION = 1;
/** The start of the E_MODEL message for a model.json written by a newer mia-audit (not a damaged file). */
export const NEWER_FORMAT = 'model.json was written by a newer mia-audit';
export const MODEL_FILES = ['model.json', 'weights.npz', 'train-indices.npy'] as const;

/** How a model was trained (absent for models that were only built or imported). */
export interface TrainingRecord {
  optimizer: NormalizedOptimizerSpec;
  epochs: number;
  batchSize: number;
  /** Seed of the per-epoch shuffles. */
  shuffleSeed: number;
  /** Training-time crops / flips, when the model was trained with them. */
  augment?: TrainAugment;
}

/** The dataset a model was trained on, as it was asked for (name and loader options). */
export interface DatasetRecord {
  name: string;
  options: Record<string, unknown>;
}

/**
 * The evaluation of the finished model that `mia train` prints ("final: train accuracy …, test accuracy …"),
 * unlike `history`, whose train accuracy is the running one during each epoch.
 */
export interface FinalEvaluation {
  trainAccuracy: number;
  trainLoss: number;
  testAccuracy: number;
  testLoss: number;
  /** Number of test samples evaluated. */
  testSamples: number;
}

/** Contents of model.json. */
export interface ModelRecord {
  format: typeof MODEL_FORMAT;
  version: number;
  engine: string;
  backend: string;
  spec: ModelSpec;
  paramCount: number;
  training: TrainingRecord | null;
  dataset: DatasetRecord | null;
  /** Number of training rows (length of train-indices.npy), null when no indices were saved. */
  trainSize: number | null;
  history: EpochRecord[];
  /** Cache key (cache.ts) of the request that produced the model, null when not trained through the cache. */
  hash: string | null;
  /** Seconds spent training. */
  trainSeconds: number | null;
  createdAt: string;
  weights: { name: string; shape: number[] }[];
  /** The evaluation after training; absent in records written before it existed and for untrained models. */
  final?: FinalEvaluation;
  /** DP-SGD training (models/dp/dp-sgd.ts; read with dp-record.ts `dpOfModel`); absent without DP. */
  dp?: DpRecord;
}

export interface SaveModelMeta {
  training?: TrainingRecord;
  dataset?: DatasetRecord;
  /** Rows of the dataset's training split the model was trained on (saved as train-indices.npy). */
  indices?: Int32Array;
  history?: EpochRecord[];
  hash?: string;
  trainSeconds?: number;
  final?: FinalEvaluation;
  dp?: DpRecord;
}

function fsError(e: unknown, what: string, where: string): MiaError {
  return new MiaError('E_IO', `${what}: ${describeFsError(e)}`, { where });
}

/** True when `dir` holds a finished model (its model.json exists). */
export function isModelDir(dir: string): boolean {
  return existsSync(join(dir, 'model.json'));
}

/**
 * Checks that saveModel may write a model to `dir`: `dir` is a new path (whose nearest existing ancestor
 * is a directory), an empty directory or a saved model directory (nothing but model files). Throws E_IO
 * naming `dir` otherwise, the error saveModel would give, so a caller can check before a long training.
 */
export function checkModelDestination(dir: string): void {
  const refuse = () =>
    new MiaError('E_IO', 'exists and is not a mia-audit model directory; not replacing it', {
      where: dir,
      expected: 'a new path, an empty directory or a saved model',
    });
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw refuse();
    if (readdirSync(dir).some((f) => !(MODEL_FILES as readonly string[]).includes(f))) throw refuse();
    return;
  }
  let parent = dirname(resolve(dir));
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (existsSync(parent) && !statSync(parent).isDirectory()) {
    throw new MiaError('E_IO', `cannot create the model directory: ${parent} is not a directory`, {
      where: dir,
      expected: 'a new path, an empty directory or a saved model',
    });
  }
}

/**
 * Writes a model's files into a fresh temp directory beside `dir` and returns its path (nothing at `dir`
 * changes). The record is returned too.
 */
function writeToTemp(
  dir: string,
  model: EngineModel,
  meta: SaveModelMeta,
): { tmp: string; record: ModelRecord } {
  const abs = resolve(dir);
  const parent = dirname(abs);
  const tmp = tempPathFor(join(parent, `.${basename(abs)}`));
  try {
    mkdirSync(parent, { recursive: true });
    mkdirSync(tmp);
  } catch (e) {
    throw fsError(e, 'cannot create the model directory', dir);
  }
  try {
    const weights = model.getWeights();
    const arrays = new Map(weights.map((w) => [w.name, npyArray(w.data, w.shape, 'float32')] as const));
    writeNpz(join(tmp, 'weights.npz'), arrays);
    if (meta.indices !== undefined)
      writeNpy(join(tmp, 'train-indices.npy'), npyArray(meta.indices, [meta.indices.length], 'int32'));
    const record: ModelRecord = {
      format: MODEL_FORMAT,
      version: MODEL_FORMAT_VERSION,
      engine: model.engine,
      backend: model.backend,
      spec: { ...model.spec, arch: normalizeArchSpec(model.spec.arch) },
      paramCount: model.paramCount(),
      training: meta.training ?? null,
      dataset: meta.dataset ?? null,
      trainSize: meta.indices?.length ?? null,
      history: meta.history ?? [],
      hash: meta.hash ?? null,
      trainSeconds: meta.trainSeconds ?? null,
      createdAt: new Date().toISOString(),
      weights: weights.map((w) => ({ name: w.name, shape: w.shape })),
      ...(meta.final !== undefined ? { final: meta.final } : {}),
      ...(meta.dp !== undefined ? { dp: meta.dp } : {}),
    };
    // model.json last: a directory without it is never a model.
    writeFileSync(join(tmp, 'model.json'), `${JSON.stringify(record, null, 2)}\n`);
    return { tmp, record };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Saves `model` to directory `dir` atomically (see the file header) and returns the record written to
 * model.json. An existing `dir` is replaced only when it is empty or a mia-audit model (holds nothing but
 * model files); anything else is refused with E_IO so a user's folder is never deleted.
 */
export function saveModel(dir: string, model: EngineModel, meta: SaveModelMeta = {}): ModelRecord {
  const { tmp, record } = writeToTemp(dir, model, meta);
  try {
    if (existsSync(dir)) {
      checkModelDestination(dir);
      const old = tempPathFor(join(dirname(resolve(dir)), `.${basename(resolve(dir))}-old`));
      renameSync(dir, old);
      renameSync(tmp, dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, dir);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof MiaError) throw e;
    throw fsError(e, 'cannot save the model', dir);
  }
  return record;
}

/**
 * Saves into `dir` only if no finished model is there yet (the cache's publish step): returns true when
 * this call's files became `dir`, false when another process had already published one (ours is
 * discarded). Never replaces a finished model; a `dir` without model.json is replaced.
 */
export function publishModel(dir: string, model: EngineModel, meta: SaveModelMeta): boolean {
  if (isModelDir(dir)) return false;
  const { tmp } = writeToTemp(dir, model, meta);
  try {
    if (existsSync(dir)) {
      // a directory with the final name but no model.json is not a model (e.g. a hand-made partial
      // copy): set it aside and replace it
      const aside = tempPathFor(join(dirname(resolve(dir)), `.${basename(resolve(dir))}-incomplete`));
      renameSync(dir, aside);
      rmSync(aside, { recursive: true, force: true });
    }
    renameSync(tmp, dir);
    return true;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (isModelDir(dir)) return false;
    throw fsError(e, 'cannot save the model', dir);
  }
}

/**
 * Reads and checks `dir/model.json`. Throws E_MODEL when the directory holds no finished model (missing
 * model.json, wrong format, a newer version) and E_JSON for malformed JSON.
 */
export function readModelRecord(dir: string): ModelRecord {
  const path = join(dir, 'model.json');
  if (!existsSync(path)) {
    throw new MiaError('E_MODEL', 'not a saved model (no model.json)', {
      where: dir,
      expected: 'a directory written by `mia train` or saveModel',
    });
  }
  const rec = readJsonFile(path) as Partial<ModelRecord> | null;
  if (rec === null || typeof rec !== 'object' || rec.format !== MODEL_FORMAT) {
    throw new MiaError('E_MODEL', `model.json is not a ${MODEL_FORMAT} record`, { where: path });
  }
  if (typeof rec.version === 'number' && rec.version > MODEL_FORMAT_VERSION) {
    throw new MiaError('E_MODEL', `${NEWER_FORMAT}: upgrade mia-audit to read it`, {
      where: path,
      expected: `version ≤ ${MODEL_FORMAT_VERSION}`,
      found: String(rec.version),
    });
  }
  if (typeof rec.version !== 'number') {
    throw new MiaError('E_MODEL', 'model.json has an unsupported format version', {
      where: path,
      expected: `version ≤ ${MODEL_FORMAT_VERSION}`,
      found: String(rec.version),
    });
  }
  if (rec.spec === undefined || typeof rec.engine !== 'string') {
    throw new MiaError('E_MODEL', 'model.json lacks spec or engine', { where: path });
  }
  return rec as ModelRecord;
}

/** The saved training indices of the model in `dir`, or undefined when it has none. */
export function readTrainIndices(dir: string): Int32Array | undefined {
  const path = join(dir, 'train-indices.npy');
  if (!existsSync(path)) return undefined;
  return toInt32(readNpy(path), path);
}

/**
 * Loads the model saved in `dir` into `engine` (any engine: weights are named and laid out by the layer
 * graph, the same in every engine; record.engine says which one trained it). Throws E_MODEL when `dir`
 * holds no finished model or when weights are missing or mis-shaped.
 */
export async function loadModel(
  dir: string,
  engine: Engine,
): Promise<{ model: EngineModel; record: ModelRecord; indices: Int32Array | undefined }> {
  const record = readModelRecord(dir);
  const wpath = join(dir, 'weights.npz');
  if (!existsSync(wpath)) throw new MiaError('E_MODEL', 'weights.npz is missing', { where: dir });
  const arrays = readNpz(wpath);
  const weights: NamedWeight[] = [...arrays].map(([name, a]) => ({
    name,
    shape: [...a.shape],
    data: toFloat32(a, `${wpath}:${name}`),
  }));
  const model = await engine.build(record.spec);
  try {
    model.setWeights(weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, record, indices: readTrainIndices(dir) };
}

/**
 * Removes temp directories `.<name>.tmp-<pid>-<hex>` (and `-old` leftovers) in `parent` whose writer
 * process is no longer alive; returns the names removed. Directories of live processes are kept.
 */
export function removeStaleTemps(parent: string): string[] {
  if (!existsSync(parent)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    if (!name.startsWith('.') || !isTempFile(name)) continue;
    const pid = Number(/\.tmp-(\d+)-[0-9a-f]{16}$/.exec(name)?.[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    if (pid === process.pid) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
