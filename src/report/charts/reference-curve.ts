/**
 * The curve of reference-curve.json (audit.reference_models {min, max, until}): the until metric of each
 * attack, with its 95% interval as an error bar, against the number of reference models — one panel
 * per attack. It answers "would more reference models change my numbers?" (the question behind a
 * reproduction far below a paper's figure).
 */

import { type MetricName, parseMetricName } from '../../audit/result-metric.js';
import type { ReferenceCurve } from '../../audit/run-format/reference-curve.js';
import type { AxisSpec, ChartSpec, LegendEntry, ReferenceLine, SeriesSpec, XyPanel } from '../chart-spec.js';
import { styleOf } from '../chart-spec.js';
import { paddedDomain } from './training.js';

interface MetricAxis {
  label: string;
  floor: number;
  ceil: number;
  /** The value of an attack that guesses (AUC 0.5, TPR = the FPR, ε 0). */
  chance: number;
}

function metricAxis(m: MetricName): MetricAxis {
  if (m.kind === 'auc') return { label: 'AUC (0.5 = guessing)', floor: 0, ceil: 1, chance: 0.5 };
  if (m.kind === 'tpr') {
    return {
      label: `TPR at ${m.fpr * 100}% FPR (fraction of members)`,
      floor: 0,
      ceil: 1,
      chance: m.fpr,
    };
  }
  return { label: 'ε (lower bound … plug-in estimate)', floor: 0, ceil: Number.POSITIVE_INFINITY, chance: 0 };
}

/** The attacks of the curve in the order of its first point, the watched attack first. */
function attacksOf(curve: ReferenceCurve): string[] {
  const names: string[] = [];
  for (const p of curve.points)
    for (const m of p.metrics) if (!names.includes(m.attack)) names.push(m.attack);
  return [curve.attack, ...names.filter((a) => a !== curve.attack)].filter((a) => names.includes(a));
}

/**
 * One panel per attack: the metric at each number of reference models (line with markers) and its 95%
 * interval (a vertical bar, ends clipped to the axis), a grey line at chance and one at the number of
 * reference models the audit kept. Undefined when the curve has no point.
 */
export function referenceCurveChart(id: string, curve: ReferenceCurve): ChartSpec | undefined {
  if (curve.points.length === 0) return undefined;
  const metric = parseMetricName(curve.metric, 'reference-curve.json:metric');
  const axis = metricAxis(metric);
  const xs = curve.points.map((p) => p.referenceModels);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const xAxis: AxisSpec = {
    label: 'Reference models (besides the target)',
    scale: 'linear',
    // a pair of room on either side, so that the end points' markers and bars are not cut
    domain: [Math.max(0, x0 - 1), x1 + 1],
    format: 'integer',
  };
  const attacks = attacksOf(curve);
  const panels: XyPanel[] = attacks.map((attack, i) => {
    const pts = curve.points.flatMap((p) => {
      const m = p.metrics.find((x) => x.attack === attack);
      return m === undefined ? [] : [{ x: p.referenceModels, ...m }];
    });
    const domain = paddedDomain(
      [...pts.flatMap((p) => [p.value, p.low, p.high]), axis.chance],
      axis.floor,
      axis.ceil,
      0.02,
    );
    const clip = (v: number) => Math.min(domain[1], Math.max(domain[0], v));
    const style = styleOf(i);
    const series: SeriesSpec[] = [
      {
        key: attack,
        name: attack,
        x: pts.map((p) => p.x),
        y: pts.map((p) => p.value),
        style,
        markers: 'all',
      },
      ...pts.map(
        (p): SeriesSpec => ({
          key: attack,
          name: `${attack} 95% interval`,
          x: [p.x, p.x],
          y: [clip(p.low), clip(p.high)],
          style: { ...style, dash: 0 },
          markers: 'none',
        }),
      ),
    ];
    const referenceLines: ReferenceLine[] = [
      { from: [xAxis.domain[0], axis.chance], to: [xAxis.domain[1], axis.chance], label: 'chance' },
    ];
    if (curve.stopped !== undefined) {
      const s = curve.stopped;
      referenceLines.push({
        from: [s.referenceModels, domain[0]],
        to: [s.referenceModels, domain[1]],
        label: s.reason === 'settled' ? `settled at ${s.referenceModels}` : `max (${s.referenceModels})`,
      });
    }
    return {
      kind: 'xy',
      title: attack === curve.attack ? `${attack} (the stopping rule watches it)` : attack,
      x: xAxis,
      y: { label: axis.label, scale: 'linear', domain },
      series,
      referenceLines,
    };
  });
  const legend: LegendEntry[] = attacks.map((a, i) => ({ key: a, name: a, style: styleOf(i) }));
  const stopped =
    curve.stopped === undefined
      ? 'The audit was still adding pairs when this was written.'
      : curve.stopped.reason === 'settled'
        ? `It stopped at ${curve.stopped.referenceModels} reference models: ${curve.metric} of ${curve.attack} ` +
          `moved less than ${curve.tolerance} for two consecutive pairs.`
        : `It stopped at audit.reference_models.max (${curve.stopped.referenceModels}) before ${curve.metric} ` +
          `of ${curve.attack} settled: a larger max continues where it stopped.`;
  return {
    id,
    title: `${curve.metric} against the number of reference models`,
    caption:
      `Each attack's ${curve.metric} on the entire dataset after each pair of reference models, with its 95% ` +
      `interval. ${stopped}`,
    columns: Math.min(3, panels.length),
    panelWidth: 360,
    panelHeight: 300,
    legend,
    panels,
  };
}
