/**
 * The model stage of the audit: for each model of the population (target and references), train it or
 * load it (src/models/cache.ts `trainOrLoad`, keyed by architecture, optimiser, epochs, batch size, seed,
 * dataset and the exact training rows) and record its logits on the audit samples and the population
 * samples in signals/<id>.npz. A signal file carries the key it was computed for (model hash, data hash,
 * augmentations); a rerun whose key matches skips the model entirely (not even loading it). A signal
 * file that cannot be read (truncated, not a zip, arrays missing) is reported in one progress line and
 * computed again (the model then loads from its cache, or is trained again when that is damaged too).
 *
 * signals/<id>.npz (float32 unless said):
 *   logits            [A, N, C]  the model's logits on the N audit samples, one block per query
 *   pop_logits        [A, Z, C]  the same on the Z population samples (absent when Z = 0)
 *   scaled_logit      [N, A]     φ = z_y − logsumexp_{k≠y} z_k per sample and query (LiRA's signal)
 *   pop_scaled_logit  [Z, A]
 *   labels, pop_labels  int32 [N], [Z]  the samples' labels
 *   key               uint8 [64] the hex SHA-256 key the file was computed for
 *
 * With ctx.labelQueries (audit.attacks lists label-augment, label-noise or label-boundary) the loaded
 * model also answers the perturbed label queries, kept in signals/<id>-labels.npz with their own key
 * (label-query-file.ts); signals reused without a matching label file load the model to query it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { canonicalJson } from '../core/canonical-json.js';
import { formatDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import type { Dataset } from '../data/dataset.js';
import { gatherRows } from '../data/samples.js';
import { MiaError } from '../errors.js';
import { npyArray } from '../io/npy.js';
import { toFloat32 } from '../io/npy-cast.js';
import { readNpz, writeNpz } from '../io/npz.js';
import { unreadableReason } from '../io/unreadable.js';
import { requestHash, type TrainRequest } from '../models/cache.js';
import type { Engine } from '../models/engine.js';
import { readModelRecord } from '../models/store.js';
import type { EpochRecord, Samples } from '../models/train.js';
import { type Augmentation, applyAugmentation, augmentationName } from '../signals/augment.js';
import type { LabelQueryPlan, LabelQueryResults } from '../signals/label-queries.js';
import { makeModelOutputs } from '../signals/model-outputs.js';
import { computeSignal } from '../signals/signals.js';
import type { TrainingConfig } from './config.js';
import {
  labelQueriesKey,
  labelQueriesPath,
  labelQueryLine,
  queryLabels,
  readLabelQueries,
  writeLabelQueries,
} from './label-query-file.js';
import type { PrivacyPoint } from './privacy-collection.js';
import { recordRunDir, recordRunFiles, runFileStatus } from './run-manifest.js';
import { type RunPaths, signalsPath } from './run-paths.js';
import { type PrivacyTracking, privacyKey, readPrivacyFile, trainTracked } from './tracked-training.js';

/** The samples of an audit: N audit samples (models train on halves), Z population samples. */
export interface AuditData {
  /** The N audit samples (rows of the dataset's training split, after the loader's subset). */
  audit: Dataset;
  /** The Z population samples (from the test split), or undefined when Z = 0. */
  population: Dataset | undefined;
  /** Validation samples for the training history (the first population samples), if any. */
  validation: Samples | undefined;
  /** The dataset as asked for (name and the loader options that determine the rows), hashed with each model. */
  dataset: { name: string; options: Record<string, unknown> };
  /** Hex SHA-256 of the audit and population samples (x and y bytes). */
  dataKey: string;
}

/** One model of the population. */
export interface ModelPlan {
  /** Row in the keep matrix (0 = the target). */
  index: number;
  /** "target", "ref-01", … */
  id: string;
  /** "target (small_cnn)", "reference 1 (small_cnn)". */
  label: string;
  role: 'target' | 'reference';
  training: TrainingConfig;
  seed: number;
  /** Audit-sample rows the model trains on (ascending). */
  rows: Int32Array;
  /** Attacks run during training (audit.privacy_every_epochs), for the models acting as targets. */
  privacy?: PrivacyTracking;
}

/** What the stage produces per model. */
export interface ModelSignals {
  plan: ModelPlan;
  /** The model's request hash (its directory is models/<id>/<hash>/). */
  hash: string;
  /** [A, N, C] logits on the audit samples. */
  logits: Float32Array;
  /** [A, Z, C] logits on the population samples (empty when Z = 0). */
  popLogits: Float32Array;
  history: EpochRecord[];
  /** The backend that trained the model, when known. */
  backend: string | undefined;
  modelReused: boolean;
  signalsReused: boolean;
  /** Seconds spent training (0 when reused). */
  trainSeconds: number;
  /** Privacy metrics measured during training (empty unless plan.privacy). */
  privacyPoints: PrivacyPoint[];
  /** The labels on the perturbed queries of the query-based label-only attacks (ctx.labelQueries). */
  labelQueries?: LabelQueryResults;
}

export interface ModelStageContext {
  paths: RunPaths;
  data: AuditData;
  augmentations: readonly Augmentation[];
  /** Creates (once) the engine; only called when a model must be trained or loaded. */
  engine: () => Promise<Engine>;
  logger: Logger;
  /** Progress prefix, e.g. "[2/4]". */
  counter: string;
  /** The perturbed label queries to make (label-augment, label-noise, label-boundary); none when absent. */
  labelQueries?: LabelQueryPlan | undefined;
}

/** Hex SHA-256 of the samples' x and y bytes, in order. */
export function hashSamples(...sets: (Dataset | undefined)[]): string {
  const h = createHash('sha256');
  for (const d of sets) {
    if (d === undefined) {
      h.update('none');
      continue;
    }
    h.update(`${d.n}:${d.shape.join('x')}:${d.numClasses};`);
    h.update(new Uint8Array(d.x.buffer, d.x.byteOffset, d.x.byteLength));
    h.update(new Uint8Array(d.y.buffer, d.y.byteOffset, d.y.byteLength));
  }
  return h.digest('hex');
}

/** The training request of a model (what trainOrLoad hashes). */
export function trainRequestOf(plan: ModelPlan, data: AuditData): TrainRequest {
  const rows = plan.rows;
  const d = data.audit;
  const { x, y } = gatherRows(d, rows);
  const req: TrainRequest = {
    arch: plan.training.architecture,
    inputShape: [...d.shape],
    numClasses: d.numClasses,
    optimizer: plan.training.optimizer,
    epochs: plan.training.epochs,
    batchSize: plan.training.batchSize,
    ...(plan.training.augment !== undefined ? { augment: plan.training.augment } : {}),
    seed: plan.seed,
    dataset: data.dataset,
    indices: rows,
    train: { x, y, n: rows.length },
  };
  if (data.validation !== undefined) req.validation = data.validation;
  if (plan.training.dp !== undefined) req.dp = plan.training.dp;
  return req;
}

/** The key a model's signal file must carry to be reused. */
export function signalsKey(
  modelHash: string,
  dataKey: string,
  augmentations: readonly Augmentation[],
): string {
  return createHash('sha256')
    .update(
      canonicalJson({ v: 1, model: modelHash, data: dataKey, queries: augmentations.map(augmentationName) }),
    )
    .digest('hex');
}

/** What {@link readSignals} found. */
type SignalsFile =
  | { status: 'reused'; logits: Float32Array; popLogits: Float32Array }
  /** No file, or one computed for another key (another model, data or queries): computed silently. */
  | { status: 'missing' | 'stale' }
  /** A file that cannot be read or holds the wrong arrays: computed again with a notice. */
  | { status: 'unreadable'; reason: string };

/** Reads signals/<id>.npz: reused when it carries `key` and the expected arrays (see {@link SignalsFile}). */
function readSignals(
  path: string,
  key: string,
  expect: { a: number; n: number; z: number; c: number },
): SignalsFile {
  if (!existsSync(path)) return { status: 'missing' };
  let arrays: Map<string, ReturnType<typeof npyArray>>;
  try {
    arrays = readNpz(path);
  } catch (e) {
    return { status: 'unreadable', reason: unreadableReason(e) };
  }
  const k = arrays.get('key');
  if (k === undefined || k.dtype !== 'uint8') return { status: 'unreadable', reason: 'no key array' };
  if (new TextDecoder().decode(k.data as Uint8Array) !== key) return { status: 'stale' };
  const l = arrays.get('logits');
  if (l === undefined || l.data.length !== expect.a * expect.n * expect.c)
    return { status: 'unreadable', reason: 'logits missing or of the wrong size' };
  const p = arrays.get('pop_logits');
  const popLen = expect.a * expect.z * expect.c;
  if (popLen > 0 && (p === undefined || p.data.length !== popLen))
    return { status: 'unreadable', reason: 'pop_logits missing or of the wrong size' };
  try {
    return {
      status: 'reused',
      logits: toFloat32(l, `${path}:logits`),
      popLogits: p !== undefined && popLen > 0 ? toFloat32(p, `${path}:pop_logits`) : new Float32Array(0),
    };
  } catch (e) {
    return { status: 'unreadable', reason: unreadableReason(e) };
  }
}

/**
 * Whether the model directory `dir` may stand behind reused signals: absent (removed by the user: the
 * signals stay valid), or holding a model.json and a weights.npz that were verified against the
 * manifest this run or, unrecorded (an older run directory), that parse (and are then recorded).
 */
function modelIntact(dir: string, root: string): boolean {
  if (!existsSync(dir)) return true;
  const weights = join(dir, 'weights.npz');
  if (!existsSync(weights) || !existsSync(join(dir, 'model.json'))) return false;
  if (runFileStatus(root, weights) === 'verified') return true;
  try {
    readModelRecord(dir);
    readNpz(weights);
  } catch {
    return false;
  }
  recordRunDir(root, dir, false);
  return true;
}

/** Scaled logits [n, A] (row-major) from logits [A, n, C]. */
export function scaledLogits(
  logits: Float32Array,
  a: number,
  n: number,
  c: number,
  labels: Int32Array,
): Float32Array {
  const out = new Float32Array(n * a);
  for (let q = 0; q < a; q++) {
    const o = makeModelOutputs(
      { logits: logits.subarray(q * n * c, (q + 1) * n * c), labels, numClasses: c, n },
      'signals',
    );
    const s = computeSignal(o, 'scaled-logit');
    for (let i = 0; i < n; i++) out[i * a + q] = s[i]!;
  }
  return out;
}

async function predictQueries(
  model: { predict(x: Float32Array, n: number): Promise<Float32Array> },
  d: Dataset,
  augmentations: readonly Augmentation[],
): Promise<Float32Array> {
  const c = d.numClasses;
  const out = new Float32Array(augmentations.length * d.n * c);
  for (let q = 0; q < augmentations.length; q++) {
    const x = applyAugmentation(d.x, d.n, d.shape, augmentations[q]!);
    const logits = await model.predict(x, d.n);
    if (logits.length !== d.n * c) {
      throw new MiaError('E_SHAPE_MISMATCH', 'the model returned the wrong number of outputs', {
        where: 'audit signals',
        expected: `${d.n} × ${c}`,
        found: `${logits.length} values`,
      });
    }
    out.set(logits, q * d.n * c);
  }
  return out;
}

/**
 * Trains or loads one model and computes its signals, or reuses a finished signal file (see the file
 * header). Progress goes to ctx.logger. Errors of training and inference propagate.
 */
export async function runModelStage(plan: ModelPlan, ctx: ModelStageContext): Promise<ModelSignals> {
  const { data, paths, logger } = ctx;
  const request = trainRequestOf(plan, data);
  const hash = requestHash(request);
  const cacheDir = join(paths.models, plan.id);
  const modelDir = join(cacheDir, hash);
  const key = signalsKey(hash, data.dataKey, ctx.augmentations);
  const sigPath = signalsPath(paths, plan.id);
  const a = ctx.augmentations.length;
  const n = data.audit.n;
  const z = data.population?.n ?? 0;
  const c = data.audit.numClasses;
  const prefix = `${ctx.counter} ${plan.id}`;
  const lq = ctx.labelQueries;
  const lqPath = labelQueriesPath(paths, plan.id);
  const lqKey = lq !== undefined ? labelQueriesKey(hash, data.dataKey, lq) : '';
  let labelQueries = lq !== undefined ? readLabelQueries(lqPath, lqKey, lq, n) : undefined;
  const tracked =
    plan.privacy === undefined
      ? []
      : readPrivacyFile(plan.privacy.path, privacyKey(hash, plan.privacy.callback));
  const file = tracked === undefined ? undefined : readSignals(sigPath, key, { a, n, z, c });
  if (file?.status === 'unreadable') {
    logger.info(
      `${prefix}: ${relative(paths.root, sigPath)}: unreadable (${file.reason}); computing the signals again`,
    );
  }
  if (file?.status === 'reused' && !modelIntact(modelDir, paths.root)) {
    logger.info(
      `${prefix}: ${relative(paths.root, modelDir)}: damaged or incomplete; loading or training the model again`,
    );
  } else if (file?.status === 'reused' && lq !== undefined && labelQueries === undefined) {
    logger.info(`${prefix}: label queries missing or stale; loading the model to query it`);
  } else if (file?.status === 'reused') {
    if (runFileStatus(paths.root, sigPath) === 'unrecorded') recordRunFiles(paths.root, sigPath);
    if (labelQueries !== undefined && runFileStatus(paths.root, lqPath) === 'unrecorded')
      recordRunFiles(paths.root, lqPath);
    const found = { logits: file.logits, popLogits: file.popLogits };
    let history: EpochRecord[] = [];
    let backend: string | undefined;
    try {
      const rec = readModelRecord(modelDir);
      history = rec.history;
      backend = rec.backend;
    } catch {
      // the model directory was removed: its signals are still valid
    }
    logger.info(`${prefix}: finished earlier, signals reused (${sigPath})`);
    return {
      plan,
      hash,
      ...found,
      history,
      backend,
      modelReused: true,
      signalsReused: true,
      trainSeconds: 0,
      privacyPoints: tracked ?? [],
      ...(labelQueries !== undefined ? { labelQueries } : {}),
    };
  }
  const engine = await ctx.engine();
  const t = plan.training;
  const opt = t.optimizer;
  logger.info(
    `${prefix}: ${plan.label} on ${plan.rows.length} samples, ${t.epochs} epochs, batch ${t.batchSize}, ` +
      `${opt.name} lr ${opt.lr}, seed ${plan.seed}`,
  );
  const t0 = performance.now();
  const res = await trainTracked(request, cacheDir, {
    engine,
    logger,
    label: prefix,
    ...(plan.privacy !== undefined ? { tracking: plan.privacy } : {}),
  });
  const trainSeconds = res.cached ? 0 : (performance.now() - t0) / 1000;
  recordRunDir(paths.root, res.dir, !res.cached);
  if (plan.privacy !== undefined && existsSync(plan.privacy.path))
    recordRunFiles(paths.root, plan.privacy.path);
  try {
    if (!res.cached) logger.info(`${prefix}: trained in ${formatDuration(trainSeconds)}, saved ${res.dir}`);
    const logits = await predictQueries(res.model, data.audit, ctx.augmentations);
    const popLogits =
      data.population !== undefined
        ? await predictQueries(res.model, data.population, ctx.augmentations)
        : new Float32Array(0);
    const arrays: Record<string, ReturnType<typeof npyArray>> = {
      logits: npyArray(logits, [a, n, c], 'float32'),
      scaled_logit: npyArray(scaledLogits(logits, a, n, c, data.audit.y), [n, a], 'float32'),
      labels: npyArray(data.audit.y, [n], 'int32'),
    };
    if (data.population !== undefined) {
      arrays.pop_logits = npyArray(popLogits, [a, z, c], 'float32');
      arrays.pop_scaled_logit = npyArray(
        scaledLogits(popLogits, a, z, c, data.population.y),
        [z, a],
        'float32',
      );
      arrays.pop_labels = npyArray(data.population.y, [z], 'int32');
    }
    arrays.key = npyArray(new TextEncoder().encode(key), [key.length], 'uint8');
    writeNpz(sigPath, arrays);
    recordRunFiles(paths.root, sigPath);
    if (lq !== undefined && labelQueries === undefined) {
      labelQueries = await queryLabels(res.model, data.audit, lq);
      writeLabelQueries(lqPath, lqKey, labelQueries, n);
      recordRunFiles(paths.root, lqPath);
    }
    if (labelQueries !== undefined) logger.info(`${prefix}: ${labelQueryLine(labelQueries, n)}`);
    return {
      plan,
      hash,
      logits,
      popLogits,
      history: res.record.history,
      backend: res.record.backend,
      modelReused: res.cached,
      signalsReused: false,
      trainSeconds,
      privacyPoints: res.points,
      ...(labelQueries !== undefined ? { labelQueries } : {}),
    };
  } finally {
    res.model.dispose();
  }
}
