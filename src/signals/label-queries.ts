/**
 * The queries of the query-based label-only attacks (Choquette-Choo et al., ICML 2021, "Label-Only
 * Membership Inference Attacks"): the model is asked for its label on perturbed copies of each sample,
 * and only the predicted labels are kept.
 *
 * - augment (their data-augmentation attack): the identity, the horizontal mirror (when `flip`), and
 *   every shift (dx, dy) with |dx| + |dy| = r for r = 1..d, each also mirrored when `flip` — for d = 1
 *   with flip: 10 queries per sample. Shifts pad by reflection (signals/augment.ts). Images only.
 * - noise (their noise-robustness attack): x + σ·ε with ε ~ N(0, I), `draws` draws for each σ of
 *   `sigmas` (in the model's input units, after normalisation), query-major: all draws of the first σ
 *   first. The noise is drawn from one seeded generator in a fixed order (query, sample, feature), so
 *   the same seed gives the same perturbed inputs for every model and on every platform.
 * - boundary: the decision-boundary distance (signals/boundary-distance.ts), run by the caller.
 *
 * Queries are counted per sample: one query = one sample's input through the model.
 */
import { MiaError } from '../errors.js';
import { Rng } from '../rng.js';
import { type Augmentation, applyAugmentation, augmentationName } from './augment.js';
import { argmaxRows } from './exposure.js';

/** What the label queries need from a model: a batched forward pass giving n × classes scores. */
export interface LabelModel {
  predict(x: Float32Array, n: number): Promise<Float32Array>;
}

/** Which label queries to make and how (audit.label_only; `mia attack --model`). */
export interface LabelQueryPlan {
  /** Data-augmentation queries (label-augment): shifts up to `shift` pixels, with mirrors when `flip`. */
  augment?: { shift: number; flip: boolean };
  /** Gaussian-noise queries (label-noise): `draws` per σ. */
  noise?: { sigmas: number[]; draws: number };
  /** Decision-boundary distance (label-boundary): at most `maxQueries` queries per sample. */
  boundary?: { maxQueries: number };
  /** Seed of the noise and of the boundary search. */
  seed: number;
}

/** The predicted labels on the perturbed queries, and the queries spent per sample. */
export interface LabelQueryResults {
  /** [q, n] predicted labels, query-major (labelAgreementScores' layout); q = names.length. */
  augment?: { preds: Int32Array; names: string[] };
  /** [q, n] predicted labels, q = sigmas.length · draws. */
  noise?: { preds: Int32Array; sigmas: number[]; draws: number };
  /** L2 distance to the nearest point found with another label (0 when misclassified), and its queries. */
  boundary?: { distance: Float64Array; queries: Int32Array };
}

/**
 * The augmentations of label-augment (see the file header): identity first, then mirror, then for each
 * r = 1..shift the shifts with |dx| + |dy| = r in order of dx then dy (each followed by its mirror).
 * Throws E_ARGUMENT when shift is not an integer in [0, 8].
 */
export function labelAugmentations(shift: number, flip: boolean): Augmentation[] {
  if (!Number.isInteger(shift) || shift < 0 || shift > 8) {
    throw new MiaError('E_ARGUMENT', 'the label-augment shift must be an integer in [0, 8]', {
      where: 'label_only.shift',
      found: String(shift),
    });
  }
  const out: Augmentation[] = [{ flip: false, dx: 0, dy: 0 }];
  if (flip) out.push({ flip: true, dx: 0, dy: 0 });
  for (let r = 1; r <= shift; r++) {
    for (let dx = -r; dx <= r; dx++) {
      const rest = r - Math.abs(dx);
      for (const dy of rest === 0 ? [0] : [-rest, rest]) {
        out.push({ flip: false, dx, dy });
        if (flip) out.push({ flip: true, dx, dy });
      }
    }
  }
  return out;
}

/** Queries per sample of the augment and noise parts of `plan` (the boundary's are counted as it runs). */
export function fixedQueriesPerSample(plan: LabelQueryPlan): number {
  const a = plan.augment !== undefined ? labelAugmentations(plan.augment.shift, plan.augment.flip).length : 0;
  const z = plan.noise !== undefined ? plan.noise.sigmas.length * plan.noise.draws : 0;
  return a + z;
}

/** Argmax of each of the n rows of `scores` (n × c); the lowest index wins ties. */
export function argmaxLabels(scores: Float32Array, n: number): Int32Array {
  const c = n > 0 ? scores.length / n : 0;
  if (!Number.isInteger(c) || (n > 0 && c < 1)) {
    throw new MiaError('E_SHAPE_MISMATCH', 'the model returned the wrong number of outputs', {
      where: 'label queries',
      expected: `a multiple of ${n}`,
      found: `${scores.length} values`,
    });
  }
  return argmaxRows(scores, n, c);
}

/** The model's labels on `x` (n samples), in chunks of at most `batch` samples. */
export async function predictLabels(
  model: LabelModel,
  x: Float32Array,
  n: number,
  batch = 1024,
): Promise<Int32Array> {
  const d = n > 0 ? x.length / n : 0;
  const out = new Int32Array(n);
  for (let s = 0; s < n; s += batch) {
    const k = Math.min(batch, n - s);
    out.set(argmaxLabels(await model.predict(x.subarray(s * d, (s + k) * d), k), k), s);
  }
  return out;
}

/**
 * The augment and noise queries of `plan` on the n samples `x` (per-sample shape `shape`): the predicted
 * labels per query, query-major. Throws E_CONFIG (from applyAugmentation) when augment is asked for
 * non-image samples, E_ARGUMENT for a σ that is not finite and > 0 or draws < 1.
 */
export async function augmentAndNoiseLabels(
  model: LabelModel,
  x: Float32Array,
  n: number,
  shape: readonly number[],
  plan: LabelQueryPlan,
): Promise<Pick<LabelQueryResults, 'augment' | 'noise'>> {
  const out: Pick<LabelQueryResults, 'augment' | 'noise'> = {};
  if (plan.augment !== undefined) {
    const augs = labelAugmentations(plan.augment.shift, plan.augment.flip);
    const preds = new Int32Array(augs.length * n);
    for (let q = 0; q < augs.length; q++) {
      preds.set(await predictLabels(model, applyAugmentation(x, n, shape, augs[q]!), n), q * n);
    }
    out.augment = { preds, names: augs.map(augmentationName) };
  }
  if (plan.noise !== undefined) {
    const { sigmas, draws } = plan.noise;
    if (!Number.isInteger(draws) || draws < 1) {
      throw new MiaError('E_ARGUMENT', 'label-noise needs at least one draw per σ', {
        where: 'label_only.noise_draws',
        found: String(draws),
      });
    }
    const bad = sigmas.find((s) => !(Number.isFinite(s) && s > 0));
    if (sigmas.length === 0 || bad !== undefined) {
      throw new MiaError('E_ARGUMENT', 'label-noise needs noise levels σ > 0', {
        where: 'label_only.noise_sigmas',
        found: sigmas.length === 0 ? 'none' : String(bad),
      });
    }
    const rng = new Rng(plan.seed);
    const q = sigmas.length * draws;
    const preds = new Int32Array(q * n);
    const noisy = new Float32Array(x.length);
    for (let j = 0; j < q; j++) {
      const sigma = sigmas[Math.floor(j / draws)]!;
      for (let k = 0; k < x.length; k++) noisy[k] = x[k]! + sigma * rng.normal();
      preds.set(await predictLabels(model, noisy, n), j * n);
    }
    out.noise = { preds, sigmas: [...sigmas], draws };
  }
  return out;
}
