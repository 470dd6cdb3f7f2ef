/** The end-of-run summary `mia audit` and `mia demo` print (src/cli/audit.ts `auditAndReport`). */
import type { AggregateResult } from '../audit/aggregate.js';
import type { AuditRun } from '../audit/pipeline.js';
import { formatDuration } from '../core/duration.js';
import { fprKeysOf } from '../report/fpr.js';
import { formatResultsTable, worstCaseSentence } from './format-results.js';

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 2 : 1)}%`;

/** "1 model", "4 models". */
export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The spread table of several experiments: mean ± sd of AUC and TPR at each FPR, entire dataset. */
export function formatAggregateTable(aggregate: readonly AggregateResult[]): string {
  const rows = aggregate.filter((a) => a.slice.feature === 'entire_dataset');
  if (rows.length === 0) return '';
  const fprs = fprKeysOf(rows);
  const head = ['attack', 'experiments', 'AUC', ...fprs.map((f) => `TPR@${pct(Number(f))}`)];
  const body = rows.map((a) => [
    a.attack,
    String(a.experiments),
    `${a.auc.mean.toFixed(3)} ± ${a.auc.std.toFixed(3)}`,
    ...fprs.map((f) => {
      const t = a.tprAtFpr[f];
      return t === undefined ? '–' : `${pct(t.mean)} ± ${pct(t.std)}`;
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/**
 * The end-of-run summary: models, the results table, the spread over experiments, stages and files.
 * The total is `run.seconds`: src/cli/audit.ts `auditAndReport` adds the report stage's time to it (the pipeline
 * measures its own wall time before the report is written).
 */
export function formatAuditSummary(run: AuditRun, top: number, reportPath: string | undefined): string {
  const out: string[] = [''];
  const target = run.models[0]!;
  const trained = run.models.filter((m) => !m.modelReused).length;
  const acc =
    target.trainAccuracy !== undefined
      ? `; target train accuracy ${pct(target.trainAccuracy)}` +
        (target.valAccuracy !== undefined ? `, validation accuracy ${pct(target.valAccuracy)}` : '')
      : '';
  if (run.comparison !== undefined) {
    out.push(
      `Experiments on ${run.dataset.name}: ${count(run.models.length, 'model')}, ${trained} trained now, ` +
        `${run.models.length - trained} reused; the comparison is above and in the report.`,
    );
    if (run.dataset.usedFallback)
      out.push('NOTE: the synthetic dataset stood in for the one configured (see the notice above).');
  } else {
    out.push(
      `Audit of ${run.dataset.name} (${count(run.dataset.auditSamples, 'audit sample')}): ${count(run.models.length, 'model')}, ` +
        `${trained} trained now, ${run.models.length - trained} reused${acc}.`,
    );
    if (run.dataset.usedFallback)
      out.push('NOTE: the synthetic dataset stood in for the one configured (see the notice above).');
    out.push('');
    const first = run.results.filter((r) => r.experiment === undefined || r.experiment === '0');
    out.push(formatResultsTable(first, top));
    if (run.aggregate !== undefined) {
      out.push(
        '',
        `Over ${count(run.config.mode === 'reference' ? run.config.run.numExperiments : 1, 'experiment')} (each model in turn as target), mean ± sd:`,
      );
      out.push(formatAggregateTable(run.aggregate));
    }
    out.push('', worstCaseSentence(first));
  }
  const stageTotals = new Map<string, { seconds: number; reused: number; count: number }>();
  for (const s of run.timing) {
    const group = s.stage.startsWith('model ')
      ? 'models'
      : s.stage.startsWith('attack')
        ? 'attacks'
        : s.stage;
    const g = stageTotals.get(group) ?? { seconds: 0, reused: 0, count: 0 };
    g.seconds += s.seconds;
    g.count++;
    if (s.reused) g.reused++;
    stageTotals.set(group, g);
  }
  const stages = [...stageTotals].map(
    ([k, g]) =>
      `${k} ${formatDuration(g.seconds)}${g.reused > 0 ? ` (${g.reused === g.count ? 'reused' : `${g.reused}/${g.count} reused`})` : ''}`,
  );
  out.push(`Stages: ${stages.join(', ')}; total ${formatDuration(run.seconds)}.`);
  out.push(
    `Run directory: ${run.runDir} (results.json, scores.npz, timing.json${reportPath !== undefined ? ', report/' : ''})`,
  );
  if (reportPath !== undefined) out.push(`Report: ${reportPath}`);
  return out.join('\n');
}
