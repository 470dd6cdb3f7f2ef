/**
 * One metric of an attack result, named as the gate's flags and `audit.reference_models.until` name it
 * (`auc`, `tpr@0.01`, `epsilon`), read with its 95% interval from a result as results.json holds it
 * (run-format/results.ts ResultJson, parsed) or as the pipeline computes it (run-attacks.ts AttackResult).
 */
import { MiaError } from '../errors.js';

/** A metric name, parsed: the AUC, TPR at one FPR target, or the ε lower bound. */
export type MetricName = { kind: 'auc' } | { kind: 'tpr'; fpr: number } | { kind: 'epsilon' };

/** The metric names as written, for errors and usage text. */
export const METRIC_NAMES = 'auc, tpr@<fpr> (e.g. tpr@0.01), epsilon';

/**
 * Parses `auc`, `tpr@<fpr>` (the FPR a number in (0, 1): `tpr@0.001`, `tpr@1e-3`) or `epsilon`. Throws
 * E_UNKNOWN_NAME naming `where` for anything else.
 */
export function parseMetricName(text: string, where: string): MetricName {
  const t = text.trim().toLowerCase();
  if (t === 'auc') return { kind: 'auc' };
  if (t === 'epsilon' || t === 'eps') return { kind: 'epsilon' };
  const m = /^tpr@(.+)$/.exec(t);
  if (m !== null) {
    const fpr = Number(m[1]);
    if (Number.isFinite(fpr) && fpr > 0 && fpr < 1) return { kind: 'tpr', fpr };
  }
  throw new MiaError('E_UNKNOWN_NAME', `unknown metric '${text}'`, { where, expected: METRIC_NAMES });
}

/** `auc`, `tpr@0.01`, `epsilon`. */
export function metricLabel(m: MetricName): string {
  return m.kind === 'tpr' ? `tpr@${m.fpr}` : m.kind;
}

/** A metric's value and its 95% interval [low, high] (either end may be ±Infinity for ε). */
export interface MetricValue {
  value: number;
  low: number;
  high: number;
}

/** The fields of a result that {@link metricOf} reads. */
export interface MetricSource {
  attack: string;
  auc: number;
  aucInterval?: { low: number; high: number } | undefined;
  tprAtFpr: Record<string, { tpr: number; low: number; high: number }>;
  epsilonLowerBound: number;
  epsilon?: { estimate: number | null; low: number | null; high: number | null } | undefined;
}

/** The key of `tprAtFpr` whose FPR target equals `fpr` ("0.001" for 1e-3), or undefined. */
export function tprKey(tprAtFpr: Record<string, unknown>, fpr: number): string | undefined {
  return Object.keys(tprAtFpr).find((k) => Math.abs(Number(k) - fpr) <= 1e-12 * fpr);
}

/**
 * The metric of `r` with its interval: the AUC with its DeLong interval (`aucInterval`); TPR at the FPR
 * target with its Clopper–Pearson interval; ε as the plug-in estimate with low = the attack's 95% lower
 * bound (`epsilonLowerBound`) and high = the upper end of its interval (null in JSON = +Infinity). Throws
 * E_MISSING_FIELD naming `where` when the result lacks it (no such FPR target, no AUC interval, no ε
 * estimate), listing the FPR targets it has.
 */
export function metricOf(r: MetricSource, m: MetricName, where: string): MetricValue {
  if (m.kind === 'auc') {
    if (r.aucInterval === undefined) {
      throw new MiaError('E_MISSING_FIELD', `attack '${r.attack}' has no AUC interval`, {
        where,
        expected: 'results.json with aucInterval (an audit of mia-audit ≥ this version)',
      });
    }
    return { value: r.auc, low: r.aucInterval.low, high: r.aucInterval.high };
  }
  if (m.kind === 'tpr') {
    const key = tprKey(r.tprAtFpr, m.fpr);
    if (key === undefined) {
      throw new MiaError('E_MISSING_FIELD', `attack '${r.attack}' has no TPR at FPR ${m.fpr}`, {
        where,
        expected: `one of its FPR targets: ${Object.keys(r.tprAtFpr).join(', ') || 'none'}`,
        found: String(m.fpr),
      });
    }
    const t = r.tprAtFpr[key]!;
    return { value: t.tpr, low: t.low, high: t.high };
  }
  const e = r.epsilon;
  if (e === undefined) {
    throw new MiaError('E_MISSING_FIELD', `attack '${r.attack}' has no ε estimate`, {
      where,
      expected: 'a result with epsilon.estimate',
    });
  }
  // JSON writes +Infinity as null: an unbounded estimate or upper end
  const inf = Number.POSITIVE_INFINITY;
  return { value: e.estimate ?? inf, low: r.epsilonLowerBound, high: e.high ?? inf };
}
