/** Every chart of a run's report, as specs, from what the run directory holds. */
import { isMiaError } from '../errors.js';
import { downsampleRocForPlot } from '../metrics/downsample.js';
import { rocCurve } from '../metrics/roc.js';
import type { ChartSpec } from './chart-spec.js';
import { modelsChart, slicesChart } from './charts/bars.js';
import { privacyByEpochChart, privacyVsUtilityChart } from './charts/privacy-epoch.js';
import { referenceCurveChart } from './charts/reference-curve.js';
import { type RocCurveInput, rocChart } from './charts/roc.js';
import { samplesChart } from './charts/samples.js';
import { trainingChart } from './charts/training.js';
import type { PrivacyPoint } from './collection.js';
import { EXPOSURE_SECTION, exposureChart, exposureRows } from './exposure.js';
import type { HistoryModel, RunData, RunScores } from './run-dir.js';
import { experimentsOf, type Target, targetsOf } from './targets.js';
import { slug } from './text.js';

export interface BuiltChart {
  spec: ChartSpec;
  /** The report section the chart belongs to ("Overview", "Experiment: depth", "Slices", "Data"). */
  section: string;
}

export interface BuildChartsOptions {
  /** At most this many points per ROC curve in the plots (never for metrics; default 400). */
  maxRocPoints?: number;
  /** Per-experiment and per-target charts for at most this many experiments (default 6; the rest are
   * summarized by the comparison chart and the tables). */
  maxExperiments?: number;
}

/**
 * The scores of target `t`, tried in order: keys prefixed `<experiment>/<model>/`; keys prefixed
 * `<model>/` in scores.npz or in the experiment's own file (scores/experiment-<e>.npz); the unprefixed
 * keys of the experiment's file (for its first target); the unprefixed keys of scores.npz (for the
 * run's first target — the single-target layout, and the pipeline's experiment 0).
 */
export function scoresFor(
  t: Target,
  scores: readonly RunScores[],
  targets: readonly Target[],
): RunScores | undefined {
  const sameFile = (s: RunScores) => s.experiment === undefined || s.experiment === t.experiment;
  const tries: ((s: RunScores) => boolean)[] = [
    (s) => t.experiment !== undefined && t.model !== undefined && s.model === `${t.experiment}/${t.model}`,
    (s) => t.model !== undefined && s.model === t.model && sameFile(s),
    (s) =>
      s.model === '' &&
      s.experiment !== undefined &&
      s.experiment === t.experiment &&
      targets.find((x) => x.experiment === t.experiment) === t,
    (s) => s.model === '' && s.experiment === undefined && targets[0] === t,
  ];
  for (const ok of tries) {
    const s = scores.find(ok);
    if (s !== undefined) return s;
  }
  return undefined;
}

/** The ROC of each attack of each target in `group` that has scores (NaN scores left out). */
export function rocCurves(
  group: readonly Target[],
  all: readonly Target[],
  scores: readonly RunScores[],
  maxPoints: number,
): RocCurveInput[] {
  const curves: RocCurveInput[] = [];
  for (const t of group) {
    const s = scoresFor(t, scores, all);
    if (s === undefined) continue;
    for (const [attack, values] of s.byAttack) {
      let n = 0;
      for (const v of values) if (!Number.isNaN(v)) n++;
      const sc = new Float64Array(n);
      const truth = new Uint8Array(n);
      let j = 0;
      for (let i = 0; i < values.length; i++) {
        if (Number.isNaN(values[i]!)) continue;
        sc[j] = values[i]!;
        truth[j++] = s.isMember[i]!;
      }
      let roc: ReturnType<typeof rocCurve>;
      try {
        roc = rocCurve(sc, truth);
      } catch (e) {
        if (isMiaError(e) && e.code === 'E_EMPTY') continue; // no member or no non-member scored
        throw e;
      }
      const result = t.results.find((r) => r.attack === attack && r.slice.feature === 'entire_dataset');
      const curve: RocCurveInput = {
        key: `${t.key}|${attack}`,
        name: group.length > 1 ? `${t.model ?? 'target'} · ${attack}` : attack,
        roc: downsampleRocForPlot(roc, maxPoints),
      };
      if (result !== undefined) curve.auc = result.auc;
      curves.push(curve);
    }
  }
  return curves;
}

const matches = (t: Target, name: string) => t.model === name || t.label === name;

function historyFor(group: readonly Target[], history: readonly HistoryModel[]): HistoryModel[] {
  return history.filter((m) => group.some((t) => matches(t, m.id) || matches(t, m.label)));
}

function pointsFor(
  experiment: string | undefined,
  group: readonly Target[],
  points: readonly PrivacyPoint[],
): PrivacyPoint[] {
  return points.filter((p) =>
    p.experiment !== undefined ? p.experiment === experiment : group.some((t) => matches(t, p.model)),
  );
}

/**
 * The report's charts, in reading order: the comparison of all targets (with several), then per
 * experiment ROC (linear and log-log), training curves, privacy by epoch and privacy vs utility, the
 * metric against the number of reference models (reference-curve.json), then vulnerability per slice of each target, then the sample images. Per-experiment and per-target charts
 * are drawn for the first `maxExperiments` experiments only. A chart whose data is missing is
 * left out. Chart ids are unique: `roc`, `training`, … for a run with one experiment, suffixed with
 * the experiment's slug (`roc-depth`) when there are several.
 */
export function buildCharts(run: RunData, options: BuildChartsOptions = {}): BuiltChart[] {
  const maxPoints = options.maxRocPoints ?? 400;
  const targets = targetsOf(run.results);
  const experiments = experimentsOf(targets);
  const multi = experiments.length > 1;
  const used = new Set<string>();
  const uid = (base: string) => {
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    return id;
  };
  const out: BuiltChart[] = [];
  const add = (section: string, spec: ChartSpec | undefined) => {
    if (spec !== undefined) out.push({ section, spec: { ...spec, id: uid(spec.id) } });
  };
  add('Overview', modelsChart('models', 'Attack results of every target model', targets));
  const sweep = exposureRows(run.exposureResults);
  add(EXPOSURE_SECTION, exposureChart(sweep.rows, sweep.fpr));
  const seenHistory = new Set<HistoryModel>();
  const seenPoints = new Set<PrivacyPoint>();
  const maxExperiments = options.maxExperiments ?? 6;
  const shown = experiments.slice(0, maxExperiments);
  for (const exp of shown) {
    const group = targets.filter((t) => t.experiment === exp);
    const sfx = multi && exp !== undefined ? `-${slug(exp)}` : '';
    const section = multi && exp !== undefined ? `Experiment: ${exp}` : 'Attacks';
    const tt = (s: string) => (multi && exp !== undefined ? `${s} — ${exp}` : s);
    const curves = rocCurves(group, targets, run.scores, maxPoints);
    if (curves.length > 0) add(section, rocChart(`roc${sfx}`, tt('ROC curves of the attacks'), curves));
    const hist = run.history === undefined ? [] : multi ? historyFor(group, run.history) : run.history;
    for (const m of hist) seenHistory.add(m);
    add(section, trainingChart(`training${sfx}`, tt('Training and validation curves'), hist));
    const pts =
      run.privacy === undefined ? [] : multi ? pointsFor(exp, group, run.privacy.points) : run.privacy.points;
    for (const p of pts) seenPoints.add(p);
    add(section, privacyByEpochChart(`privacy-by-epoch${sfx}`, tt('Privacy metrics by epoch'), pts));
    add(section, privacyVsUtilityChart(`privacy-vs-utility${sfx}`, tt('Privacy vs utility'), pts));
  }
  if (run.referenceCurve !== undefined) {
    add('Reference models', referenceCurveChart('reference-curve', run.referenceCurve));
  }
  const restHistory = (run.history ?? []).filter((m) => !seenHistory.has(m));
  add('Training', trainingChart('training', 'Training and validation curves', restHistory));
  const restPoints = (run.privacy?.points ?? []).filter((p) => !seenPoints.has(p));
  add('Training', privacyByEpochChart('privacy-by-epoch', 'Privacy metrics by epoch', restPoints));
  add('Training', privacyVsUtilityChart('privacy-vs-utility', 'Privacy vs utility', restPoints));
  for (const t of targets.filter((x) => shown.includes(x.experiment))) {
    const id = targets.length > 1 ? `slices-${slug(t.label)}` : 'slices';
    const title = targets.length > 1 ? `Vulnerability per slice — ${t.label}` : 'Vulnerability per slice';
    add('Slices', slicesChart(id, title, t, run.classNames));
  }
  if (run.samples !== undefined) add('Data', samplesChart('samples', run.samples, run.classNames));
  return out;
}
