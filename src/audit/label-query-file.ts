/**
 * signals/<id>-labels.npz: one model's labels on the perturbed queries of the query-based label-only
 * attacks (signals/label-queries.ts, signals/boundary-distance.ts), with the key they were computed for
 * (the model's hash, the data, the query plan). The model stage reuses a file whose key matches and
 * otherwise loads the model and queries it again.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LABEL_QUERY_KINDS } from '../attacks/label-query-attacks.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { Dataset } from '../data/dataset.js';
import { npyArray } from '../io/npy.js';
import { readNpz, writeNpz } from '../io/npz.js';
import { augmentationName } from '../signals/augment.js';
import { boundaryDistances } from '../signals/boundary-distance.js';
import {
  augmentAndNoiseLabels,
  type LabelModel,
  type LabelQueryPlan,
  type LabelQueryResults,
  labelAugmentations,
} from '../signals/label-queries.js';

import type { LabelQueryBudgetJson } from './run-format/index.js';
import type { RunPaths } from './run-paths.js';

/** signals/<id>-labels.npz. */
export function labelQueriesPath(paths: RunPaths, id: string): string {
  return join(paths.signals, `${id}-labels.npz`);
}

/** The key a label-query file must carry to be reused. */
export function labelQueriesKey(modelHash: string, dataKey: string, plan: LabelQueryPlan): string {
  return createHash('sha256')
    .update(canonicalJson({ v: 1, model: modelHash, data: dataKey, plan }))
    .digest('hex');
}

/**
 * The model's label queries on the audit samples `d` (see the file header). The boundary search clips
 * to the samples' range of values.
 */
export async function queryLabels(
  model: LabelModel,
  d: Dataset,
  plan: LabelQueryPlan,
): Promise<LabelQueryResults> {
  const out: LabelQueryResults = await augmentAndNoiseLabels(model, d.x, d.n, d.shape, plan);
  if (plan.boundary !== undefined) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of d.x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    out.boundary = await boundaryDistances(model, d.x, d.y, {
      maxQueries: plan.boundary.maxQueries,
      seed: plan.seed,
      range: { lo, hi },
    });
  }
  return out;
}

/** The queries a model answered: augment + noise + the boundary's, summed over the samples. */
export function labelQueryCount(r: LabelQueryResults): number {
  let total = 0;
  if (r.augment !== undefined) total += r.augment.preds.length;
  if (r.noise !== undefined) total += r.noise.preds.length;
  if (r.boundary !== undefined) for (const q of r.boundary.queries) total += q;
  return total;
}

/** One line: the queries per sample of each part and the total (the model stage logs it). */
export function labelQueryLine(r: LabelQueryResults, n: number): string {
  const parts: string[] = [];
  if (r.augment !== undefined) parts.push(`label-augment ${r.augment.names.length}`);
  if (r.noise !== undefined) parts.push(`label-noise ${r.noise.sigmas.length * r.noise.draws}`);
  if (r.boundary !== undefined) {
    let t = 0;
    for (const q of r.boundary.queries) t += q;
    parts.push(`label-boundary ${(t / Math.max(1, n)).toFixed(1)} on average`);
  }
  return `label queries per sample: ${parts.join(', ')}; ${labelQueryCount(r)} queries in all on ${n} samples`;
}

/** Writes the file (atomically, through writeNpz). */
export function writeLabelQueries(path: string, key: string, r: LabelQueryResults, n: number): void {
  const arrays: Record<string, ReturnType<typeof npyArray>> = {};
  if (r.augment !== undefined)
    arrays.augment_preds = npyArray(r.augment.preds, [r.augment.names.length, n], 'int32');
  if (r.noise !== undefined)
    arrays.noise_preds = npyArray(r.noise.preds, [r.noise.sigmas.length * r.noise.draws, n], 'int32');
  if (r.boundary !== undefined) {
    arrays.boundary_distance = npyArray(r.boundary.distance, [n], 'float64');
    arrays.boundary_queries = npyArray(r.boundary.queries, [n], 'int32');
  }
  arrays.key = npyArray(new TextEncoder().encode(key), [key.length], 'uint8');
  writeNpz(path, arrays);
}

/**
 * The file's queries when it exists, carries `key` and holds every array of `plan` at the right size;
 * undefined otherwise (missing, stale or unreadable: the caller queries the model again).
 */
export function readLabelQueries(
  path: string,
  key: string,
  plan: LabelQueryPlan,
  n: number,
): LabelQueryResults | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const a = readNpz(path);
    const k = a.get('key');
    if (k === undefined || new TextDecoder().decode(k.data as Uint8Array) !== key) return undefined;
    const out: LabelQueryResults = {};
    const ints = (name: string, len: number) => {
      const v = a.get(name);
      return v !== undefined && v.dtype === 'int32' && v.data.length === len
        ? (v.data as Int32Array)
        : undefined;
    };
    if (plan.augment !== undefined) {
      const names = labelAugmentations(plan.augment.shift, plan.augment.flip).map(augmentationName);
      const preds = ints('augment_preds', names.length * n);
      if (preds === undefined) return undefined;
      out.augment = { preds, names };
    }
    if (plan.noise !== undefined) {
      const preds = ints('noise_preds', plan.noise.sigmas.length * plan.noise.draws * n);
      if (preds === undefined) return undefined;
      out.noise = { preds, sigmas: [...plan.noise.sigmas], draws: plan.noise.draws };
    }
    if (plan.boundary !== undefined) {
      const dist = a.get('boundary_distance');
      const queries = ints('boundary_queries', n);
      if (dist === undefined || dist.dtype !== 'float64' || dist.data.length !== n || queries === undefined)
        return undefined;
      out.boundary = { distance: dist.data as Float64Array, queries };
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * results.json's `labelQueries`: the queries per sample of each part and per model, or undefined when no
 * model answered label queries. `attacks` are the audit's attacks (the query-based ones are listed).
 */
export function labelQueryBudget(
  attacks: readonly string[],
  models: readonly { plan: { id: string }; labelQueries?: LabelQueryResults }[],
  n: number,
  boundaryMax: number,
): LabelQueryBudgetJson | undefined {
  const first = models.find((m) => m.labelQueries !== undefined)?.labelQueries;
  if (first === undefined) return undefined;
  const rows = models.map((m) => {
    const r = m.labelQueries;
    const queries = r !== undefined ? labelQueryCount(r) : 0;
    const b = r?.boundary;
    let bq = 0;
    if (b !== undefined) for (const q of b.queries) bq += q;
    return { model: m.plan.id, queries, ...(b !== undefined ? { boundaryMean: bq / Math.max(1, n) } : {}) };
  });
  return {
    attacks: attacks.filter((a) => LABEL_QUERY_KINDS[a] !== undefined),
    perSample: {
      augment: first.augment?.names.length ?? 0,
      noise: first.noise !== undefined ? first.noise.sigmas.length * first.noise.draws : 0,
      boundaryMax: first.boundary !== undefined ? boundaryMax : 0,
    },
    models: rows,
    total: rows.reduce((s, r) => s + r.queries, 0),
  };
}
