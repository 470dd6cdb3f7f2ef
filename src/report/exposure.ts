/**
 * The report's "What each API choice leaks" section, for a run that swept audit.exposure
 * (signals/exposure.ts): per exposure the strongest attack on the entire dataset of the first target
 * (highest TPR at the headline FPR, ties by AUC), its AUC with DeLong's 95% interval and its TPR with the
 * Clopper–Pearson 95% interval; a chart of both; and one sentence per exposure against the first.
 */
import type { ChartSpec } from './chart-spec.js';
import { styleOf } from './chart-spec.js';
import { fprLabel, headlineFpr } from './fpr.js';
import type { ReportResult } from './run-dir.js';
import { pct } from './summary.js';
import { targetKey } from './targets.js';
import { escapeXml as esc } from './text.js';

/** The section's title (and its charts' section in build-charts.ts). */
export const EXPOSURE_SECTION = 'What each API choice leaks';

/** One exposure's row of the section. */
export interface ExposureRow {
  exposure: string;
  /** The strongest attack's entire-dataset result on this exposure. */
  best: ReportResult;
  /** Attacks that ran on this exposure. */
  attacks: number;
}

/**
 * The rows of {@link ExposureRow}, in the order the exposures first appear, from the first target's
 * entire-dataset results (every result must carry `exposure`), and the FPR key they are read at;
 * empty when there are no exposures.
 */
export function exposureRows(results: readonly ReportResult[]): {
  rows: ExposureRow[];
  fpr: string | undefined;
} {
  const first = results[0];
  if (first === undefined) return { rows: [], fpr: undefined };
  const key = targetKey(first);
  const entire = results.filter(
    (r) => r.exposure !== undefined && r.slice.feature === 'entire_dataset' && targetKey(r) === key,
  );
  const fpr = headlineFpr(entire);
  const tprOf = (r: ReportResult) => (fpr === undefined ? -1 : (r.tprAtFpr[fpr]?.tpr ?? -1));
  const rows: ExposureRow[] = [];
  for (const r of entire) {
    const row = rows.find((x) => x.exposure === r.exposure);
    if (row === undefined) {
      rows.push({ exposure: r.exposure!, best: r, attacks: 1 });
      continue;
    }
    row.attacks++;
    const d = tprOf(r) - tprOf(row.best);
    if (d > 0 || (d === 0 && r.auc > row.best.auc)) row.best = r;
  }
  return { rows, fpr };
}

const tprText = (r: ReportResult, fpr: string) => {
  const e = r.tprAtFpr[fpr];
  return e === undefined ? 'not computed' : `${pct(e.tpr)} (${pct(e.low)}–${pct(e.high)})`;
};

/**
 * One sentence per exposure after the first: how returning it instead of the first changes the best
 * attack's TPR at `fpr` and its AUC, e.g. "Returning top-1 instead of probs lowers the best attack's TPR
 * at 1% FPR from 8.8% (7.1–10.7%) to 2.1% (1.4–3.0%), and its AUC from 0.712 to 0.601."
 */
export function exposureSentences(rows: readonly ExposureRow[], fpr: string | undefined): string[] {
  const base = rows[0];
  if (base === undefined || fpr === undefined) return [];
  return rows.slice(1).map((row) => {
    const a = base.best.tprAtFpr[fpr]?.tpr ?? Number.NaN;
    const b = row.best.tprAtFpr[fpr]?.tpr ?? Number.NaN;
    const verb = b < a ? 'lowers' : b > a ? 'raises' : 'leaves';
    const change =
      verb === 'leaves'
        ? `at ${tprText(row.best, fpr)}`
        : `from ${tprText(base.best, fpr)} to ${tprText(row.best, fpr)}`;
    return (
      `Returning ${row.exposure} instead of ${base.exposure} ${verb} the best attack's TPR at ` +
      `${fprLabel(fpr)} FPR ${change}, and its AUC from ${base.best.auc.toFixed(3)} to ${row.best.auc.toFixed(3)} ` +
      `(${row.best.attack}).`
    );
  });
}

/** The chart: per exposure, the strongest attack's TPR at `fpr` and AUC, each with its 95% interval. */
export function exposureChart(rows: readonly ExposureRow[], fpr: string | undefined): ChartSpec | undefined {
  if (rows.length === 0) return undefined;
  const categories = rows.map((r) => r.exposure);
  const notes = rows.map((r) => `${r.best.attack}`);
  const style = styleOf(0);
  const legend = [{ key: 'best', name: 'strongest attack on the exposure', style, swatch: 'box' as const }];
  const tprPanel =
    fpr === undefined
      ? []
      : [
          {
            kind: 'bar' as const,
            title: `TPR at ${fprLabel(fpr)} FPR`,
            categoryLabel: 'what the API returns',
            categories,
            y: {
              label: `TPR at ${fprLabel(fpr)} FPR`,
              scale: 'linear' as const,
              domain: [0, 1] as [number, number],
              format: 'percent' as const,
            },
            baseline: 0,
            groups: [
              {
                key: 'best',
                name: 'strongest attack',
                style,
                values: rows.map((r) => r.best.tprAtFpr[fpr]?.tpr ?? null),
                notes,
                intervals: rows.map((r) => {
                  const e = r.best.tprAtFpr[fpr];
                  return e === undefined ? null : ([e.low, e.high] as [number, number]);
                }),
              },
            ],
          },
        ];
  return {
    id: 'exposure',
    title: 'What each API choice leaks',
    caption:
      'Per output exposure, the strongest attack’s TPR at a low FPR and its AUC on the entire dataset; ' +
      'whiskers are 95% intervals (Clopper–Pearson for TPR, DeLong for AUC).',
    panels: [
      ...tprPanel,
      {
        kind: 'bar',
        title: 'AUC',
        categoryLabel: 'what the API returns',
        categories,
        y: { label: 'AUC (0.5 = guessing)', scale: 'linear', domain: [0, 1] },
        baseline: 0.5,
        baselineLabel: 'guessing',
        groups: [
          {
            key: 'best',
            name: 'strongest attack',
            style,
            values: rows.map((r) => r.best.auc),
            notes,
            intervals: rows.map((r) => [r.best.aucInterval.low, r.best.aucInterval.high]),
          },
        ],
      },
    ],
    legend,
  };
}

/** The section's table and sentences (the chart is rendered beside it by html.ts). */
export function exposureHtml(rows: readonly ExposureRow[], fpr: string | undefined): string {
  if (rows.length === 0) return '';
  const head = [
    'exposure',
    'strongest attack',
    'AUC (95% CI)',
    `TPR at ${fpr === undefined ? '–' : fprLabel(fpr)} FPR (95% CI)`,
    'attacks run',
  ];
  const body = rows.map((r) => {
    const ai = r.best.aucInterval;
    const cells = [
      r.exposure,
      r.best.attack,
      `${r.best.auc.toFixed(3)} (${ai.low.toFixed(3)}–${ai.high.toFixed(3)})`,
      fpr === undefined ? '–' : tprText(r.best, fpr),
      String(r.attacks),
    ];
    return `<tr>${cells.map((c, i) => `<td${i < 2 ? ' class="t"' : ''}>${esc(c)}</td>`).join('')}</tr>`;
  });
  return [
    '<p class="note">The models were queried once; each exposure is what an API returning it shows (top-K keeps the K largest probabilities and spreads the rest uniformly over the other classes; round-D rounds to D decimals; label keeps only the predicted label). Attacks that cannot run on an exposure were skipped.</p>',
    ...exposureSentences(rows, fpr).map((x) => `<p>${esc(x)}</p>`),
    `<div class="scroll"><table><thead><tr>${head.map((h, i) => `<th${i < 2 ? ' class="t"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`,
  ].join('\n');
}
