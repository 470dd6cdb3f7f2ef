/**
 * writeReport: a run directory (docs/run-dir.md) → `report/report.html` (self-contained, interactive)
 * plus every chart beside it as SVG and PNG. See docs/report.md.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMiaError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { type BuildChartsOptions, type BuiltChart, buildCharts, scoresFor } from './build-charts.js';
import { buildHtml, type HtmlChart } from './html.js';
import { svgToPng } from './png.js';
import { type RunData, readRunDir } from './run-dir.js';
import { renderChart } from './svg.js';
import { experimentsOf, type Target, targetsOf } from './targets.js';

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
  /** Things left out (unreadable optional files, PNGs when resvg cannot be loaded), also shown in the page. */
  warnings: string[];
  /** Chart files of an earlier report that this one no longer writes, removed from the folder. */
  removed: string[];
}

/** The charts an optional file adds, for "<file>: unreadable (…); its charts are left out". */
function leftOut(file: string): string {
  if (/^(scores\.npz|scores\/|history\.json|privacy-by-epoch\.json|samples\.npz)/.test(file))
    return 'its charts are left out';
  if (file === 'experiments.json') return 'the Experiments compared section is left out';
  return 'it is left out of the page';
}

/**
 * A chart file the report writes: `<id>.svg` or `<id>.png` with `<id>` one of the chart ids of
 * build-charts.ts (`models`, `roc`, `training`, `privacy-by-epoch`, `privacy-vs-utility`,
 * `reference-curve`, `slices`, `samples`), optionally suffixed `-<slug>` (experiment, target, or a `-2` of a repeated id).
 */
export const CHART_FILE =
  /^(models|roc|training|privacy-by-epoch|privacy-vs-utility|reference-curve|slices|samples)(-[a-z0-9]+(-[a-z0-9]+)*)?\.(svg|png)$/;

/** The scores file the audit pipeline writes for `experiment` (docs/run-dir.md). */
function scoresFileOf(experiment: string | undefined): string {
  return experiment !== undefined && /^[1-9]\d*$/.test(experiment)
    ? `scores/experiment-${Number(experiment)}.npz`
    : 'scores.npz';
}

/**
 * The "not in the run directory" entries of the scores: each scores file the shown targets would read
 * their ROC curves from that is absent (per experiment in a run of several), and the targets whose
 * file is there but holds no scores of theirs.
 */
function missingScores(
  run: RunData,
  shown: readonly Target[],
  all: readonly Target[],
): { absent: string[]; noScores: string[] } {
  const absent = new Map<string, Set<string>>();
  const noScores: string[] = [];
  const unreadable = new Set(run.unreadable.map((u) => u.file));
  const several = experimentsOf(all).length > 1;
  for (const t of shown) {
    if (scoresFor(t, run.scores, all) !== undefined) continue;
    const file = scoresFileOf(t.experiment);
    if (unreadable.has(file)) continue; // already said: "<file>: unreadable (…)"
    if (existsSync(join(run.dir, file))) noScores.push(t.label);
    else {
      const e = absent.get(file) ?? new Set<string>();
      if (several && t.experiment !== undefined) e.add(t.experiment);
      absent.set(file, e);
    }
  }
  return {
    absent: [...absent].map(([file, e]) =>
      e.size === 0
        ? `${file} (ROC curves)`
        : `${file} (ROC curves of experiment${e.size === 1 ? '' : 's'} ${[...e].join(', ')})`,
    ),
    noScores,
  };
}

/**
 * Reads `runDir`, builds every chart its files allow (a missing optional file just leaves its charts
 * out), writes `<id>.svg` and `<id>.png` for each and `report.html` into `options.outDir`, atomically.
 * Throws MiaError E_IO naming `<runDir>/results.json` when it is missing, E_JSON / E_SHAPE_MISMATCH /
 * E_MISSING_FIELD naming the field when it is malformed. An optional file that cannot be read is left
 * out and named in `warnings` ("<file>: unreadable (…); its charts are left out"). When PNG rendering
 * is unavailable (E_BACKEND) the SVGs and the page are still written and `warnings` say so. Chart files
 * of an earlier report in `outDir` that this one does not write are removed (`removed`).
 */
export async function writeReport(
  runDir: string,
  options: WriteReportOptions = {},
): Promise<WriteReportResult> {
  const run = readRunDir(runDir);
  const warnings: string[] = run.unreadable.map(
    (u) => `${u.file}: unreadable (${u.reason}); ${leftOut(u.file)}`,
  );
  const outDir = options.outDir ?? join(runDir, 'report');
  const chartOptions: BuildChartsOptions = {};
  if (options.maxRocPoints !== undefined) chartOptions.maxRocPoints = options.maxRocPoints;
  const maxExperiments = options.maxExperiments ?? 6;
  chartOptions.maxExperiments = maxExperiments;
  const built: BuiltChart[] = buildCharts(run, chartOptions);
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
      if (!warnings.some((w) => w.startsWith('PNG files were not written')))
        warnings.push(`PNG files were not written: ${e.message}`);
    }
    html.push({ built: b, rendered: r, files });
  }
  const gone = new Set(run.unreadable.map((u) => u.file));
  const targets = targetsOf(run.results);
  const experimentList = experimentsOf(targets);
  const shownTargets = targets.filter((t) => experimentList.slice(0, maxExperiments).includes(t.experiment));
  const scores = missingScores(run, shownTargets, targets);
  const absent: string[] = [];
  absent.push(...scores.absent);
  if (run.history === undefined && !gone.has('history.json')) absent.push('history.json (training curves)');
  if (run.privacy === undefined && !gone.has('privacy-by-epoch.json'))
    absent.push('privacy-by-epoch.json (privacy by epoch, privacy vs utility)');
  if (run.samples === undefined && !gone.has('samples.npz')) absent.push('samples.npz (sample images)');
  const notes = [...warnings];
  if (scores.noScores.length > 0) {
    notes.push(
      `The scores files hold no scores of ${scores.noScores.join(', ')}, so ${scores.noScores.length === 1 ? 'its' : 'their'} ROC curves are left out.`,
    );
  }
  const experiments = experimentList.length;
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
  const removed = removeStaleCharts(outDir, written);
  return { html: htmlPath, charts: written, warnings, removed };
}

/**
 * Removes the chart files ({@link CHART_FILE}) of `outDir` that are not in `written` — left by an
 * earlier report whose charts this one does not draw (or PNGs of a report now written with --no-png).
 * Nothing else in the folder is touched. Returns the removed paths.
 */
function removeStaleCharts(outDir: string, written: readonly string[]): string[] {
  const keep = new Set(written.map((f) => resolve(f)));
  const removed: string[] = [];
  for (const e of readdirSync(outDir, { withFileTypes: true })) {
    if (!e.isFile() || !CHART_FILE.test(e.name)) continue;
    const path = resolve(outDir, e.name);
    if (keep.has(path)) continue;
    rmSync(path, { force: true });
    removed.push(path);
  }
  return removed;
}
