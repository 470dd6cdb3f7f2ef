import { MiaError } from '../errors.js';
import type { RocCurve } from './roc.js';

/**
 * At most `maxPoints` points of `roc` for plotting — never for metrics. Keeps the first and last points
 * and, for FPR targets spaced evenly on a log scale from 1 / nNonMembers to 1 (half of the budget) and
 * evenly on a linear scale (the other half), the last point with fpr ≤ target and the point after it,
 * so the staircase of the low-FPR corner survives on log axes. Returns the selected points
 * in curve order, with all RocCurve fields (a copy; `roc` itself when it has ≤ maxPoints points).
 *
 * Throws E_ARGUMENT unless maxPoints is an integer ≥ 4.
 */
export function downsampleRocForPlot(roc: RocCurve, maxPoints: number): RocCurve {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new MiaError('E_ARGUMENT', 'a plot needs at least 4 ROC points', {
      where: 'maxPoints',
      expected: 'an integer ≥ 4',
      found: String(maxPoints),
    });
  }
  const points = roc.fpr.length;
  if (points <= maxPoints) return roc;
  const { fpr } = roc;
  const keep = new Uint8Array(points);
  keep[0] = 1;
  keep[points - 1] = 1;
  // Each target contributes up to 2 points; 2 end points are always kept.
  const targets = Math.floor((maxPoints - 2) / 2);
  const logTargets = Math.ceil(targets / 2);
  const linTargets = targets - logTargets;
  const minFpr = 1 / roc.nNonMembers;
  const mark = (target: number): void => {
    const i = lastAtMost(fpr, target);
    keep[i] = 1;
    if (i + 1 < points) keep[i + 1] = 1;
  };
  for (let t = 0; t < logTargets; t++) {
    const e = logTargets === 1 ? 0 : t / (logTargets - 1);
    mark(minFpr ** (1 - e));
  }
  for (let t = 1; t <= linTargets; t++) mark(t / (linTargets + 1));
  let m = 0;
  for (let i = 0; i < points; i++) m += keep[i]!;
  const pick = (a: Float64Array): Float64Array => {
    const out = new Float64Array(m);
    let o = 0;
    for (let i = 0; i < points; i++) if (keep[i] === 1) out[o++] = a[i]!;
    return out;
  };
  return {
    fpr: pick(roc.fpr),
    tpr: pick(roc.tpr),
    thresholds: pick(roc.thresholds),
    tp: pick(roc.tp),
    fp: pick(roc.fp),
    nMembers: roc.nMembers,
    nNonMembers: roc.nNonMembers,
  };
}

/** Largest index with a[i] ≤ x (a non-decreasing, a[0] ≤ x). */
function lastAtMost(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (a[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
