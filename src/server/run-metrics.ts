/**
 * What the web UI shows of a run's results: the headline of the runs table (the strongest attack on the
 * entire dataset: AUC with its interval, TPR at 1% FPR with its interval) and the metrics of the
 * experiment comparison (GET /api/v1/experiments/:name/compare): the runs side by side, which run
 * leaks more where the difference exceeds the noise (the case-study rule, audit/compare-experiments.ts
 * aboutEqual), and the ROC overlay drawn by the report's own chart code (report/charts/roc.ts → svg.ts).
 * Read from the run directory's results.json and scores; a run without results.json has none.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { aboutEqual, differenceInterval } from '../audit/compare-experiments.js';
import { rocCurves } from '../report/build-charts.js';
import { type RocCurveInput, rocChart } from '../report/charts/roc.js';
import { PREFERRED_FPR } from '../report/fpr.js';
import { type ReportResult, readAllScores, readResultsFile } from '../report/run-dir.js';
import { renderChart } from '../report/svg.js';
import { targetsOf } from '../report/targets.js';
import type { ComparedRun, ExperimentComparison, RunHeadline, TprView } from '../service/api-schemas.js';
import type { AuditRecord } from '../service/sqlite-store.js';

type Metrics = NonNullable<ComparedRun['metrics']>;

/** The run's strongest entire-dataset result (highest AUC, first on ties), or undefined. */
function strongest(results: readonly ReportResult[]): ReportResult | undefined {
  let best: ReportResult | undefined;
  for (const r of results) {
    if (r.slice.feature !== 'entire_dataset' || Number.isNaN(r.auc)) continue;
    if (best === undefined || r.auc > best.auc) best = r;
  }
  return best;
}

const tprViews = (r: ReportResult): TprView[] =>
  Object.entries(r.tprAtFpr)
    .map(([fpr, t]) => ({ fpr, tpr: t.tpr, low: t.low, high: t.high }))
    .sort((a, b) => Number(a.fpr) - Number(b.fpr));

function metricsOf(r: ReportResult): Metrics {
  const eps = r.epsilonLowerBound;
  return {
    attack: r.attack,
    model: r.model ?? null,
    auc: r.auc,
    aucInterval:
      r.aucInterval === undefined
        ? null
        : { low: r.aucInterval.low, high: r.aucInterval.high, se: r.aucInterval.se },
    advantage: r.advantage,
    tprAtFpr: tprViews(r),
    epsilonLowerBound: Number.isFinite(eps) ? eps : null,
  };
}

const cache = new Map<string, { mtimeMs: number; metrics: Metrics | null }>();

/**
 * The metrics of the strongest attack of the run in `runDir` (null without results.json, or when it
 * holds no entire-dataset result). Cached by results.json's modification time.
 */
export function runMetrics(runDir: string): Metrics | null {
  const path = join(runDir, 'results.json');
  if (!existsSync(path)) return null;
  const mtimeMs = statSync(path).mtimeMs;
  const hit = cache.get(path);
  if (hit !== undefined && hit.mtimeMs === mtimeMs) return hit.metrics;
  let metrics: Metrics | null = null;
  try {
    const best = strongest(readResultsFile(runDir).results);
    metrics = best === undefined ? null : metricsOf(best);
  } catch {
    metrics = null; // a results.json being replaced or malformed: no headline (the report says why)
  }
  cache.set(path, { mtimeMs, metrics });
  return metrics;
}

/** The runs table's headline of a run: its strongest attack's AUC and TPR at 1% FPR. */
export function runHeadline(runDir: string): RunHeadline | null {
  const m = runMetrics(runDir);
  if (m === null) return null;
  return {
    attack: m.attack,
    model: m.model,
    auc: m.auc,
    aucInterval: m.aucInterval,
    tprAt1: m.tprAtFpr.find((t) => t.fpr === PREFERRED_FPR) ?? null,
  };
}

/** The ROC curve of the strongest attack of the run (downsampled for the plot), or undefined. */
function rocOf(runDir: string, label: string, key: string): RocCurveInput | undefined {
  try {
    const { results } = readResultsFile(runDir);
    const best = strongest(results);
    if (best === undefined) return undefined;
    const targets = targetsOf(results);
    const target = targets.find((t) => t.results.includes(best));
    if (target === undefined) return undefined;
    const curve = rocCurves([target], targets, readAllScores(runDir), 400).find(
      (c) => c.key === `${target.key}|${best.attack}`,
    );
    return curve === undefined ? undefined : { ...curve, key, name: `${label} · ${best.attack}` };
  } catch {
    return undefined; // no scores file (an attack-only run that kept none): no curve
  }
}

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The AUC standing of a compared run for the rule (seed spread not recorded per run here: 0). */
const standing = (m: Metrics) => ({ auc: m.auc, aucStandardError: m.aucInterval?.se ?? 0, seedStd: 0 });

/**
 * The comparison of `runs` (audits of experiment `experiment`, with their run directories): every run's
 * metrics, for each pair of runs with results whether one leaks more (its AUC higher beyond two standard
 * errors of the difference and by at least 0.005, as the case-study report decides) or they leak about
 * equally, with TPR at 1% FPR's difference interval in words, and the ROC overlay of the strongest
 * attack of each run.
 */
export function compareRuns(
  experiment: string,
  runs: readonly { audit: AuditRecord; runDir: string }[],
): ExperimentComparison {
  const compared: ComparedRun[] = runs.map(({ audit, runDir }) => ({
    id: audit.id,
    name: audit.name,
    status: audit.status,
    finishedAt: audit.finishedAt,
    metrics: runMetrics(runDir),
  }));
  const withMetrics = compared.filter((r): r is ComparedRun & { metrics: Metrics } => r.metrics !== null);
  const verdicts: ExperimentComparison['verdicts'] = [];
  const equal: ExperimentComparison['equal'] = [];
  for (let i = 0; i < withMetrics.length; i++) {
    for (let j = i + 1; j < withMetrics.length; j++) {
      const [a, b] =
        withMetrics[i]!.metrics.auc >= withMetrics[j]!.metrics.auc
          ? [withMetrics[i]!, withMetrics[j]!]
          : [withMetrics[j]!, withMetrics[i]!];
      const numbers = `AUC ${f3(a.metrics.auc)} vs ${f3(b.metrics.auc)}${tprWords(a.metrics, b.metrics)}`;
      if (aboutEqual(standing(a.metrics), standing(b.metrics))) {
        equal.push({
          a: a.id,
          b: b.id,
          sentence: `${a.name} and ${b.name} leak about equally: ${numbers}; the AUC difference is within the noise.`,
        });
      } else {
        verdicts.push({
          more: a.id,
          less: b.id,
          sentence: `${a.name} leaks more than ${b.name}: ${numbers}; the AUC difference exceeds the noise.`,
        });
      }
    }
  }
  const curves = runs.flatMap(({ audit, runDir }) => rocOf(runDir, audit.name, audit.id) ?? []);
  const rocSvg =
    curves.length === 0
      ? null
      : renderChart(rocChart('compare-roc', `ROC curves, experiment ${experiment}`, curves)).svg;
  return { experiment, runs: compared, verdicts, equal, rocSvg };
}

/** ", TPR at 1% FPR 12.0% vs 3.0% (difference 95% CI +4.1 to +13.2 points)" when both have it. */
function tprWords(a: Metrics, b: Metrics): string {
  const ta = a.tprAtFpr.find((t) => t.fpr === PREFERRED_FPR);
  const tb = b.tprAtFpr.find((t) => t.fpr === PREFERRED_FPR);
  if (ta === undefined || tb === undefined) return '';
  const [lo, hi] = differenceInterval(ta, tb);
  const pts = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;
  const within = lo <= 0 && hi >= 0 ? ', within the noise' : '';
  return `, TPR at 1% FPR ${pct(ta.tpr)} vs ${pct(tb.tpr)} (difference 95% CI ${pts(lo)} to ${pts(hi)} points${within})`;
}
