/**
 * Bring-your-own reference models: signals computed elsewhere (e.g. with the LiRA reference code in JAX
 * or PyTorch) read into a {@link Population} and a target.
 *
 * 1. reference.npz, with the LiRA code's names (M reference models, N audit samples, A queries, Z
 *    population samples):
 *      keep               bool  [M, N]            reference model m trained on audit sample i
 *      scores             float [M, N] | [M, N, A] each reference model's scaled logit φ per sample
 *      target_scores      float [N] | [N, A]       the target model's φ (same A as scores)
 *      target_member      bool  [N]   optional     the truth, for the metrics
 *      pop_scores         float [M, Z] | [M, Z, Ap] optional (RMIA, attack-p): the reference models on
 *      pop_target_scores  float [Z] | [Z, Ap]      population samples no model trained on; both or neither
 *    Integer 0/1 arrays are accepted for the bool keys. Any other key is an error (a misspelt key must
 *    not be ignored).
 *
 * 2. A LiRA experiment folder (tensorflow/privacy research/mi_lira_2021: train.py writes
 *    `<dir>/<model>/keep.npy`, inference.py `<model>/logits/<epoch>.npy`, score.py turns those into
 *    `<model>/scores/<epoch>.npy` of shape [N, A]). Every sub-folder of `<dir>` that holds a keep.npy is a
 *    model; models are ordered by folder name (natural order: experiment-2 before experiment-10); each
 *    model's scores are its LAST scores/*.npy in name order (the last epoch, as plot.py's load_data takes
 *    it); keep.npy ([dataset_size] bool) is cut to the N scored samples as plot.py does. The target is
 *    the model at `targetIndex` (default 0) in that order; the others are its references and its keep
 *    row is the truth. Such folders have no population samples (no RMIA or attack-p).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MiaError } from '../errors.js';
import { isTempFile } from '../io/atomic.js';
import { type NpyArray, readNpy, toBool, toFloat64 } from '../io/npy.js';
import { readNpz } from '../io/npz.js';
import {
  allReferences,
  type FloatArray,
  leaveOneOut,
  makePopulation,
  type Population,
  type ReferenceView,
} from './population.js';

/** Reference signals and a target, ready for the attacks. */
export interface ReferenceData {
  /** The file or folder read (for messages). */
  source: string;
  /** The models' signals: the M references (.npz) or all models, target included (folder). */
  population: Population;
  /** The reference models (all rows for .npz; every row but the target's for a folder). */
  references: ReferenceView;
  /** The target's signal [N, A]. */
  target: FloatArray;
  /** The target's signal on the population [Z, Ap], when given. */
  targetPop: FloatArray | undefined;
  /** The truth [N] (target_member, or the target's keep row), when known. */
  targetMember: Uint8Array | undefined;
  /** Folder input: the models' folder names in population row order, and the target's row. */
  modelNames?: string[];
  targetIndex?: number;
}

export const REFERENCE_NPZ_KEYS = [
  'keep',
  'scores',
  'target_scores',
  'target_member',
  'pop_scores',
  'pop_target_scores',
] as const;

/** Reads reference.npz (see the file header). Errors name `${path}:${key}` with expected vs found shape. */
export function readReferenceNpz(path: string): ReferenceData {
  return referenceDataFromArrays(readNpz(path), path);
}

/**
 * Builds ReferenceData from reference.npz arrays (see the file header). `where` names the file in
 * errors. Throws MiaError: E_UNKNOWN_NAME for an unknown key, E_MISSING_FIELD for a missing required key (or
 * one of pop_scores / pop_target_scores without the other), E_SHAPE_MISMATCH for a key whose shape
 * disagrees (message names the key, `expected` the shape implied by the other keys, `found` its shape;
 * target_scores sets N, scores M, keep is checked against both, and of three arrays two of which agree
 * the odd one is named),
 * E_NPY_DTYPE for bool keys holding values other than 0/1, E_NOT_FINITE for NaN/Inf signals.
 */
export function referenceDataFromArrays(arrays: ReadonlyMap<string, NpyArray>, where: string): ReferenceData {
  for (const key of arrays.keys()) {
    if (!(REFERENCE_NPZ_KEYS as readonly string[]).includes(key)) {
      throw new MiaError('E_UNKNOWN_NAME', `unknown array '${key}'`, {
        where: `${where}:${key}`,
        expected: `keys ${REFERENCE_NPZ_KEYS.join(', ')}`,
      });
    }
  }
  const need = (key: string): NpyArray => {
    const a = arrays.get(key);
    if (a === undefined) {
      throw new MiaError('E_MISSING_FIELD', `array '${key}' is missing`, {
        where: `${where}:${key}`,
        expected: `keys ${REFERENCE_NPZ_KEYS.slice(0, 3).join(', ')} (required)`,
        found: `keys ${[...arrays.keys()].join(', ') || '(none)'}`,
      });
    }
    return a;
  };
  const keepArr = need('keep');
  const scoresArr = need('scores');
  const targetArr = need('target_scores');
  // target_scores [N(, A)] sets N (and A); scores [M, N(, A)] sets M; keep must then be [M, N]. When
  // two of the three arrays agree, the third is the one blamed.
  const ts = targetArr.shape;
  const s = scoresArr.shape;
  const ks = keepArr.shape;
  if (!((ts.length === 1 || ts.length === 2) && ts[0]! >= 1 && (ts[1] ?? 1) >= 1)) {
    shapeError(where, 'target_scores', '[N] or [N, A] (N ≥ 1 audit samples)', ts);
  }
  if (!((s.length === 2 || s.length === 3) && s[0]! >= 1 && s[1]! >= 1 && (s[2] ?? 1) >= 1)) {
    shapeError(where, 'scores', `[M, ${ts[0]}] or [M, ${ts[0]}, A] (N from target_scores)`, s);
  }
  if (s[1] !== ts[0]) {
    // scores [N, M] (its first dimension is target_scores' N, and more than its second: there are
    // fewer models than samples) looks transposed, even when keep is transposed alike; otherwise scores
    // and keep agreeing on [M, N] blame target_scores.
    const transposed = s[0] === ts[0] && s[0]! > s[1]!;
    const keepAgrees = ks.length === 2 && ks[0] === s[0] && ks[1] === s[1];
    if (keepAgrees && !transposed) {
      shapeError(
        where,
        'target_scores',
        `[${s[1]}]${s.length === 3 ? ` or [${s[1]}, ${s[2]}]` : ''} (N = ${s[1]} from scores and keep)`,
        ts,
      );
    }
    // M from keep when keep agrees with target_scores on N.
    const mm = ks.length === 2 && ks[1] === ts[0] ? String(ks[0]) : 'M';
    shapeError(
      where,
      'scores',
      `[${mm}, ${ts[0]}] or [${mm}, ${ts[0]}, A] (N = ${ts[0]} samples from target_scores` +
        `${mm === 'M' ? '' : `, M = ${mm} models from keep`})`,
      s,
      transposed ? 'it looks transposed: scores is [models, samples]' : undefined,
    );
  }
  const [m, n] = s as [number, number];
  const a = s[2] ?? 1;
  if (!matchesRow(ts, n, a, s.length === 3)) {
    shapeError(where, 'target_scores', s.length === 3 ? `[${n}, ${a}] (A from scores)` : `[${n}]`, ts);
  }
  if (!(ks.length === 2 && ks[0] === m && ks[1] === n)) {
    shapeError(
      where,
      'keep',
      `[${m}, ${n}] (M = ${m} models from scores, N = ${n} samples from target_scores)`,
      ks,
      ks.length === 2 && ks[0] === n && ks[1] === m
        ? 'it looks transposed: keep is [models, samples]'
        : undefined,
    );
  }
  let targetMember: Uint8Array | undefined;
  const tm = arrays.get('target_member');
  if (tm !== undefined) {
    if (!(tm.shape.length === 1 && tm.shape[0] === n))
      shapeError(where, 'target_member', `[${n}] (N from target_scores)`, tm.shape);
    targetMember = toBool(tm, `${where}:target_member`);
  }
  const popArr = arrays.get('pop_scores');
  const popTargetArr = arrays.get('pop_target_scores');
  if ((popArr === undefined) !== (popTargetArr === undefined)) {
    const missing = popArr === undefined ? 'pop_scores' : 'pop_target_scores';
    throw new MiaError(
      'E_MISSING_FIELD',
      `pop_scores and pop_target_scores go together; ${missing} is missing`,
      {
        where: `${where}:${missing}`,
      },
    );
  }
  let z = 0;
  let ap = 1;
  if (popArr !== undefined && popTargetArr !== undefined) {
    const ps = popArr.shape;
    if (!((ps.length === 2 || ps.length === 3) && ps[0] === m && (ps[1] ?? 0) >= 1 && (ps[2] ?? 1) >= 1)) {
      shapeError(where, 'pop_scores', `[${m}, Z] or [${m}, Z, A] (M from scores)`, ps);
    }
    z = ps[1]!;
    ap = ps[2] ?? 1;
    if (!matchesRow(popTargetArr.shape, z, ap, ps.length === 3)) {
      shapeError(
        where,
        'pop_target_scores',
        ps.length === 3 ? `[${z}, ${ap}]` : `[${z}] (Z from pop_scores)`,
        popTargetArr.shape,
      );
    }
  }
  const keep = toBool(keepArr, `${where}:keep`);
  const signal = floats(scoresArr, `${where}:scores`);
  checkFiniteArray(signal, `${where}:scores`);
  let popFields = {};
  if (popArr !== undefined) {
    const popSignal = floats(popArr, `${where}:pop_scores`);
    checkFiniteArray(popSignal, `${where}:pop_scores`);
    popFields = { popSamples: z, popQueries: ap, popSignal };
  }
  const population = makePopulation({ models: m, samples: n, queries: a, keep, signal, ...popFields }, where);
  const target = floats(targetArr, `${where}:target_scores`);
  checkFiniteArray(target, `${where}:target_scores`);
  let targetPop: FloatArray | undefined;
  if (popTargetArr !== undefined) {
    targetPop = floats(popTargetArr, `${where}:pop_target_scores`);
    checkFiniteArray(targetPop, `${where}:pop_target_scores`);
  }
  return {
    source: where,
    population,
    references: allReferences(population),
    target,
    targetPop,
    targetMember,
  };
}

/**
 * Reads a LiRA experiment folder (see the file header) with model `targetIndex` (default 0, in natural
 * folder-name order) as the target. Throws MiaError E_IO when `dir` cannot be listed, E_MISSING_FIELD
 * when it holds no model folder or a model has no scores/*.npy, E_SHAPE_MISMATCH (naming the file) when
 * models disagree on N or A or a keep.npy is shorter than N, E_ARGUMENT for a target index out of range.
 */
export function readLiraExperiment(dir: string, options: { targetIndex?: number } = {}): ReferenceData {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new MiaError('E_IO', `cannot list folder: ${(e as { code?: string }).code ?? String(e)}`, {
      where: dir,
    });
  }
  const models = entries.filter((name) => isDir(join(dir, name)) && isFile(join(dir, name, 'keep.npy')));
  models.sort(naturalCompare);
  if (models.length === 0) {
    throw new MiaError('E_MISSING_FIELD', 'no model folder with a keep.npy', {
      where: dir,
      expected: '<dir>/<model>/keep.npy and <dir>/<model>/scores/*.npy for each model (LiRA layout)',
    });
  }
  const targetIndex = options.targetIndex ?? 0;
  if (!Number.isInteger(targetIndex) || targetIndex < 0 || targetIndex >= models.length) {
    throw new MiaError('E_ARGUMENT', 'target model index out of range', {
      where: dir,
      expected: `an integer in [0, ${models.length}) (${models.length} model folders)`,
      found: String(targetIndex),
    });
  }
  let n = -1;
  let a = -1;
  let firstScores = '';
  const rows: { keep: Uint8Array; scores: FloatArray }[] = [];
  for (const name of models) {
    const scoresDir = join(dir, name, 'scores');
    const files = isDir(scoresDir)
      ? readdirSync(scoresDir)
          .filter((f) => f.endsWith('.npy') && !isTempFile(f))
          .sort()
      : [];
    const last = files[files.length - 1];
    if (last === undefined) {
      throw new MiaError('E_MISSING_FIELD', `model '${name}' has no scores (run the LiRA score.py step)`, {
        where: scoresDir,
        expected: 'scores/<epoch>.npy of shape [N, A]',
      });
    }
    const scoresPath = join(scoresDir, last);
    const arr = readNpy(scoresPath);
    const sh = arr.shape;
    if (!(sh.length === 1 || sh.length === 2) || sh[0] === 0 || (sh[1] ?? 1) === 0) {
      shapeError(scoresPath, 'scores', '[N] or [N, A]', sh);
    }
    if (n === -1) {
      n = sh[0]!;
      a = sh[1] ?? 1;
      firstScores = scoresPath;
    } else if (sh[0] !== n || (sh[1] ?? 1) !== a) {
      throw new MiaError('E_SHAPE_MISMATCH', `scores shape differs from ${firstScores}`, {
        where: scoresPath,
        expected: `[${n}, ${a}]`,
        found: `[${sh.join(', ')}]`,
      });
    }
    const keepPath = join(dir, name, 'keep.npy');
    const keepArr = readNpy(keepPath);
    if (keepArr.shape.length !== 1 || keepArr.shape[0]! < n) {
      shapeError(
        keepPath,
        'keep',
        `[dataset_size] with dataset_size ≥ ${n} (N from the scores)`,
        keepArr.shape,
      );
    }
    rows.push({ keep: toBool(keepArr, keepPath).subarray(0, n), scores: floats(arr, scoresPath) });
  }
  const m = rows.length;
  const anyDouble = rows.some((r) => r.scores instanceof Float64Array);
  const signal = anyDouble ? new Float64Array(m * n * a) : new Float32Array(m * n * a);
  const keep = new Uint8Array(m * n);
  rows.forEach((r, i) => {
    signal.set(r.scores, i * n * a);
    keep.set(r.keep, i * n);
  });
  const population = makePopulation({ models: m, samples: n, queries: a, keep, signal }, dir);
  if (m < 2) {
    throw new MiaError('E_EMPTY', 'a LiRA folder needs the target and at least one reference model', {
      where: dir,
      found: `${m} model folder`,
    });
  }
  const loo = leaveOneOut(population, targetIndex);
  return {
    source: dir,
    population,
    references: loo.references,
    target: loo.target,
    targetPop: undefined,
    targetMember: loo.targetMember,
    modelNames: models,
    targetIndex,
  };
}

/** A folder → {@link readLiraExperiment}; anything else → {@link readReferenceNpz}. */
export function readReference(path: string, options: { targetIndex?: number } = {}): ReferenceData {
  if (isDir(path)) return readLiraExperiment(path, options);
  if (options.targetIndex !== undefined) {
    throw new MiaError('E_USAGE', 'a target index applies to LiRA experiment folders only', {
      where: path,
      expected: 'a folder with <model>/keep.npy and <model>/scores/*.npy',
      found: 'a file',
    });
  }
  return readReferenceNpz(path);
}

/** Natural order: digit runs compare as numbers ("experiment-2" < "experiment-10"), the rest by code unit. */
export function naturalCompare(x: string, y: string): number {
  const re = /(\d+)|(\D+)/g;
  const px = x.match(re) ?? [];
  const py = y.match(re) ?? [];
  for (let i = 0; i < Math.min(px.length, py.length); i++) {
    const a = px[i]!;
    const b = py[i]!;
    if (a === b) continue;
    const da = /^\d/.test(a);
    const db = /^\d/.test(b);
    if (da && db) {
      const d = Number(a) - Number(b);
      if (d !== 0) return d;
      return a.length - b.length;
    }
    return a < b ? -1 : 1;
  }
  return px.length - py.length || (x < y ? -1 : x > y ? 1 : 0);
}

function matchesRow(shape: readonly number[], n: number, a: number, threeD: boolean): boolean {
  if (shape.length === 1) return shape[0] === n && a === 1;
  if (shape.length === 2) return shape[0] === n && shape[1] === a && (threeD || a === 1);
  return false;
}

function floats(arr: NpyArray, where: string): FloatArray {
  const d = arr.data;
  if (d instanceof Float32Array || d instanceof Float64Array) return d;
  return toFloat64(arr, where);
}

function checkFiniteArray(a: FloatArray, where: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) {
      throw new MiaError('E_NOT_FINITE', `value at flat index ${i} is ${v}`, {
        where,
        expected: 'finite numbers',
      });
    }
  }
}

function shapeError(
  where: string,
  key: string,
  expected: string,
  found: readonly number[],
  hint?: string,
): never {
  const message = `array '${key}' has the wrong shape${hint !== undefined ? ` (${hint})` : ''}`;
  throw new MiaError('E_SHAPE_MISMATCH', message, {
    where: where.endsWith('.npy') ? where : `${where}:${key}`,
    expected,
    found: `[${found.join(', ')}]`,
  });
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
