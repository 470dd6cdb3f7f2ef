/**
 * The sample sets of the seed-004 workflow (`mia score`): a PUBLIC set whose membership in the target's
 * training set is known, and a PRIVATE set to score. Both are numpy .npz files:
 *
 *   public.npz    x       [n, …]  samples, uint8 or float (uint8 images are scaled to [0, 1] by
 *                                 normalize 'auto'; [n, h, w] gets a channel axis; `mia score` then
 *                                 fits layout and scale to the target: src/audit/fit-set-to-target.ts)
 *                 y       [n]     integer labels in [0, classes)
 *                 member  [n]     bool or 0/1: 1 when the sample is in the target's training set
 *   private.npz   x, y            as above
 *                 id      [n]     optional integer ids, all different (default 0..n−1), written to
 *                                 scores.csv
 *
 * e.g. `np.savez("public.npz", x=x, y=y, member=member)`.
 */
import { MiaError } from '../errors.js';
import type { NpyArray } from '../io/npy.js';
import { toBool, toFloat32, toInt32 } from '../io/npy-cast.js';
import { readNpz } from '../io/npz.js';

export type SetNormalization = 'auto' | 'unit' | 'none';

/** A labelled set read from .npz (see the file header). */
export interface MembershipSet {
  /** n × prod(shape) values, row-major. */
  x: Float32Array;
  y: Int32Array;
  n: number;
  /** Per-sample shape ([h, w, c] for images, [d] for rows). */
  shape: number[];
  /** 1 = member of the target's training set (public sets only). */
  member: Uint8Array | undefined;
  /** Sample ids (private sets: the `id` array or 0..n−1). */
  ids: string[];
  /** What normalisation was applied ('unit' = divided by 255). */
  normalized: 'unit' | 'none';
  path: string;
}

function need(arrays: Map<string, NpyArray>, key: string, path: string, what: string): NpyArray {
  const a = arrays.get(key);
  if (a === undefined) {
    throw new MiaError('E_MISSING_FIELD', `the ${what} set has no '${key}' array`, {
      where: path,
      expected: what === 'public' ? 'arrays x, y and member' : 'arrays x, y (and optionally id)',
      found: [...arrays.keys()].join(', ') || 'no arrays',
    });
  }
  return a;
}

function perSample(a: NpyArray, n: number, key: string, path: string): void {
  const ok =
    (a.shape.length === 1 && a.shape[0] === n) ||
    (a.shape.length === 2 && a.shape[0] === n && a.shape[1] === 1);
  if (!ok) {
    throw new MiaError('E_SHAPE_MISMATCH', `'${key}' must hold one value per row of 'x'`, {
      where: `${path}:${key}`,
      expected: `shape [${n}]`,
      found: `[${a.shape.join(', ')}]`,
    });
  }
}

/**
 * Reads a public (`kind` 'public': x, y, member required) or private ('private': x, y, optional id)
 * set. Throws MiaError: E_MISSING_FIELD for a missing array, E_SHAPE_MISMATCH when y / member / id do
 * not have one entry per sample or x has no sample axis, E_LABEL_RANGE for a negative label, E_EMPTY
 * for no samples and when a public set has no member or no non-member, E_VALUE when an id is repeated,
 * and the .npz readers' errors.
 */
export function readMembershipSet(
  path: string,
  kind: 'public' | 'private',
  normalize: SetNormalization = 'auto',
): MembershipSet {
  const arrays = readNpz(path);
  const xa = need(arrays, 'x', path, kind);
  const ya = need(arrays, 'y', path, kind);
  if (xa.shape.length < 2) {
    throw new MiaError('E_SHAPE_MISMATCH', "'x' must be [n, …] with at least one feature axis", {
      where: `${path}:x`,
      found: `[${xa.shape.join(', ')}]`,
    });
  }
  const n = xa.shape[0]!;
  if (n === 0) throw new MiaError('E_EMPTY', 'no samples', { where: `${path}:x` });
  perSample(ya, n, 'y', path);
  let shape = xa.shape.slice(1);
  if (shape.length === 2) shape = [...shape, 1];
  const unit = normalize === 'unit' || (normalize === 'auto' && xa.dtype === 'uint8');
  let x = toFloat32(xa, `${path}:x`);
  if (unit) {
    const scaled = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) scaled[i] = x[i]! / 255;
    x = scaled;
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new MiaError('E_NOT_FINITE', `x has a non-finite value at flat index ${i}`, {
        where: `${path}:x`,
      });
    }
  }
  const y = toInt32(ya, `${path}:y`);
  for (let i = 0; i < n; i++) {
    if (y[i]! < 0) {
      throw new MiaError('E_LABEL_RANGE', `label of sample ${i} is negative`, {
        where: `${path}:y`,
        found: String(y[i]),
      });
    }
  }
  let member: Uint8Array | undefined;
  if (kind === 'public') {
    const ma = need(arrays, 'member', path, kind);
    perSample(ma, n, 'member', path);
    member = toBool(ma, `${path}:member`);
    let m = 0;
    for (let i = 0; i < n; i++) m += member[i]!;
    if (m === 0 || m === n) {
      throw new MiaError('E_EMPTY', `the public set has ${m === 0 ? 'no member' : 'no non-member'}`, {
        where: `${path}:member`,
        expected: 'both members (1) and non-members (0)',
      });
    }
  }
  let ids: string[];
  const ia = arrays.get('id');
  if (ia !== undefined) {
    perSample(ia, n, 'id', path);
    const v = toInt32(ia, `${path}:id`);
    const firstAt = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const seen = firstAt.get(v[i]!);
      if (seen !== undefined) {
        throw new MiaError('E_VALUE', `id ${v[i]} is repeated (samples ${seen} and ${i})`, {
          where: `${path}:id`,
          expected: 'one id per sample, all different',
          found: `${v[i]} twice`,
        });
      }
      firstAt.set(v[i]!, i);
    }
    ids = Array.from(v, (k) => String(k));
  } else {
    ids = Array.from({ length: n }, (_, i) => String(i));
  }
  return { x, y, n, shape, member, ids, normalized: unit ? 'unit' : 'none', path };
}
