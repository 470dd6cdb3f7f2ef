/**
 * The report's "Experiments compared" section for an experiments-mode run (seed 000's case study):
 * the comparison in words (audit/compare-experiments.ts, from the run directory's files) and one table
 * of every model of every experiment at the end of training.
 */
import { SPREAD_SEEDS } from '../audit/attack-seed-spread.js';
import { compareExperiments, type ExperimentsComparison } from '../audit/compare-experiments.js';
import { fprLabel, headlineFpr } from './fpr.js';
import type { RunData } from './run-dir.js';
import { pct } from './summary.js';
import { escapeXml as esc } from './text.js';

/** The comparison of `run`, or undefined when the run has no experiments.json. */
export function runComparison(run: RunData): ExperimentsComparison | undefined {
  if (run.experiments === undefined) return undefined;
  return compareExperiments(run.experiments, run.results, run.history ?? [], run.privacy?.points ?? []);
}

/** The section's HTML (empty string without experiments.json). */
export function experimentsHtml(run: RunData): string {
  const file = run.experiments;
  const cmp = runComparison(run);
  if (file === undefined || cmp === undefined) return '';
  const models = new Map(file.models.map((m) => [m.id, m]));
  // TPR at 1% FPR, or at the lowest FPR the results have when 1% was not computed (never a 0 for a
  // missing key): read here from results.json rather than the comparison's tprAt1Fpr.
  const entire = run.results.filter((r) => r.slice.feature === 'entire_dataset');
  const fpr = headlineFpr(entire);
  const tprText = (experiment: string, model: string): string => {
    const v = entire.flatMap((r) =>
      r.experiment === experiment && r.model === model && fpr !== undefined && r.tprAtFpr[fpr] !== undefined
        ? [r.tprAtFpr[fpr]!.tpr]
        : [],
    );
    return v.length === 0 ? 'not computed' : pct(Math.max(...v));
  };
  const tprHead = `TPR at ${fpr === undefined ? '1%' : fprLabel(fpr)} FPR`;
  const head = [
    'experiment',
    'model',
    'architecture',
    'parameters',
    'classes',
    'train acc.',
    'val. acc.',
    'gap',
    'strongest attack',
    'AUC ± SE',
    'advantage',
    tprHead,
    'peak AUC during training',
  ];
  const rows = cmp.standings.map((s) => {
    const m = models.get(s.model);
    const cells = [
      s.experiment,
      s.model,
      m?.architecture ?? '',
      m === undefined ? '' : m.params.toLocaleString('en-US'),
      m === undefined ? '' : String(m.classes),
      s.trainAccuracy === undefined ? '–' : pct(s.trainAccuracy),
      s.valAccuracy === undefined ? '–' : pct(s.valAccuracy),
      s.gap === undefined ? '–' : `${(100 * s.gap).toFixed(1)} pts`,
      s.attack,
      `${s.auc.toFixed(3)} ± ${s.aucStandardError.toFixed(3)}${s.seedStd > 0 ? ` (seed spread ${s.seedStd.toFixed(3)})` : ''}`,
      s.advantage.toFixed(3),
      tprText(s.experiment, s.model),
      s.peak === undefined ? '–' : `${s.peak.auc.toFixed(3)} (epoch ${s.peak.epoch}, ${s.peak.attack})`,
    ];
    return `<tr>${cells.map((c, i) => `<td${i < 3 || i === 8 ? ' class="t"' : ''}>${esc(c)}</td>`).join('')}</tr>`;
  });
  const setup =
    file.privacy === undefined
      ? ''
      : `<p class="note">Attacks during training: ${esc(file.privacy.attacks.join(', '))} every ${file.privacy.everyEpochs === 1 ? 'epoch' : `${file.privacy.everyEpochs} epochs`}, on a fixed seeded subset of at most ${file.privacy.samples} members and ${file.privacy.samples} non-members per model. Final attacks: every training sample (member) against every held-out sample (non-member).</p>`;
  return [
    ...cmp.lines.map((l, i) => `<p${i === 0 ? ' class="dataset"' : ''}>${esc(l)}</p>`),
    '<h3>Every model at the end of training (entire dataset)</h3>',
    `<div class="scroll"><table class="experiments"><thead><tr>${head.map((h, i) => `<th${i < 3 || i === 8 ? ' class="t"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
    `<p class="note">gap = training − validation accuracy at the last epoch, in percentage points. Strongest attack = the highest AUC; SE = its DeLong standard error; seed spread = the standard deviation of that AUC over ${SPREAD_SEEDS + 1} attack seeds on the same model and samples (a trained attack's cross-fit splits), included in every comparison band; ${esc(tprHead)} is the highest over the attacks.</p>`,
    setup,
  ].join('\n');
}
