/** The audited target models of a run, as results.json names them (experiment × model). */
import { sliceLabel } from '../metrics/slicing.js';
import { byAucThenTpr } from './fpr.js';
import type { ReportResult } from './run-dir.js';

export interface Target {
  /** Unique key of (experiment, model). */
  key: string;
  experiment: string | undefined;
  model: string | undefined;
  /** Display name: the model ("target" when unnamed), prefixed by the experiment when there are several. */
  label: string;
  results: ReportResult[];
}

export function targetKey(r: { experiment?: string | undefined; model?: string | undefined }): string {
  return JSON.stringify([r.experiment ?? '', r.model ?? '']);
}

/** The distinct (experiment, model) pairs of `results`, in order of first appearance, with their results. */
export function targetsOf(results: readonly ReportResult[]): Target[] {
  const map = new Map<string, Target>();
  for (const r of results) {
    const key = targetKey(r);
    let t = map.get(key);
    if (t === undefined) {
      map.set(key, (t = { key, experiment: r.experiment, model: r.model, label: '', results: [] }));
    }
    t.results.push(r);
  }
  const targets = [...map.values()];
  const experiments = new Set(targets.map((t) => t.experiment ?? ''));
  for (const t of targets) {
    const model = t.model ?? 'target';
    t.label = experiments.size > 1 && t.experiment !== undefined ? `${t.experiment} · ${model}` : model;
  }
  return targets;
}

/** The distinct experiments in order of first appearance (undefined = results without one). */
export function experimentsOf(targets: readonly Target[]): (string | undefined)[] {
  const seen: (string | undefined)[] = [];
  for (const t of targets) if (!seen.includes(t.experiment)) seen.push(t.experiment);
  return seen;
}

/** The entire-dataset results of a target, leakiest first (AUC, then TPR at 1% FPR or the FPR computed). */
export function entireResults(t: Target): ReportResult[] {
  return t.results.filter((r) => r.slice.feature === 'entire_dataset').sort(leakiest);
}

/** Order: higher AUC first, then higher TPR at 1% FPR (or at the lowest FPR computed, see fpr.ts). */
export function leakiest(a: ReportResult, b: ReportResult): number {
  return byAucThenTpr(a, b);
}

/** The slice's label ("class 3", "misclassified", …), for tables and bars. */
export function sliceName(r: ReportResult): string {
  return sliceLabel(r.slice);
}
