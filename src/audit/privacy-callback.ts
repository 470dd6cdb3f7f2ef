/**
 * Privacy metrics during training: the TF Privacy codelab's PrivacyMetrics Keras callback (seed 002)
 * as an epoch-end hook of src/models/train.ts. Every `everyEpochs` epochs (and after the last one) it
 * predicts the model as it stands on its members (training samples) and on held-out non-members,
 * runs the chosen output attacks (default threshold + lr, the codelab's THRESHOLD_ATTACK and
 * LOGISTIC_REGRESSION) on the entire dataset, and records AUC, attacker advantage and TPR at 1% FPR
 * with the epoch's training and validation accuracy as PrivacyPoints (privacy-collection.ts) — what
 * privacy-by-epoch.json holds and the by-epoch and privacy-vs-utility charts draw.
 *
 * Cost. Per attacked epoch: one forward pass over the subsample (below) and the attacks on it; the
 * threshold attack is one sort, the logistic-regression attack is 2-fold cross-fitted on the
 * subsample (~0.1 s for 10 000 samples on one core). To keep this small beside training, at most
 * `maxSamples` members and `maxSamples` non-members are attacked (default 2000 each): a seeded uniform
 * subset drawn once, so every epoch is measured on the same samples and the curves are comparable.
 */

import type { LabelledSamples } from '../data/samples.js';
import { gatherRows } from '../data/samples.js';
import { subsetIndices } from '../data/splits.js';
import { MiaError } from '../errors.js';
import type { EpochEndContext, EpochEndHook } from '../models/train.js';
import { Rng } from '../rng.js';
import { makeModelOutputs } from '../signals/model-outputs.js';
import { type AttackResultsCollection, type PrivacyPoint, pointsFromResults } from './privacy-collection.js';
import { runOutputAttacks } from './run-attacks.js';

/** The codelab's pair of attacks (TF Privacy's THRESHOLD_ATTACK and LOGISTIC_REGRESSION). */
export const DEFAULT_PRIVACY_ATTACKS: readonly string[] = ['threshold', 'lr'];

/** Members and non-members attacked per epoch, at most, each (a fixed seeded subset). */
export const DEFAULT_PRIVACY_SAMPLES = 2000;

export interface PrivacyCallbackOptions {
  /** The model's label in the points (TF Privacy's model_variant_label). */
  model: string;
  /** The experiment the model belongs to (tags every point), when a run holds several. */
  experiment?: string;
  /** The model's training samples: the members. */
  members: LabelledSamples;
  /** Samples the model never trains on: the non-members. */
  nonMembers: LabelledSamples;
  /** Output attacks by name (src/attacks/registry.ts); default {@link DEFAULT_PRIVACY_ATTACKS}. */
  attacks?: readonly string[];
  /** Attack after every this many epochs (epochs N, 2N, …; default 1). The last epoch is always attacked. */
  everyEpochs?: number;
  /** At most this many members and this many non-members are attacked (default {@link DEFAULT_PRIVACY_SAMPLES}). */
  maxSamples?: number;
  /** Seeds the subsets (default 0). */
  seed?: number;
  /**
   * Seeds the trained attacks' splits (default `seed`). Pass the seed of the model's final attacks so
   * that its last epoch, attacked on the same samples, gives the very numbers of the final results
   * instead of a cross-fit split's noise (issue 17 item 5).
   */
  attackSeed?: number;
  /** Called after each attacked epoch with that epoch's points (e.g. to save progress), awaited. */
  onPoints?: (points: readonly PrivacyPoint[], epoch: number) => void | Promise<void>;
}

/** A privacy-metrics callback: pass `onEpochEnd` to trainModel / trainOrLoad, read `points` afterwards. */
export interface PrivacyMetricsCallback {
  /** The epoch-end hook. */
  readonly onEpochEnd: EpochEndHook;
  /** Every point recorded so far, in epoch order (one per attack per attacked epoch). */
  readonly points: PrivacyPoint[];
  /** The points as an AttackResultsCollection (a copy). */
  collection(): AttackResultsCollection;
  /** Members and non-members actually attacked per epoch (after subsampling). */
  readonly nMembers: number;
  readonly nNonMembers: number;
  /** Wall time spent in the hook (predictions and attacks), in seconds. */
  readonly seconds: number;
}

/**
 * At most `k` of the samples `rows` of `s` (default: all of its samples), drawn uniformly without
 * replacement with `rng` (data/splits.ts subsetIndices) and copied in ascending row order. When
 * `k` ≥ the number of rows every row is kept (and `s` itself is returned when `rows` is absent).
 */
export function subsampleRows(s: LabelledSamples, k: number, rng: Rng, rows?: Int32Array): LabelledSamples {
  const avail = rows?.length ?? s.n;
  if (rows === undefined && k >= s.n) return s;
  const pickIdx = k >= avail ? undefined : subsetIndices(avail, k, rng);
  if (pickIdx === undefined) return gatherRows(s, rows!);
  return gatherRows(s, rows === undefined ? pickIdx : pickIdx.map((i) => rows[i]!));
}

/**
 * A PrivacyMetrics callback (see the file header). Throws E_ARGUMENT for everyEpochs / maxSamples that
 * are not positive integers and E_EMPTY when there are no members or no non-members; the hook throws
 * the attacks' errors (E_UNKNOWN_NAME for an unknown attack name, at the first attacked epoch).
 * Points carry `trainAccuracy` / `valAccuracy` of the epoch from the training history (Keras' logs:
 * the running training accuracy of the epoch, the validation accuracy after it; null without
 * validation data).
 */
export function privacyMetricsCallback(options: PrivacyCallbackOptions): PrivacyMetricsCallback {
  const every = options.everyEpochs ?? 1;
  const max = options.maxSamples ?? DEFAULT_PRIVACY_SAMPLES;
  for (const [name, v] of [
    ['everyEpochs', every],
    ['maxSamples', max],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new MiaError('E_ARGUMENT', `${name} must be an integer ≥ 1`, {
        where: `privacy callback ${name}`,
        found: String(v),
      });
    }
  }
  if (options.members.n < 1 || options.nonMembers.n < 1) {
    throw new MiaError('E_EMPTY', 'the privacy callback needs members and non-members', {
      where: `privacy callback of ${options.model}`,
      found: `${options.members.n} members, ${options.nonMembers.n} non-members`,
    });
  }
  const seed = options.seed ?? 0;
  const rng = new Rng(seed);
  const members = subsampleRows(options.members, max, rng.fork());
  const nonMembers = subsampleRows(options.nonMembers, max, rng.fork());
  const attacks = [...(options.attacks ?? DEFAULT_PRIVACY_ATTACKS)];
  const points: PrivacyPoint[] = [];
  let seconds = 0;

  const onEpochEnd = async (ctx: EpochEndContext): Promise<void> => {
    if (ctx.epoch % every !== 0 && ctx.epoch !== ctx.epochs) return;
    const t0 = performance.now();
    const c = ctx.model.numClasses;
    const outputs = async (s: LabelledSamples, where: string) =>
      makeModelOutputs(
        { logits: await ctx.predict(s.x, s.n), labels: s.y, numClasses: c, n: s.n },
        `${options.model} epoch ${ctx.epoch} ${where}`,
      );
    const input = {
      members: await outputs(members, 'members'),
      nonMembers: await outputs(nonMembers, 'non-members'),
    };
    const { results } = runOutputAttacks(input, {
      attacks,
      slices: ['entire'],
      seed: options.attackSeed ?? seed,
      fprTargets: [0.01],
    });
    const last = ctx.history[ctx.history.length - 1];
    const meta = {
      model: options.model,
      epoch: ctx.epoch,
      trainAccuracy: last?.trainAccuracy ?? null,
      valAccuracy: last?.valAccuracy ?? null,
      ...(options.experiment !== undefined ? { experiment: options.experiment } : {}),
    };
    const pts = pointsFromResults(results, meta);
    points.push(...pts);
    seconds += (performance.now() - t0) / 1000;
    await options.onPoints?.(pts, ctx.epoch);
  };

  return {
    onEpochEnd,
    points,
    collection: () => ({ points: points.map((p) => ({ ...p })) }),
    nMembers: members.n,
    nNonMembers: nonMembers.n,
    get seconds() {
      return seconds;
    },
  };
}
