/**
 * Train-or-load with privacy metrics during training, resumable. The model is cached by trainOrLoad
 * (src/models/cache.ts, keyed by its request hash); its per-epoch privacy points
 * (privacy-callback.ts) go to a side file `privacy/<id>.json` in the run directory:
 *
 *   {"key": "<hex>", "complete": true | false, "points": [PrivacyPoint, …]}
 *
 * rewritten atomically after every attacked epoch (`complete` once training has finished). `key` is a
 * hash of the model's request hash and every setting the points depend on (attacks, period, subsample
 * size, seed, the member / non-member data). A rerun whose model is cached and whose side file is
 * complete for the same key reuses both without training or attacking. A cached model without such a
 * file (the settings changed, or the side file was lost) is trained again — hooks only run while a
 * model trains — and replaces the cached copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../core/canonical-json.js';
import type { Logger } from '../core/logger.js';
import type { LabelledSamples } from '../data/samples.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { readJsonFile } from '../io/json.js';
import { requestHash, type TrainOrLoadResult, type TrainRequest, trainOrLoad } from '../models/cache.js';
import type { Engine } from '../models/engine.js';
import { isModelDir } from '../models/store.js';
import { type PrivacyCallbackOptions, privacyMetricsCallback } from './privacy-callback.js';
import type { PrivacyPoint } from './privacy-collection.js';
import type { PrivacySideFile } from './run-format/index.js';

/** What to measure while a model trains (see privacy-callback.ts). */
export interface PrivacyTracking {
  /** The side file, `<run dir>/privacy/<id>.json`. */
  path: string;
  callback: PrivacyCallbackOptions;
}

export interface TrackedResult extends TrainOrLoadResult {
  /** The per-epoch points (empty without tracking). */
  points: PrivacyPoint[];
  /** True when the points came from a finished side file of an earlier run. */
  pointsReused: boolean;
  /** Seconds spent in the privacy hook (0 when reused). */
  privacySeconds: number;
}

/** Hex SHA-256 of the samples' bytes and count. */
function samplesHash(h: ReturnType<typeof createHash>, s: LabelledSamples): void {
  h.update(`${s.n};`);
  h.update(new Uint8Array(s.x.buffer, s.x.byteOffset, s.x.byteLength));
  h.update(new Uint8Array(s.y.buffer, s.y.byteOffset, s.y.byteLength));
}

/** The key a side file must carry to be reused for the model `modelHash` tracked with `options`. */
export function privacyKey(modelHash: string, options: PrivacyCallbackOptions): string {
  const data = createHash('sha256');
  samplesHash(data, options.members);
  samplesHash(data, options.nonMembers);
  return createHash('sha256')
    .update(
      canonicalJson({
        v: 2,
        model: modelHash,
        label: options.model,
        experiment: options.experiment,
        attacks: options.attacks,
        every: options.everyEpochs,
        samples: options.maxSamples,
        seed: options.seed,
        attackSeed: options.attackSeed,
        data: data.digest('hex'),
      }),
    )
    .digest('hex');
}

/** The points of a finished side file carrying `key`, else undefined (missing, stale, unfinished or unreadable). */
export function readPrivacyFile(path: string, key: string): PrivacyPoint[] | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v = readJsonFile(path) as { key?: unknown; complete?: unknown; points?: unknown };
    if (v.key !== key || v.complete !== true || !Array.isArray(v.points)) return undefined;
    return v.points as PrivacyPoint[];
  } catch {
    return undefined;
  }
}

/**
 * trainOrLoad(request, cacheDir) with the privacy callback `tracking` (see the file header); without
 * tracking it is trainOrLoad. The caller disposes the returned model. Errors of training, the hook
 * and the store propagate.
 */
export async function trainTracked(
  request: TrainRequest,
  cacheDir: string,
  options: { engine: Engine; logger: Logger; label: string; tracking?: PrivacyTracking },
): Promise<TrackedResult> {
  const { engine, logger, label, tracking } = options;
  if (tracking === undefined) {
    const res = await trainOrLoad(request, cacheDir, { engine, logger, label });
    return { ...res, points: [], pointsReused: false, privacySeconds: 0 };
  }
  const hash = requestHash(request);
  const key = privacyKey(hash, tracking.callback);
  const dir = join(cacheDir, hash);
  if (isModelDir(dir)) {
    const points = readPrivacyFile(tracking.path, key);
    if (points !== undefined) {
      const res = await trainOrLoad(request, cacheDir, { engine, logger, label });
      return { ...res, points, pointsReused: true, privacySeconds: 0 };
    }
    logger.info(
      `${label}  the cached model has no finished privacy-by-epoch results for these settings: training it again to measure them`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
  const save = (complete: boolean, points: readonly PrivacyPoint[]) =>
    writeJsonAtomic(tracking.path, { key, complete, points: [...points] } satisfies PrivacySideFile);
  const cb = privacyMetricsCallback({
    ...tracking.callback,
    onPoints: async (pts, epoch) => {
      save(false, cb.points);
      const best = pts.reduce((a, b) => (b.auc > a.auc ? b : a), pts[0]!);
      logger.info(
        `${label}  privacy at epoch ${epoch}: ${pts.map((p) => `${p.attack} AUC ${p.auc.toFixed(3)}`).join(', ')}` +
          ` (best TPR at 1% FPR ${(100 * Math.max(...pts.map((p) => p.tprAt1Fpr))).toFixed(1)}%, ${best.attack})`,
      );
      await tracking.callback.onPoints?.(pts, epoch);
    },
  });
  const res = await trainOrLoad(request, cacheDir, { engine, logger, label, onEpochEnd: cb.onEpochEnd });
  // (a model published meanwhile by another process is loaded without training: nothing was measured)
  save(!res.cached, cb.points);
  return { ...res, points: [...cb.points], pointsReused: false, privacySeconds: cb.seconds };
}
