/**
 * The shadow-model attack of Shokri, Stronati, Song & Shmatikov, "Membership Inference Attacks against
 * Machine Learning Models" (IEEE S&P 2017), in the single-meta-classifier form of seed 004: shadow models
 * are trained like the target on data with KNOWN membership; an attack model (the meta-classifier, here
 * an MLP) learns member vs non-member from the shadow models' outputs on their own members and
 * non-members; it then scores the target model's outputs. Higher score = more likely a member.
 *
 * Features per sample (src/attacks/features.ts, shared with the trained attacks of `mia attack`): the
 * probability vector sorted in decreasing order (the "confidence vector"; sorting lets one attack
 * model serve every class, as ML-Leaks does instead of Shokri's one model per class), the cross-entropy
 * loss, and the label (one-hot up to 20 classes, else its index).
 *
 * Training rows: every (shadow model, sample) pair with its membership label; the larger class is
 * subsampled (seeded) to the size of the smaller one so the meta-classifier sees balanced classes, and
 * at most `maxTrainRows` rows are used (a seeded balanced subsample). This module only fits and applies
 * the meta-classifier: training the shadow models is the caller's (src/audit/ trains them, or uses the
 * audit's reference models, whose keep matrix gives the labels).
 */
import { MiaError } from '../errors.js';
import { Rng } from '../rng.js';
import type { ModelOutputs } from '../signals/model-outputs.js';
import type { BinaryClassifier } from './classifiers/classifier.js';
import type { MlpOptions } from './classifiers/mlp.js';
import { createClassifier } from './classifiers/registry.js';
import { attackFeatures } from './features.js';
import type { ReferenceAttack } from './reference-attack.js';

/** One shadow model's outputs on samples whose membership (in that shadow model) is known. */
export interface ShadowOutputs {
  outputs: ModelOutputs;
  /** Length outputs.n: 1 when the shadow model trained on the sample, else 0. */
  isMember: Uint8Array;
}

export interface ShadowAttackOptions {
  /** Seeds the balancing subsample and the MLP (initialisation, validation split, batches). */
  seed: number;
  /** Hidden layer widths of the meta-classifier (default [64]). */
  hiddenLayers?: number[];
  /** Other MLP options (defaults: src/attacks/classifiers/mlp.ts). */
  mlp?: Omit<MlpOptions, 'hiddenLayers'>;
  /** At most this many training rows, half members and half non-members (default 100,000). */
  maxTrainRows?: number;
}

/** A fitted meta-classifier. */
export interface ShadowMetaClassifier {
  /** Rows it was trained on, per class. */
  trainMembers: number;
  trainNonMembers: number;
  /** Number of classes of the outputs it reads (the target's outputs must have as many). */
  numClasses: number;
  /** Feature columns (features.ts names). */
  columns: string[];
  /** The probability that each sample of `outputs` is a member, Float64Array [outputs.n] in [0, 1]. */
  score(outputs: ModelOutputs): Float64Array;
}

export const DEFAULT_SHADOW_MAX_ROWS = 100_000;

/**
 * Fits the meta-classifier on the shadow models' outputs (see the file header). Throws MiaError:
 * E_EMPTY without shadow outputs or when members or non-members number fewer than 2 in all;
 * E_SHAPE_MISMATCH when an isMember array's length differs from its outputs' n or the class counts of
 * the shadow outputs differ; E_LABEL_RANGE for isMember values other than 0/1.
 */
export function fitShadowMetaClassifier(
  shadows: readonly ShadowOutputs[],
  options: ShadowAttackOptions,
): ShadowMetaClassifier {
  if (shadows.length === 0) {
    throw new MiaError('E_EMPTY', 'the shadow attack needs at least one shadow model', { where: 'shadow' });
  }
  const c = shadows[0]!.outputs.numClasses;
  let nIn = 0;
  let nOut = 0;
  shadows.forEach((s, k) => {
    if (s.isMember.length !== s.outputs.n) {
      throw new MiaError('E_SHAPE_MISMATCH', `shadow model ${k}: isMember has ${s.isMember.length} entries`, {
        where: 'shadow',
        expected: `${s.outputs.n} (one per output row)`,
      });
    }
    if (s.outputs.numClasses !== c) {
      throw new MiaError('E_SHAPE_MISMATCH', `shadow model ${k} has ${s.outputs.numClasses} classes`, {
        where: 'shadow',
        expected: `${c} classes, as shadow model 0`,
      });
    }
    for (let i = 0; i < s.isMember.length; i++) {
      const v = s.isMember[i]!;
      if (v > 1) {
        throw new MiaError('E_LABEL_RANGE', `shadow model ${k}: isMember[${i}] is ${v}`, {
          where: 'shadow',
          expected: '0 or 1',
        });
      }
      if (v === 1) nIn++;
      else nOut++;
    }
  });
  if (nIn < 2 || nOut < 2) {
    throw new MiaError('E_EMPTY', 'the shadow models need at least 2 members and 2 non-members in all', {
      where: 'shadow',
      found: `${nIn} members, ${nOut} non-members`,
    });
  }
  const rng = new Rng(options.seed);
  const maxRows = Math.max(4, options.maxTrainRows ?? DEFAULT_SHADOW_MAX_ROWS);
  const perClass = Math.min(nIn, nOut, Math.floor(maxRows / 2));
  // pick perClass rows of each class: a seeded partial shuffle over the global row numbering
  const pickIn = pick(nIn, perClass, rng);
  const pickOut = pick(nOut, perClass, rng);
  const first = attackFeatures(shadows[0]!.outputs);
  const d = first.d;
  const rows = 2 * perClass;
  const x = new Float64Array(rows * d);
  const y = new Uint8Array(rows);
  // global member / non-member counters walk the shadows in order
  let gIn = 0;
  let gOut = 0;
  const order = rng.permutation(rows); // where each chosen row goes: no classifier sees one class first
  let next = 0;
  shadows.forEach((s, k) => {
    const f = k === 0 ? first : attackFeatures(s.outputs);
    for (let i = 0; i < s.outputs.n; i++) {
      const member = s.isMember[i] === 1;
      const chosen = member ? pickIn[gIn++] === 1 : pickOut[gOut++] === 1;
      if (!chosen) continue;
      const r = order[next++]!;
      x.set(f.x.subarray(i * d, (i + 1) * d), r * d);
      y[r] = member ? 1 : 0;
    }
  });
  const clf: BinaryClassifier = createClassifier('mlp', {
    ...options.mlp,
    hiddenLayers: options.hiddenLayers ?? [64],
  });
  clf.fit(x, rows, d, y, rng.fork());
  return {
    trainMembers: perClass,
    trainNonMembers: perClass,
    numClasses: c,
    columns: first.columns,
    score(outputs) {
      if (outputs.numClasses !== c) {
        throw new MiaError('E_SHAPE_MISMATCH', `the target outputs have ${outputs.numClasses} classes`, {
          where: 'shadow',
          expected: `${c} classes, as the shadow models`,
        });
      }
      const f = attackFeatures(outputs);
      return clf.predictProba(f.x, f.n, f.d);
    },
  };
}

/** Fits the meta-classifier on `shadows` and scores `target`: Float64Array [target.n] in [0, 1]. */
export function shadowAttackScores(
  shadows: readonly ShadowOutputs[],
  target: ModelOutputs,
  options: ShadowAttackOptions,
): Float64Array {
  return fitShadowMetaClassifier(shadows, options).score(target);
}

/** A 0/1 mask over n items with exactly k ones, uniformly at random (partial Fisher–Yates). */
function pick(n: number, k: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(n);
  if (k >= n) return mask.fill(1);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
    mask[idx[i]!] = 1;
  }
  return mask;
}

/**
 * The shadow-attack registry entry: the meta-classifier trained on the reference models' outputs on the
 * audit samples, labelled by their keep rows (the references act as shadow models), scoring the target's.
 */
export const SHADOW_REFERENCE_ATTACK: ReferenceAttack = {
  name: 'shadow',
  description: "MLP meta-classifier on the reference models' outputs (Shokri et al.'s shadow models)",
  needs: { references: 'some', population: false, outputs: true, tuning: false },
  run(job) {
    const { outputs, targetOutputs } = job;
    if (outputs === undefined || targetOutputs === undefined) {
      throw new Error('unreachable: the shadow attack without model outputs (runners check needs.outputs)');
    }
    const pop = job.population;
    const shadows: ShadowOutputs[] = [];
    for (const r of job.references().rows) {
      shadows.push({
        outputs: outputs(r),
        isMember: pop.keep.subarray(r * pop.samples, (r + 1) * pop.samples),
      });
    }
    const scores = shadowAttackScores(shadows, targetOutputs, {
      seed: job.options.seed,
      hiddenLayers: job.options.shadowHiddenLayers,
    });
    return {
      scores,
      signal: 'sorted-probs+loss+label',
      note: `MLP meta-classifier on ${shadows.length} reference models as shadow models`,
    };
  },
};
