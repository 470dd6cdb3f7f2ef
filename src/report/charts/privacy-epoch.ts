import {
  type AxisSpec,
  type ChartSpec,
  type LegendEntry,
  type SeriesSpec,
  styleOf,
  type XyPanel,
} from '../chart-spec.js';
import type { PrivacyPoint } from '../collection.js';
import { epochAxis, paddedDomain } from './training.js';

interface Metric {
  title: string;
  axis: string;
  get: (p: PrivacyPoint) => number;
  floor: number;
  /** y of the chance reference line. */
  chance: number;
}

/** The three privacy metrics TF Privacy's report plots (AUC, attacker advantage) plus TPR at 1% FPR. */
const METRICS: readonly Metric[] = [
  { title: 'AUC', axis: 'AUC (0.5 = guessing)', get: (p) => p.auc, floor: 0, chance: 0.5 },
  {
    title: 'Attacker advantage',
    axis: 'Attacker advantage (max TPR − FPR)',
    get: (p) => p.advantage,
    floor: 0,
    chance: 0,
  },
  {
    title: 'TPR at 1% FPR',
    axis: 'TPR at 1% FPR (fraction of members)',
    get: (p) => p.tprAt1Fpr,
    floor: 0,
    chance: 0.01,
  },
];

interface Line {
  key: string;
  name: string;
  points: PrivacyPoint[];
}

/** Points grouped into one line per (model, attack), each sorted by epoch; legend "model, attack". */
function linesOf(points: readonly PrivacyPoint[]): Line[] {
  const map = new Map<string, Line>();
  for (const p of points) {
    const key = `${p.experiment ?? ''}|${p.model}|${p.attack}`;
    let l = map.get(key);
    if (l === undefined) map.set(key, (l = { key, name: `${p.model}, ${p.attack}`, points: [] }));
    l.points.push(p);
  }
  for (const l of map.values()) l.points.sort((a, b) => a.epoch - b.epoch);
  return [...map.values()];
}

function metricAxis(m: Metric, values: number[]): AxisSpec {
  const [lo, hi] = paddedDomain([...values, m.chance, ...(m.chance < 0.5 ? [0] : [])], m.floor, 1, 0.02);
  return { label: m.axis, scale: 'linear', domain: [lo, hi] };
}

function panels(lines: readonly Line[], x: (p: PrivacyPoint) => number | null, xAxis: AxisSpec): XyPanel[] {
  return METRICS.map((m) => {
    const series: SeriesSpec[] = lines.map((l, i) => {
      const pts = l.points.filter((p) => x(p) !== null);
      return {
        key: l.key,
        name: l.name,
        x: pts.map((p) => x(p)!),
        y: pts.map(m.get),
        style: styleOf(i),
        markers: 'all',
      };
    });
    return {
      kind: 'xy',
      title: m.title,
      x: xAxis,
      y: metricAxis(
        m,
        series.flatMap((s) => s.y),
      ),
      series,
      referenceLines: [
        { from: [xAxis.domain[0], m.chance], to: [xAxis.domain[1], m.chance], label: 'chance' },
      ],
    };
  });
}

function legendOf(lines: readonly Line[]): LegendEntry[] {
  return lines.map((l, i) => ({ key: l.key, name: l.name, style: styleOf(i) }));
}

/**
 * TF Privacy's plot_by_epochs: AUC, attacker advantage and TPR at 1% FPR on the entire dataset against
 * the epoch, one line per (model, attack). Undefined when there are no points.
 */
export function privacyByEpochChart(
  id: string,
  title: string,
  points: readonly PrivacyPoint[],
): ChartSpec | undefined {
  if (points.length === 0) return undefined;
  const lines = linesOf(points);
  const maxEpoch = Math.max(...points.map((p) => p.epoch));
  return {
    id,
    title,
    caption:
      'Attacks run on the model as it trains: how much it leaks after each epoch (entire dataset). ' +
      'Leakage usually grows with training; pick the epoch with the best trade-off.',
    columns: 3,
    panelWidth: 360,
    panelHeight: 320,
    legend: legendOf(lines),
    panels: panels(lines, (p) => p.epoch, epochAxis(maxEpoch)),
  };
}

/**
 * TF Privacy's plot_privacy_vs_accuracy, made readable: one panel per attack, the AUC on the entire
 * dataset against the validation accuracy at the same epoch, one scatter of points per model (one
 * point per epoch; no connecting line, which zigzags as the validation accuracy wobbles). The legend
 * keys are the models, so hiding one hides it in every panel. Undefined when no point has a
 * validation accuracy.
 */
export function privacyVsUtilityChart(
  id: string,
  title: string,
  points: readonly PrivacyPoint[],
): ChartSpec | undefined {
  const withAcc = points.filter((p) => p.valAccuracy !== null);
  if (withAcc.length === 0) return undefined;
  const models: string[] = [];
  const attacks: string[] = [];
  for (const p of withAcc) {
    if (!models.includes(p.model)) models.push(p.model);
    if (!attacks.includes(p.attack)) attacks.push(p.attack);
  }
  const xAxis: AxisSpec = {
    label: 'Validation accuracy (fraction correct)',
    scale: 'linear',
    domain: paddedDomain(
      withAcc.map((p) => p.valAccuracy!),
      0,
      1,
      0.05,
    ),
  };
  const auc = METRICS[0]!;
  const yAxis = metricAxis(
    auc,
    withAcc.map((p) => p.auc),
  );
  const panels: XyPanel[] = attacks.map((attack) => ({
    kind: 'xy',
    title: `AUC of ${attack}`,
    x: xAxis,
    y: yAxis,
    series: models.map((model, i) => {
      const pts = withAcc
        .filter((p) => p.model === model && p.attack === attack)
        .sort((a, b) => a.epoch - b.epoch);
      return {
        key: `model|${model}`,
        name: `${model}, ${attack}`,
        x: pts.map((p) => p.valAccuracy!),
        y: pts.map((p) => p.auc),
        style: styleOf(i),
        markers: 'all',
        line: false,
      };
    }),
    referenceLines: [{ from: [xAxis.domain[0], 0.5], to: [xAxis.domain[1], 0.5], label: 'chance' }],
  }));
  return {
    id,
    title,
    caption:
      'Privacy against utility, one panel per attack: each point is one epoch of one model (AUC on the entire ' +
      'dataset against the validation accuracy after that epoch). Points that climb steeply buy little accuracy ' +
      'with a lot of leakage. Advantage and TPR at 1% FPR by epoch are in the chart above.',
    columns: Math.min(3, panels.length),
    panelWidth: 400,
    panelHeight: 320,
    legend: models.map((m, i) => ({ key: `model|${m}`, name: m, style: styleOf(i) })),
    panels,
  };
}
