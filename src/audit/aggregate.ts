/**
 * Metrics of several experiments (`run.num_experiments`: each of several models in turn as the target)
 * averaged per attack × slice, with their spread.
 */
import type { SliceSpec } from '../metrics/slicing.js';
import type { AuditResult } from './attack-stage.js';

/** Mean, sample standard deviation (ddof 1; 0 for one value), min and max of a metric over experiments. */
export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** One attack on one slice, over the experiments that produced it. */
export interface AggregateResult {
  attack: string;
  signal: string;
  slice: SliceSpec;
  /** Number of experiments with a result for this attack and slice. */
  experiments: number;
  auc: Spread;
  advantage: Spread;
  ppvMaxOverThresholds: Spread;
  /** TPR at each FPR target (keys as in AttackResult.tprAtFpr). */
  tprAtFpr: Record<string, Spread>;
  epsilonLowerBound: Spread;
  /** The output exposure, when the run sweeps audit.exposure. */
  exposure?: string;
}

/** The spread of `values` (see {@link Spread}); NaN fields for no values. */
export function spread(values: readonly number[]): Spread {
  const k = values.length;
  if (k === 0) return { mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / k;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return {
    mean,
    std: k > 1 ? Math.sqrt(ss / (k - 1)) : 0,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/**
 * Groups `results` by exposure, attack and slice (in first-seen order) and returns the spread of AUC, advantage,
 * PPV, TPR at each FPR target and the ε lower bound over the experiments of each group.
 */
export function aggregateResults(results: readonly AuditResult[]): AggregateResult[] {
  const groups = new Map<string, AuditResult[]>();
  for (const r of results) {
    const key = `${r.exposure ?? ''}\u0000${r.attack}\u0000${JSON.stringify(r.slice)}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [r]);
    else g.push(r);
  }
  const out: AggregateResult[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    const tprAtFpr: Record<string, Spread> = {};
    for (const t of Object.keys(first.tprAtFpr)) {
      tprAtFpr[t] = spread(g.map((r) => r.tprAtFpr[t]?.tpr ?? Number.NaN));
    }
    out.push({
      attack: first.attack,
      signal: first.signal,
      slice: first.slice,
      experiments: g.length,
      auc: spread(g.map((r) => r.auc)),
      advantage: spread(g.map((r) => r.advantage)),
      ppvMaxOverThresholds: spread(g.map((r) => r.ppvMaxOverThresholds)),
      tprAtFpr,
      epsilonLowerBound: spread(g.map((r) => r.epsilonLowerBound)),
      ...(first.exposure !== undefined ? { exposure: first.exposure } : {}),
    });
  }
  return out;
}
