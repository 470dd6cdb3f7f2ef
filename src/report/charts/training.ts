import type { AxisSpec, ChartSpec, LegendEntry, SeriesSpec, SeriesStyle } from '../chart-spec.js';
import type { EpochRow, HistoryModel } from '../run-dir.js';

/** Epoch axis over 1..maxEpoch (half an epoch of room when there is only one). */
export function epochAxis(maxEpoch: number): AxisSpec {
  return {
    label: 'Epoch (passes over the training set)',
    scale: 'linear',
    domain: maxEpoch > 1 ? [1, maxEpoch] : [0.5, 1.5],
    format: 'integer',
  };
}

/** [lo, hi] padded by 5% of the span (at least `minSpan` wide), clamped to [floor, ceil]. */
export function paddedDomain(
  values: readonly number[],
  floor: number,
  ceil: number,
  minSpan = 0.05,
): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [floor, Number.isFinite(ceil) ? ceil : floor + 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < minSpan) {
    const mid = (lo + hi) / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  const pad = (hi - lo) * 0.05;
  return [Math.max(floor, lo - pad), Math.min(ceil, hi + pad)];
}

interface Line {
  key: string;
  name: string;
  rows: EpochRow[];
  style: SeriesStyle;
}

/** Mean of each field per epoch over models (epochs present in every model only). */
function meanHistory(models: readonly HistoryModel[]): EpochRow[] {
  const byEpoch = new Map<number, EpochRow[]>();
  for (const m of models)
    for (const e of m.epochs) byEpoch.set(e.epoch, [...(byEpoch.get(e.epoch) ?? []), e]);
  const mean = (rows: EpochRow[], f: (r: EpochRow) => number | null) => {
    const v = rows.map(f).filter((x): x is number => x !== null);
    return v.length === rows.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return [...byEpoch.entries()]
    .filter(([, rows]) => rows.length === models.length)
    .sort((a, b) => a[0] - b[0])
    .map(([epoch, rows]) => ({
      epoch,
      trainLoss: mean(rows, (r) => r.trainLoss) ?? Number.NaN,
      trainAccuracy: mean(rows, (r) => r.trainAccuracy) ?? Number.NaN,
      valLoss: mean(rows, (r) => r.valLoss),
      valAccuracy: mean(rows, (r) => r.valAccuracy),
    }));
}

/**
 * Training and validation accuracy (left) and loss (right) per epoch, one colour and marker per model,
 * solid for training and dashed for validation. Target models are drawn one by one; reference and
 * shadow models (role ≠ "target") are drawn as their mean when there are any. Undefined when no model
 * has a recorded epoch.
 */
export function trainingChart(
  id: string,
  title: string,
  models: readonly HistoryModel[],
): ChartSpec | undefined {
  const targets = models.filter((m) => m.role === 'target' && m.epochs.length > 0);
  const others = models.filter((m) => m.role !== 'target' && m.epochs.length > 0);
  const groups: { key: string; label: string; rows: EpochRow[] }[] = targets.map((m) => ({
    key: m.id,
    label: m.label,
    rows: m.epochs,
  }));
  if (others.length > 0) {
    const rows = meanHistory(others);
    if (rows.length > 0)
      groups.push({ key: '__others', label: `${others[0]!.role} models (mean of ${others.length})`, rows });
  }
  if (groups.length === 0) return undefined;
  const lines: Line[] = [];
  groups.forEach((g, i) => {
    lines.push({
      key: `${g.key}|train`,
      name: `${g.label} — training`,
      rows: g.rows,
      style: { color: i, dash: 0, marker: i },
    });
    if (g.rows.some((r) => r.valLoss !== null || r.valAccuracy !== null)) {
      lines.push({
        key: `${g.key}|val`,
        name: `${g.label} — validation`,
        rows: g.rows,
        style: { color: i, dash: 1, marker: i },
      });
    }
  });
  const maxEpoch = Math.max(...lines.flatMap((l) => l.rows.map((r) => r.epoch)));
  const pick = (l: Line, field: 'acc' | 'loss') =>
    l.rows
      .map((r) => {
        const v = l.key.endsWith('|train')
          ? field === 'acc'
            ? r.trainAccuracy
            : r.trainLoss
          : field === 'acc'
            ? r.valAccuracy
            : r.valLoss;
        return [r.epoch, v] as const;
      })
      .filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
  const series = (field: 'acc' | 'loss'): SeriesSpec[] =>
    lines.map((l) => {
      const pts = pick(l, field);
      return {
        key: l.key,
        name: l.name,
        x: pts.map((p) => p[0]),
        y: pts.map((p) => p[1]),
        style: l.style,
        markers: maxEpoch <= 30 ? 'all' : 'some',
      };
    });
  const acc = series('acc');
  const loss = series('loss');
  const legend: LegendEntry[] = lines.map((l) => ({ key: l.key, name: l.name, style: l.style }));
  return {
    id,
    title,
    caption:
      'Accuracy and cross-entropy loss after each epoch, on the training set (solid) and the held-out ' +
      'validation set (dashed). A widening gap between the two is over-fitting, which membership ' +
      'inference exploits.',
    columns: 2,
    panelWidth: 440,
    panelHeight: 340,
    legend,
    panels: [
      {
        kind: 'xy',
        title: 'Accuracy',
        x: epochAxis(maxEpoch),
        y: {
          label: 'Accuracy (fraction correct)',
          scale: 'linear',
          domain: paddedDomain(
            acc.flatMap((s) => s.y),
            0,
            1,
          ),
        },
        series: acc,
      },
      {
        kind: 'xy',
        title: 'Loss',
        x: epochAxis(maxEpoch),
        y: {
          label: 'Cross-entropy loss (nats per sample)',
          scale: 'linear',
          domain: paddedDomain(
            loss.flatMap((s) => s.y),
            0,
            Number.POSITIVE_INFINITY,
          ),
        },
        series: loss,
      },
    ],
  };
}
