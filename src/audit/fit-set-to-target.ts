/**
 * `mia score`'s sets made to fit the target before any output is computed: the layout (NCHW images for
 * a model that takes NHWC are transposed) and the value scale (pixels in [0, 255] for a model trained on
 * x / 255 are divided by 255). A mismatch that cannot be resolved stops with one line: scores from
 * inputs on the wrong scale are silently wrong (TPR 0 % at every FPR), never a warning.
 *
 * The scale the target expects comes from its model.json (src/models/store.ts): the dataset's recorded
 * `normalize` option, else loadDataset's default for that dataset ('unit' for mnist, fashion-mnist,
 * cifar10 and synthetic images; 'none' for csv, npz and synthetic rows). ONNX and tfjs models record
 * none: their expected scale is unknown.
 */
import { MiaError } from '../errors.js';
import type { ModelRecord } from '../models/store.js';
import type { MembershipSet, SetNormalization } from './membership-sets.js';

/** The input scale a model was trained on: 'unit' = x / 255 in [0, 1], 'none' = as loaded, 'standard' = per-channel z-scores. */
export type TargetScale = 'unit' | 'none' | 'standard';

const UNIT_DATASETS = new Set(['mnist', 'fashion-mnist', 'cifar10']);

/** The scale the target expects (see the module header); undefined when its record does not say. */
export function targetScale(record: ModelRecord | undefined): TargetScale | undefined {
  const ds = record?.dataset;
  if (ds === undefined || ds === null) return undefined;
  const given = ds.options.normalize;
  if (given === 'unit' || given === 'none' || given === 'standard') return given;
  if (UNIT_DATASETS.has(ds.name)) return 'unit';
  if (ds.name === 'synthetic') return record!.spec.inputShape.length === 3 ? 'unit' : 'none';
  if (ds.name === 'csv' || ds.name === 'npz') return 'none';
  return undefined;
}

function range(x: Float32Array): { min: number; max: number; integers: boolean } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  return { min, max, integers };
}

/** Values rounding may push just past 1 in data already scaled to [0, 1]. */
const UNIT_SLACK = 1e-3;

/**
 * The set on the scale the target expects, and a line saying what was done (undefined: nothing).
 * Only with `mode` 'auto' (the default of --normalize); 'unit' and 'none' are the user's choice and are
 * kept. Throws E_VALUE naming `${set.path}:x` when the scale cannot be matched: values outside [0, 255]
 * for a model trained on [0, 1]; pixels in [0, 255] for a model trained on standardised inputs; float
 * images whose integer values reach above 1 for a model whose normalisation is not recorded.
 */
export function fitSetScale(
  set: MembershipSet,
  expected: TargetScale | undefined,
  mode: SetNormalization,
): { set: MembershipSet; note?: string } {
  if (mode !== 'auto') return { set };
  const where = `${set.path}:x`;
  const r = range(set.x);
  const fmt = `[${r.min}, ${r.max}]`;
  const fix = 'divide x by 255 before saving it, or pass --normalize unit (or none to use x as it is)';
  if (set.normalized === 'unit') {
    // uint8 x, divided by 255 on reading
    if (expected !== 'none') return { set };
    const x = Float32Array.from(set.x, (v) => Math.round(v * 255));
    return {
      set: { ...set, x, normalized: 'none' },
      note: `${set.path}: uint8 x used as it is (0–255): the target was trained on unnormalised inputs`,
    };
  }
  const pixels = r.min >= 0 && r.max > 1 + UNIT_SLACK && r.max <= 255;
  if (expected === 'unit') {
    if (r.min >= -UNIT_SLACK && r.max <= 1 + UNIT_SLACK) return { set };
    if (!pixels) {
      throw new MiaError(
        'E_VALUE',
        `x holds values in ${fmt}; the target was trained on inputs in [0, 1] (x / 255)`,
        {
          where,
          expected: 'x in [0, 1], or pixels in [0, 255] (uint8 or float)',
          found: fmt,
        },
      );
    }
    const x = Float32Array.from(set.x, (v) => v / 255);
    return {
      set: { ...set, x, normalized: 'unit' },
      note: `${set.path}: float x in ${fmt} divided by 255: the target was trained on inputs in [0, 1]`,
    };
  }
  if (expected === 'standard' && pixels && r.integers) {
    throw new MiaError(
      'E_VALUE',
      `x holds pixel values in ${fmt}, but the target was trained on standardised inputs ((x − mean) / std per channel)`,
      { where, expected: 'x standardised with the training set’s channel statistics', found: fmt },
    );
  }
  if (expected === undefined && set.shape.length === 3 && pixels && r.integers) {
    throw new MiaError(
      'E_VALUE',
      `x holds float images with integer values in ${fmt} (pixels?), and the target does not record the scale it was trained on; ${fix}`,
      { where, found: fmt },
    );
  }
  return { set };
}

/**
 * The set in the target's NHWC layout: x of per-sample shape [c, h, w] (NCHW) for a model that takes
 * [h, w, c] is transposed (with a line saying so); any other shape is returned as it is (the shape
 * checks then name it). `modelShape` undefined (ONNX models take either layout): unchanged.
 */
export function fitSetLayout(
  set: MembershipSet,
  modelShape: readonly number[] | undefined,
): { set: MembershipSet; note?: string } {
  if (modelShape === undefined || modelShape.length !== 3 || set.shape.length !== 3) return { set };
  const [h, w, c] = modelShape as [number, number, number];
  const [s0, s1, s2] = set.shape as [number, number, number];
  if ((s0 === h && s1 === w && s2 === c) || !(s0 === c && s1 === h && s2 === w)) return { set };
  const x = new Float32Array(set.x.length);
  const per = h * w * c;
  for (let n = 0; n < set.n; n++) {
    const o = n * per;
    for (let k = 0; k < c; k++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) x[o + (i * w + j) * c + k] = set.x[o + (k * h + i) * w + j]!;
  }
  return {
    set: { ...set, x, shape: [h, w, c] },
    note: `${set.path}: x is NCHW [${c}, ${h}, ${w}]; transposed to the target's NHWC [${h}, ${w}, ${c}]`,
  };
}
