/**
 * Reading and writing the run directory's result files for the pipelines: scores.npz, the earlier
 * results.json of a rerun, keep.npy reuse, samples.npz, privacy-by-epoch.json, environment.json and
 * the per-epoch entries of history.json.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { AttackScores } from '../attacks/registry.js';
import type { Dataset } from '../data/dataset.js';
import { gatherRows } from '../data/samples.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { readJsonFile } from '../io/json.js';
import { npyArray, readNpy, toBool } from '../io/npy.js';
import { readNpz, writeNpz } from '../io/npz.js';
import { unreadableReason } from '../io/unreadable.js';
import type { EpochRecord } from '../models/train.js';
import type { AggregateResult } from './aggregate.js';
import type { AuditResult, ExperimentOutcome } from './attack-stage.js';
import { mergeCollections, type PrivacyPoint, saveCollection } from './privacy-collection.js';
import { type EnvironmentFile, type HistoryEpoch, ResultsFile } from './run-format/index.js';
import { experimentScoresPath, type RunPaths } from './run-paths.js';

/** Reads the package version for environment.json. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * environment.json: the engine and backend that trained (the callers' fallbacks when none was created),
 * Node and package versions, the dataset as the caller describes it, platform and CPU count.
 */
export function writeEnvironment(
  path: string,
  env: Pick<EnvironmentFile, 'backend' | 'engine' | 'dataset'>,
): void {
  const file: EnvironmentFile = {
    backend: env.backend,
    engine: env.engine,
    node: process.version,
    miaAudit: packageVersion(),
    dataset: env.dataset,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
  };
  writeJsonAtomic(path, file);
}

/** A model's epochs as history.json lists them (the training record without lr and throughput). */
export function historyEpochs(history: readonly EpochRecord[]): HistoryEpoch[] {
  return history.map((h) => ({
    epoch: h.epoch,
    trainLoss: h.trainLoss,
    trainAccuracy: h.trainAccuracy,
    valLoss: h.valLoss,
    valAccuracy: h.valAccuracy,
    seconds: h.seconds,
    ...(h.epsilon !== undefined ? { epsilon: Number.isFinite(h.epsilon) ? h.epsilon : null } : {}),
  }));
}

/** The last epoch's training and validation accuracy (undefined without epochs or validation data). */
export function lastAccuracies(history: readonly EpochRecord[]): {
  trainAccuracy: number | undefined;
  valAccuracy: number | undefined;
} {
  const last = history[history.length - 1];
  return { trainAccuracy: last?.trainAccuracy, valAccuracy: last?.valAccuracy ?? undefined };
}

/**
 * True when keep.npy at `path` holds exactly `keep` ([m, n]). A file that exists but cannot be read is
 * reported through `onUnreadable(reason)` (then rewritten by the caller).
 */
export function keepReused(
  path: string,
  keep: Uint8Array,
  m: number,
  n: number,
  onUnreadable?: (reason: string) => void,
): boolean {
  if (!existsSync(path)) return false;
  try {
    const a = readNpy(path);
    if (a.shape.length !== 2 || a.shape[0] !== m || a.shape[1] !== n) return false;
    const old = toBool(a, path);
    for (let i = 0; i < keep.length; i++) if (old[i] !== keep[i]) return false;
    return true;
  } catch (e) {
    onUnreadable?.(unreadableReason(e));
    return false;
  }
}

/** The arrays of scores.npz for one experiment: one float64 [N] per attack, is_member bool [N], labels int32 [N]. */
export function scoresArrays(outcome: ExperimentOutcome, labels: Int32Array) {
  const arrays: Record<string, ReturnType<typeof npyArray>> = {};
  for (const s of outcome.scores as AttackScores[])
    arrays[s.attack] = npyArray(s.scores, [s.scores.length], 'float64');
  arrays.is_member = npyArray(Uint8Array.from(outcome.isMember), [outcome.isMember.length], 'bool');
  arrays.labels = npyArray(labels, [labels.length], 'int32');
  return arrays;
}

/**
 * results.json of an earlier run with the same inputs key, with every scores file present and readable,
 * else undefined. A results.json or scores file that exists but cannot be read is reported through
 * `onUnreadable(path, reason)` (the caller then computes the attacks again and rewrites them).
 */
export function readPreviousResults(
  paths: RunPaths,
  key: string,
  experiments: number,
  onUnreadable?: (path: string, reason: string) => void,
): { results: AuditResult[]; aggregate: AggregateResult[] | undefined; notes: string[] } | undefined {
  const scores = [paths.scores];
  for (let e = 1; e < experiments; e++) scores.push(experimentScoresPath(paths, e));
  if (!existsSync(paths.results) || !scores.every((p) => existsSync(p))) return undefined;
  let json: { key?: string; results?: AuditResult[]; aggregate?: AggregateResult[]; notes?: string[] };
  try {
    json = readJsonFile(paths.results) as typeof json;
  } catch (e) {
    onUnreadable?.(paths.results, unreadableReason(e));
    return undefined;
  }
  if (json === null || typeof json !== 'object' || json.key !== key || !Array.isArray(json.results))
    return undefined;
  for (const p of scores) {
    try {
      readNpz(p);
    } catch (e) {
      onUnreadable?.(p, unreadableReason(e));
      return undefined;
    }
  }
  // through the schema, so a reused result reads as a computed one (null → NaN / +Infinity)
  const parsed = ResultsFile.safeParse(json);
  if (!parsed.success) return undefined;
  return {
    results: parsed.data.results as AuditResult[],
    aggregate: json.aggregate,
    notes: json.notes ?? [],
  };
}

/** samples.npz: up to 16 of the target's training images (x float32 [k, h, w, c], y int32 [k]); images only. */
export function writeSamples(path: string, audit: Dataset, rows: Int32Array): void {
  if (audit.shape.length !== 3) return;
  const k = Math.min(16, rows.length);
  const { x, y } = gatherRows(audit, rows.subarray(0, k));
  writeNpz(path, { x: npyArray(x, [k, ...audit.shape], 'float32'), y: npyArray(y, [k], 'int32') });
}

/**
 * privacy-by-epoch.json from the points of every model (one collection, later duplicates of
 * (experiment, model, attack, epoch) winning), or no file when there are none (a stale one is removed).
 */
export function writePrivacyByEpoch(paths: RunPaths, points: readonly PrivacyPoint[]): void {
  if (points.length === 0) rmSync(paths.privacyByEpoch, { force: true });
  else saveCollection(paths.privacyByEpoch, mergeCollections({ points: [...points] }));
}
