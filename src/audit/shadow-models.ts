/**
 * Training the shadow models of Shokri et al. (2017) on a labelled public set, as seed 004 does: the
 * set is shuffled (seeded) and cut into S disjoint parts of ⌊n/S⌋ samples; shadow model k trains on a
 * random half of part k (its members) and is queried on the whole part, so that its outputs come with
 * membership labels (1 = trained on). The meta-classifier (src/attacks/shadow.ts) learns from them.
 */
import { join } from 'node:path';
import type { ShadowOutputs } from '../attacks/shadow.js';
import { formatDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import { gatherRows, type ShapedSamples } from '../data/samples.js';
import { MiaError } from '../errors.js';
import { shuffleSeedOf, trainOrLoad } from '../models/cache.js';
import type { Engine, EngineModel } from '../models/engine.js';
import { trainModel } from '../models/train.js';
import { Rng } from '../rng.js';
import { makeModelOutputs } from '../signals/model-outputs.js';
import type { TrainingConfig } from './config.js';
import { deriveSeed } from './seeds.js';

export interface ShadowModelsOptions {
  /** S ≥ 1 shadow models. */
  count: number;
  training: TrainingConfig;
  seed: number;
  engine: Engine;
  logger?: Logger;
  /** When given, each shadow model is cached here by content hash (trainOrLoad) and reused on a rerun. */
  cacheDir?: string;
}

/** Smallest number of public samples in one shadow part. */
export const MIN_SHADOW_PART = 4;

/**
 * Throws E_CONFIG unless `count` shadow models can share `n` public samples: an integer in
 * [1, ⌊n / 4⌋] (each part needs at least 4 samples).
 */
export function checkShadowCount(n: number, count: number): void {
  const most = Math.floor(n / MIN_SHADOW_PART);
  if (most < 1) {
    throw new MiaError(
      'E_CONFIG',
      `cannot cut ${n} public samples into shadow parts of at least ${MIN_SHADOW_PART}`,
      { where: 'shadow models', expected: `at least ${MIN_SHADOW_PART} public samples`, found: String(n) },
    );
  }
  if (!Number.isInteger(count) || count < 1 || count > most) {
    throw new MiaError(
      'E_CONFIG',
      `cannot cut ${n} public samples into ${count} shadow parts of at least ${MIN_SHADOW_PART}`,
      {
        where: 'shadow models',
        expected: `at least 1 and at most ${most} shadow models`,
        found: String(count),
      },
    );
  }
}

/** The parts: part k = rows perm[k·size, (k+1)·size) with size = ⌊n/S⌋; its first ⌊size/2⌋ are members. */
export function shadowParts(n: number, count: number, seed: number): { rows: Int32Array; members: number }[] {
  checkShadowCount(n, count);
  const size = Math.floor(n / count);
  const perm = new Rng(seed).permutation(n);
  const parts: { rows: Int32Array; members: number }[] = [];
  for (let k = 0; k < count; k++)
    parts.push({ rows: perm.slice(k * size, (k + 1) * size), members: Math.floor(size / 2) });
  return parts;
}

/**
 * Trains the S shadow models (see the file header) and returns each one's outputs on its whole part with
 * membership labels. Shadow k is seeded with deriveSeed(seed, `shadow:k`).
 */
export async function trainShadowModels(
  data: ShapedSamples,
  options: ShadowModelsOptions,
): Promise<ShadowOutputs[]> {
  const parts = shadowParts(data.n, options.count, deriveSeed(options.seed, 'shadow-parts'));
  const out: ShadowOutputs[] = [];
  const t = options.training;
  const log = options.logger;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const memberRows = part.rows.slice(0, part.members);
    const train = gatherRows(data, memberRows);
    const all = gatherRows(data, part.rows);
    const seed = deriveSeed(options.seed, `shadow:${k}`);
    const label = `[shadow ${k + 1}/${parts.length}]`;
    log?.info(
      `${label} ${t.architecture.name} on ${train.n} members (+ ${all.n - train.n} held out), ${t.epochs} epochs, batch ${t.batchSize}`,
    );
    const t0 = performance.now();
    let model: EngineModel;
    if (options.cacheDir !== undefined) {
      const res = await trainOrLoad(
        {
          arch: t.architecture,
          inputShape: data.shape,
          numClasses: data.numClasses,
          optimizer: t.optimizer,
          epochs: t.epochs,
          batchSize: t.batchSize,
          ...(t.augment !== undefined ? { augment: t.augment } : {}),
          seed,
          dataset: { name: 'public', options: { part: k, parts: parts.length } },
          indices: memberRows,
          train,
        },
        join(options.cacheDir, `shadow-${k + 1}`),
        { engine: options.engine, label, ...(log !== undefined ? { logger: log } : {}) },
      );
      model = res.model;
    } else {
      model = await options.engine.build({
        arch: t.architecture,
        inputShape: data.shape,
        numClasses: data.numClasses,
        seed,
      });
      try {
        await trainModel(model, train, {
          epochs: t.epochs,
          batchSize: t.batchSize,
          optimizer: t.optimizer,
          shuffleSeed: shuffleSeedOf(seed),
          ...(t.augment !== undefined ? { augment: t.augment } : {}),
          label,
          ...(log !== undefined ? { logger: log } : {}),
        });
      } catch (e) {
        model.dispose();
        throw e;
      }
    }
    try {
      const logits = await model.predict(all.x, all.n);
      const isMember = new Uint8Array(all.n);
      isMember.fill(1, 0, part.members);
      out.push({
        outputs: makeModelOutputs(
          { logits, labels: all.y, numClasses: data.numClasses, n: all.n },
          `shadow model ${k + 1}`,
        ),
        isMember,
      });
    } finally {
      model.dispose();
    }
    log?.info(`${label} done in ${formatDuration((performance.now() - t0) / 1000)}`);
  }
  return out;
}

/** The shadow models' number when neither the target's training size nor --shadow-models says it. */
export const DEFAULT_SHADOW_COUNT = 4;

/**
 * How many shadow models share `n` public samples, and a line saying how their size compares with the
 * target's. `count` given: that many (checked by checkShadowCount). Omitted: as many as the public set
 * allows with each training on at least the target's `targetTrainSize` samples (each part is ⌊n/S⌋,
 * half of it members: S = ⌊n / (2·targetTrainSize)⌋, at most {@link DEFAULT_SHADOW_COUNT}); when not even
 * one fits, one shadow model on half the public set, and the line says the shadows are smaller than
 * the target. Unknown target size: {@link DEFAULT_SHADOW_COUNT} (fewer when n is small).
 */
export function shadowSizing(
  n: number,
  targetTrainSize: number | null | undefined,
  count?: number,
): { count: number; members: number; note: string } {
  const known = targetTrainSize !== null && targetTrainSize !== undefined && targetTrainSize > 0;
  const most = Math.floor(n / MIN_SHADOW_PART);
  let s: number;
  if (count !== undefined) s = count;
  else if (known)
    s = Math.max(1, Math.min(DEFAULT_SHADOW_COUNT, Math.floor(n / (2 * targetTrainSize)), most));
  else s = Math.max(1, Math.min(DEFAULT_SHADOW_COUNT, most));
  checkShadowCount(n, s);
  const members = Math.floor(Math.floor(n / s) / 2);
  const each = `${s} shadow model${s === 1 ? '' : 's'} train${s === 1 ? 's' : ''} on ${members} samples each`;
  if (!known) return { count: s, members, note: `${each} (the target's training size is not recorded)` };
  if (members >= targetTrainSize) {
    return {
      count: s,
      members,
      note: `${each}, sized like the target (${targetTrainSize} training samples)`,
    };
  }
  return {
    count: s,
    members,
    note:
      `${each}, fewer than the target's ${targetTrainSize}: the public set has ${n} samples, ` +
      `${2 * targetTrainSize} are needed to size one shadow model like the target — smaller shadows ` +
      'overfit more than the target, so the attack is likely weaker than one with matched shadows',
  };
}
