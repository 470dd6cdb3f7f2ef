/**
 * The reference-model world that LiRA, RMIA and the reference baselines read (DESIGN.md, `Population`):
 * N audit samples, M models, which model trained on which sample (`keep`), and each model's membership
 * signal on each sample (typically the scaled logit φ of the true class, LiRA's signal), optionally with
 * A queries per sample (augmentations). Optionally also the same M models' signals on Z population
 * samples that no model trained on (RMIA's z, Attack-P's population).
 *
 * Layout (row-major, shapes beside the data):
 *   keep      Uint8Array  [M, N]      keep[m·N + i] = 1 when model m trained on sample i, else 0
 *   signal    Float32/64  [M, N, A]   signal[(m·N + i)·A + a]
 *   popSignal Float32/64  [M, Z, Ap]  popSignal[(m·Z + z)·Ap + q]
 *
 * "Leave one model out as target" is a view: {@link leaveOneOut} returns subarrays of the target's rows
 * and a {@link ReferenceView} that skips the target row by index arithmetic — nothing is copied.
 */
import { MiaError } from '../errors.js';

/** A float signal array (float32 as read from most .npz files, or float64). */
export type FloatArray = Float32Array | Float64Array;

export interface Population {
  /** M: number of models (rows of keep / signal). */
  readonly models: number;
  /** N: number of audit samples. */
  readonly samples: number;
  /** A ≥ 1: queries (augmentations) per sample. */
  readonly queries: number;
  /** [M, N], 0/1. */
  readonly keep: Uint8Array;
  /** [M, N, A]. */
  readonly signal: FloatArray;
  /** Z: population samples (0 when there is no population signal). */
  readonly popSamples: number;
  /** Ap ≥ 1: queries per population sample (1 when there is no population signal). */
  readonly popQueries: number;
  /** [M, Z, Ap], present when popSamples > 0. */
  readonly popSignal: FloatArray | undefined;
}

export interface PopulationFields {
  models: number;
  samples: number;
  /** Defaults to 1. */
  queries?: number;
  keep: Uint8Array;
  signal: FloatArray;
  popSamples?: number;
  popQueries?: number;
  popSignal?: FloatArray;
}

/**
 * Validates and wraps the arrays (no copy). `where` names the source in errors (a file, or the caller).
 * Checks, each a MiaError naming the field: M, N, A, Z, Ap non-negative integers (M, N, A, Ap ≥ 1;
 * E_ARGUMENT);
 * keep.length = M·N with values 0/1 (E_SHAPE_MISMATCH / E_VALUE); signal.length = M·N·A; popSignal
 * given exactly when popSamples > 0, with length M·Z·Ap; every signal value finite (E_NOT_FINITE, naming
 * [m, i, a]).
 */
export function makePopulation(fields: PopulationFields, where = 'population'): Population {
  const { models, samples, keep, signal } = fields;
  const queries = fields.queries ?? 1;
  const popSamples = fields.popSamples ?? (fields.popSignal === undefined ? 0 : -1);
  const popQueries = fields.popQueries ?? 1;
  positiveInt(models, 'models (M)', where);
  positiveInt(samples, 'samples (N)', where);
  positiveInt(queries, 'queries (A)', where);
  positiveInt(popQueries, 'popQueries (Ap)', where);
  checkLength(keep.length, models * samples, 'keep', `[${models}, ${samples}]`, where);
  for (let k = 0; k < keep.length; k++) {
    const v = keep[k]!;
    if (v > 1) {
      throw new MiaError(
        'E_VALUE',
        `keep must hold 0/1; entry [${Math.floor(k / samples)}, ${k % samples}] is ${v}`,
        {
          where: `${where}:keep`,
        },
      );
    }
  }
  checkLength(
    signal.length,
    models * samples * queries,
    'signal',
    `[${models}, ${samples}, ${queries}]`,
    where,
  );
  checkFinite(signal, samples, queries, 'signal', where);
  let popSignal: FloatArray | undefined;
  let z = 0;
  if (fields.popSignal !== undefined) {
    if (popSamples === -1) {
      throw new MiaError('E_MISSING_FIELD', 'popSamples (Z) is required with popSignal', { where });
    }
    positiveInt(popSamples, 'popSamples (Z)', where);
    z = popSamples;
    checkLength(
      fields.popSignal.length,
      models * z * popQueries,
      'popSignal',
      `[${models}, ${z}, ${popQueries}]`,
      where,
    );
    checkFinite(fields.popSignal, z, popQueries, 'popSignal', where);
    popSignal = fields.popSignal;
  } else if (popSamples > 0) {
    throw new MiaError('E_MISSING_FIELD', `popSamples is ${popSamples} but popSignal is missing`, { where });
  }
  return {
    models,
    samples,
    queries,
    keep,
    signal,
    popSamples: z,
    popQueries: popSignal === undefined ? 1 : popQueries,
    popSignal,
  };
}

/**
 * The reference models of a population: the rows `rows` (ascending, no repeats) of the shared arrays.
 * Attack code iterates `for (const m of view.rows)`; excluding a target is index arithmetic, not a copy.
 */
export interface ReferenceView {
  readonly pop: Population;
  readonly rows: Int32Array;
}

/** Every model of `pop` is a reference (the target's signals are held elsewhere, as in reference.npz). */
export function allReferences(pop: Population): ReferenceView {
  const rows = new Int32Array(pop.models);
  for (let m = 0; m < pop.models; m++) rows[m] = m;
  return { pop, rows };
}

/** The view without model row `row` (unchanged when `row` is not in it). */
export function withoutRow(view: ReferenceView, row: number): ReferenceView {
  return { pop: view.pop, rows: view.rows.filter((m) => m !== row) };
}

/** Number of reference models in the view. */
export function referenceCount(view: ReferenceView): number {
  return view.rows.length;
}

/** One model as target, the others as references — views into the population's arrays. */
export interface LeaveOneOut {
  /** Index of the target row in the population. */
  readonly targetIndex: number;
  /** The target's signal on the audit samples, [N, A] (a subarray of pop.signal). */
  readonly target: FloatArray;
  /** The target's keep row, [N]: the ground truth membership (a subarray of pop.keep). */
  readonly targetMember: Uint8Array;
  /** The target's signal on the population samples, [Z, Ap] (a subarray), when the population has one. */
  readonly targetPop: FloatArray | undefined;
  /** The other M − 1 models. */
  readonly references: ReferenceView;
}

/**
 * Model `targetIndex` as target, every other model as a reference: subarrays of the target's rows and
 * the list of the other rows; the signal arrays are not copied. Throws E_ARGUMENT when the index is not an
 * integer in [0, M) or M < 2.
 */
export function leaveOneOut(pop: Population, targetIndex: number): LeaveOneOut {
  if (!Number.isInteger(targetIndex) || targetIndex < 0 || targetIndex >= pop.models) {
    throw new MiaError('E_ARGUMENT', 'target model index out of range', {
      where: 'target index',
      expected: `an integer in [0, ${pop.models})`,
      found: String(targetIndex),
    });
  }
  if (pop.models < 2) {
    throw new MiaError('E_ARGUMENT', 'leaving one model out needs at least 2 models', {
      where: 'population',
      found: `${pop.models} model`,
    });
  }
  const rowLen = pop.samples * pop.queries;
  const popLen = pop.popSamples * pop.popQueries;
  return {
    targetIndex,
    target: pop.signal.subarray(targetIndex * rowLen, (targetIndex + 1) * rowLen),
    targetMember: pop.keep.subarray(targetIndex * pop.samples, (targetIndex + 1) * pop.samples),
    targetPop: pop.popSignal?.subarray(targetIndex * popLen, (targetIndex + 1) * popLen),
    references: withoutRow(allReferences(pop), targetIndex),
  };
}

/**
 * Checks that a target signal array fits the population: length N·A (E_SHAPE_MISMATCH naming `field`).
 */
export function checkTargetSignal(pop: Population, target: FloatArray, field = 'target'): void {
  checkLength(target.length, pop.samples * pop.queries, field, `[${pop.samples}, ${pop.queries}]`, 'target');
}

/** Mean over the A queries of row-major [n, A] values → Float64Array [n] (A = 1: a float64 copy). */
export function meanOverQueries(values: FloatArray, n: number, queries: number): Float64Array {
  const out = new Float64Array(n);
  if (queries === 1) {
    for (let i = 0; i < n; i++) out[i] = values[i]!;
    return out;
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * queries;
    for (let a = 0; a < queries; a++) s += values[o + a]!;
    out[i] = s / queries;
  }
  return out;
}

function positiveInt(v: number, name: string, where: string): void {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new MiaError('E_ARGUMENT', `${name} must be a positive integer`, { where, found: String(v) });
  }
}

function checkLength(found: number, expected: number, field: string, shape: string, where: string): void {
  if (found !== expected) {
    throw new MiaError('E_SHAPE_MISMATCH', `${field} has ${found} elements`, {
      where: `${where}:${field}`,
      expected: `shape ${shape} = ${expected} elements`,
      found: `${found}`,
    });
  }
}

function checkFinite(a: FloatArray, n: number, queries: number, field: string, where: string): void {
  for (let k = 0; k < a.length; k++) {
    const v = a[k]!;
    if (v - v !== 0) {
      const row = Math.floor(k / (n * queries));
      const rest = k - row * n * queries;
      throw new MiaError(
        'E_NOT_FINITE',
        `${field}[${row}, ${Math.floor(rest / queries)}, ${rest % queries}] is ${v}`,
        {
          where: `${where}:${field}`,
          expected: 'finite numbers',
        },
      );
    }
  }
}

/** Throws E_SHAPE_MISMATCH naming `field` when the signal `a` does not hold `expected` values (`shape` in words). */
export function checkSignalLength(a: FloatArray, expected: number, field: string, shape: string): void {
  if (a.length !== expected) {
    throw new MiaError('E_SHAPE_MISMATCH', `${field} signal does not match the reference signals`, {
      where: field,
      expected: `${shape} = ${expected} values`,
      found: `${a.length} values`,
    });
  }
}
