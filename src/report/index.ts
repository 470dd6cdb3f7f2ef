/**
 * The report stage: a run directory (docs/run-dir.md) → `report/report.html` (self-contained,
 * interactive) plus every chart beside it as SVG and PNG. See docs/report.md.
 */
import { join, resolve } from 'node:path';
import { isMiaError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { type BuildChartsOptions, type BuiltChart, buildCharts } from './build-charts.js';
import { buildHtml, type HtmlChart } from './html.js';
import { svgToPng } from './png.js';
import { readRunDir } from './run-dir.js';
import { renderChart } from './svg.js';
import { experimentsOf, targetsOf } from './targets.js';

export interface WriteReportOptions {
  /** Folder of report.html and the chart files (default `<runDir>/report`). */
  outDir?: string;
  /** Also write each chart as PNG (default true). */
  png?: boolean;
  /** PNG pixels per SVG unit (default 2). */
  pngScale?: number;
  /** At most this many points per plotted ROC curve (default 400; plotting only, never metrics). */
  maxRocPoints?: number;
  /** Per-experiment charts for at most this many experiments (default 6). */
  maxExperiments?: number;
  /** The time written into the page (default now). */
  now?: Date;
}

export interface WriteReportResult {
  /** Path of report.html. */
  html: string;
  /** Paths of every chart file written, `<id>.svg` then `<id>.png` per chart, in report order. */
  charts: string[];
  /** Things left out (e.g. PNGs when resvg cannot be loaded), also shown in the page. */
  warnings: string[];
}

/**
 * Reads `runDir`, builds every chart its files allow (a missing optional file just leaves its charts
 * out), writes `<id>.svg` and `<id>.png` for each and `report.html` into `options.outDir`, atomically.
 * Throws MiaError E_IO naming `<runDir>/results.json` when it is missing, E_JSON / E_SHAPE_MISMATCH /
 * E_MISSING_FIELD naming the file and field when one is malformed. When PNG rendering is unavailable
 * (E_BACKEND) the SVGs and the page are still written and the result's `warnings` say so.
 */
export async function writeReport(
  runDir: string,
  options: WriteReportOptions = {},
): Promise<WriteReportResult> {
  const run = readRunDir(runDir);
  const outDir = options.outDir ?? join(runDir, 'report');
  const chartOptions: BuildChartsOptions = {};
  if (options.maxRocPoints !== undefined) chartOptions.maxRocPoints = options.maxRocPoints;
  const maxExperiments = options.maxExperiments ?? 6;
  chartOptions.maxExperiments = maxExperiments;
  const built: BuiltChart[] = buildCharts(run, chartOptions);
  const warnings: string[] = [];
  const written: string[] = [];
  const html: HtmlChart[] = [];
  const png = options.png ?? true;
  const rendered = built.map((b) => renderChart(b.spec));
  // PNGs render on libuv worker threads, all charts at once; files are written in report order.
  const pngs = png
    ? await Promise.allSettled(rendered.map((r) => svgToPng(r.svg, options.pngScale ?? 2)))
    : [];
  for (const [i, b] of built.entries()) {
    const r = rendered[i]!;
    const files = [`${r.id}.svg`];
    writeFileAtomic(join(outDir, files[0]!), r.svg);
    written.push(resolve(outDir, files[0]!));
    const p = pngs[i];
    if (p?.status === 'fulfilled') {
      files.push(`${r.id}.png`);
      writeFileAtomic(join(outDir, files[1]!), p.value);
      written.push(resolve(outDir, files[1]!));
    } else if (p?.status === 'rejected') {
      const e: unknown = p.reason;
      if (!isMiaError(e) || e.code !== 'E_BACKEND') throw e;
      if (warnings.length === 0) warnings.push(`PNG files were not written: ${e.message}`);
    }
    html.push({ built: b, rendered: r, files });
  }
  const absent: string[] = [];
  if (run.scores.length === 0) absent.push('scores.npz (ROC curves)');
  if (run.history === undefined) absent.push('history.json (training curves)');
  if (run.privacy === undefined) absent.push('privacy-by-epoch.json (privacy by epoch, privacy vs utility)');
  if (run.samples === undefined) absent.push('samples.npz (sample images)');
  const notes = [...warnings];
  const experiments = experimentsOf(targetsOf(run.results)).length;
  if (experiments > maxExperiments) {
    notes.push(
      `Charts per experiment are drawn for the first ${maxExperiments} of ${experiments} experiments; the comparison chart and the tables cover all.`,
    );
  }
  if (absent.length > 0)
    notes.push(`Not in the run directory, so their charts are left out: ${absent.join('; ')}.`);
  const page = buildHtml(run, html, { generatedAt: (options.now ?? new Date()).toISOString(), notes });
  const htmlPath = resolve(outDir, 'report.html');
  writeFileAtomic(htmlPath, page);
  return { html: htmlPath, charts: written, warnings };
}

export { type BuildChartsOptions, type BuiltChart, buildCharts } from './build-charts.js';
export * from './chart-spec.js';
export { modelsChart, slicesChart } from './charts/bars.js';
export { privacyByEpochChart, privacyVsUtilityChart } from './charts/privacy-epoch.js';
export { logFprFloor, type RocCurveInput, rocChart } from './charts/roc.js';
export { samplesChart } from './charts/samples.js';
export { trainingChart } from './charts/training.js';
export {
  type AttackResultsCollection,
  loadCollection,
  mergeCollections,
  type PrivacyPoint,
  type PrivacyReportMetadata,
  parseCollection,
  pointsFromResults,
  saveCollection,
} from './collection.js';
export { buildHtml } from './html.js';
export { encodeRgbPng, svgToPng } from './png.js';
export { type ReportResult, type RunData, readRunDir } from './run-dir.js';
export { type LeakageLevel, leakageLevel, type Summary, summarizeResults } from './summary.js';
export { type RenderedChart, renderChart } from './svg.js';
