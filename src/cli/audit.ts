/**
 * `mia audit <config.yaml>`: the whole audit pipeline driven by one YAML file (src/audit/pipeline.ts),
 * then the report (src/report/), then a summary. Also exports the pieces `mia demo` reuses.
 */
import { join, resolve } from 'node:path';
import type { AggregateResult } from '../audit/aggregate.js';
import { type LoadedConfig, loadAuditConfig } from '../audit/config.js';
import { type AuditRun, runAudit } from '../audit/pipeline.js';
import { formatDuration } from '../core/duration.js';
import { stdoutLogger } from '../core/logger.js';
import { MiaError } from '../errors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { BACKEND_NAMES, type BackendPreference } from '../models/engines/names.js';
import { fprKeysOf } from '../report/fpr.js';
import { type CliCommand, intFlag, parseCommandArgs } from './command.js';
import { formatResultsTable, worstCaseSentence } from './format-results.js';
import { setCurrentRunDir } from './interrupt.js';

const USAGE = `usage: mia audit CONFIG.yaml [options]

Runs a privacy audit as the config describes: loads the dataset, trains (or reuses) the target and the
reference models, computes their signals, runs the attacks (RMIA, LiRA, Attack-R/P, shadow-model,
loss and the other output attacks), computes the metrics and writes the report. Everything lands in the
config's run.log_dir (see docs/run-dir.md); a rerun reuses every finished model, signal file and result,
so an interrupted audit resumes where it stopped. Commented example configs: configs/ (configs/README.md
lists every key).

  --set KEY=VALUE   override a config value (repeatable; VALUE is YAML), e.g. --set target.epochs=5
                    or --set 'target.architecture={name: conv, params: {depth: 2}}'
  --log-dir DIR     write the run here instead of run.log_dir
  --backend NAME    auto, node, wasm or cpu (instead of run.backend)
  --no-report       skip the report stage
  --top N           rows of the leakiest-slices table (default 10)`;

const BACKENDS: readonly BackendPreference[] = BACKEND_NAMES;

/**
 * The report stage (src/report/index.ts `writeReport`) on the run directory, loaded lazily so that an
 * audit without a report does not load the chart renderer. Prints the report's warnings and resolves to
 * the path of report.html.
 */
export async function writeRunReport(runDir: string): Promise<string> {
  const { writeReport } = await import('../report/write-report.js');
  const r = await writeReport(runDir);
  for (const w of r.warnings) console.log(`report: ${w}`);
  return r.html;
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 2 : 1)}%`;

/** "1 model", "4 models". */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

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
 * The total is `run.seconds`: {@link auditAndReport} adds the report stage's time to it (the pipeline
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

/** Runs an audit of `loaded` with progress on stdout, the report and the summary; resolves to the exit code. */
export async function auditAndReport(
  loaded: LoadedConfig,
  options: { logDir?: string; backend?: BackendPreference; report: boolean; top: number },
): Promise<number> {
  const cfg = loaded.config;
  console.log(
    cfg.mode === 'experiments'
      ? `mia audit ${loaded.file}: ${cfg.data.dataset}, ${count(cfg.experiments.experiments.length, 'experiment')} on ` +
          `${count(cfg.experiments.models.length, 'named model')}, attacks ${cfg.audit.attacks.join(', ')}`
      : `mia audit ${loaded.file}: ${cfg.data.dataset}, target ${cfg.target.architecture.name} ` +
          `(${count(cfg.target.epochs, 'epoch')}), ${count(cfg.audit.referenceModels, 'reference model')}, attacks ${cfg.audit.attacks.join(', ')}`,
  );
  setCurrentRunDir(resolve(options.logDir ?? cfg.run.logDir));
  const run = await runAudit(loaded, {
    logger: stdoutLogger,
    ...(options.logDir !== undefined ? { logDir: options.logDir } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
  });
  let reportPath: string | undefined;
  if (options.report && cfg.report.enabled) {
    const t0 = performance.now();
    reportPath = await writeRunReport(run.runDir);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`report written in ${seconds.toFixed(1)} s`);
    run.timing.push({ stage: 'report', seconds: Math.round(seconds * 1000) / 1000, reused: false });
    // run.seconds is the pipeline's wall time, measured before the report: the total includes it.
    run.seconds += seconds;
    writeJsonAtomic(join(run.runDir, 'timing.json'), { stages: run.timing });
  }
  console.log(formatAuditSummary(run, options.top, reportPath));
  return 0;
}

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'run a privacy audit from a YAML config (train models, attack, report)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      'audit',
      argv,
      {
        set: { type: 'string', multiple: true },
        'log-dir': { type: 'string' },
        backend: { type: 'string' },
        'no-report': { type: 'boolean' },
        top: { type: 'string' },
      },
      true,
    );
    if (positionals.length !== 1) {
      throw new MiaError('E_USAGE', 'give exactly one config file; see `mia audit --help`', {
        where: 'mia audit',
        found: positionals.length === 0 ? 'none' : positionals.join(' '),
      });
    }
    const backend = values.backend;
    if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend)) {
      throw new MiaError('E_USAGE', `--backend must be one of ${BACKENDS.join(', ')}`, {
        where: 'mia audit',
        found: backend,
      });
    }
    const top = intFlag('audit', 'top', values.top, 10, { min: 1 });
    const loaded = loadAuditConfig(positionals[0]!, values.set ?? []);
    return auditAndReport(loaded, {
      ...(values['log-dir'] !== undefined ? { logDir: values['log-dir'] } : {}),
      ...(backend !== undefined ? { backend: backend as BackendPreference } : {}),
      report: values['no-report'] !== true,
      top,
    });
  },
};
