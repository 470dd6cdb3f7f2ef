import type { RocCurve } from '../../metrics/roc.js';
import { type ChartSpec, type LegendEntry, type SeriesSpec, styleOf } from '../chart-spec.js';

/** One curve of a ROC chart: an already plot-downsampled ROC, and the AUC the results report for it. */
export interface RocCurveInput {
  /** Legend key (unique in the chart). */
  key: string;
  /** Legend name, e.g. "threshold" or "conv · threshold". */
  name: string;
  roc: RocCurve;
  /** AUC from results.json (computed on the full curve), shown in the legend when given. */
  auc?: number;
}

/**
 * The lower end of the log-log ROC axes: the power of ten at or below 1 / (largest non-member count),
 * kept within [1e-6, 1e-2] — FPR 1e-4 for 10 000 non-members, 1e-3 for 1 000.
 */
export function logFprFloor(nNonMembers: number): number {
  const e = Math.floor(Math.log10(1 / Math.max(1, nNonMembers)) + 1e-9);
  return Number(`1e${Math.max(-6, Math.min(-2, e))}`);
}

/**
 * ROC curves (TPR against FPR) of several attacks/models in one figure: linear axes on the left, log-log
 * axes on the right (from {@link logFprFloor} to 1, where the low-FPR regime that matters for
 * membership inference is visible), each with the chance diagonal TPR = FPR. Points at FPR or TPR 0 fall
 * off the log axes, as in matplotlib.
 */
export function rocChart(id: string, title: string, curves: readonly RocCurveInput[]): ChartSpec {
  const lo = logFprFloor(Math.max(1, ...curves.map((c) => c.roc.nNonMembers)));
  const legend: LegendEntry[] = [];
  const series: SeriesSpec[] = [];
  curves.forEach((c, i) => {
    const style = styleOf(i);
    const name = c.auc === undefined ? c.name : `${c.name} (AUC ${c.auc.toFixed(3)})`;
    legend.push({ key: c.key, name, style });
    series.push({ key: c.key, name: c.name, x: [...c.roc.fpr], y: [...c.roc.tpr], style, markers: 'some' });
  });
  const fprLabel = 'False positive rate (fraction of non-members flagged)';
  const tprLabel = 'True positive rate (fraction of members found)';
  return {
    id,
    title,
    caption:
      'ROC curve of each attack: every threshold on the membership score gives one (FPR, TPR) point. ' +
      'The log-log panel shows the low false-positive regime, where an attack that is confidently right ' +
      'about a few members shows up; the dotted diagonal is random guessing.',
    columns: 2,
    panelWidth: 440,
    panelHeight: 420,
    legend,
    panels: [
      {
        kind: 'xy',
        title: 'ROC, linear axes',
        x: { label: fprLabel, scale: 'linear', domain: [0, 1] },
        y: { label: tprLabel, scale: 'linear', domain: [0, 1] },
        series,
        referenceLines: [{ from: [0, 0], to: [1, 1], label: 'chance (TPR = FPR)' }],
      },
      {
        kind: 'xy',
        title: 'ROC, log-log axes',
        x: { label: fprLabel, scale: 'log', domain: [lo, 1] },
        y: { label: tprLabel, scale: 'log', domain: [lo, 1] },
        series,
        referenceLines: [{ from: [lo, lo], to: [1, 1], label: 'chance (TPR = FPR)' }],
      },
    ],
  };
}
