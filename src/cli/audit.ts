/**
 * `mia audit <config.yaml>`: the whole audit pipeline driven by one YAML file (src/audit/pipeline.ts),
 * then the report (src/report/), then a summary (src/cli/format-audit.ts). Also exports the pieces
 * `mia demo` reuses.
 */
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../audit/config.js';
import type { ReferenceAuditSection } from '../audit/config-reference.js';
import { writeJsonAtomic } from '../io/atomic.js';
import type { BackendPreference } from '../models/engines/names.js';
import { defineCommand } from './command.js';
import { type ConsoleLogger, consoleLogger } from './console-logger.js';
import { withEnvOverrides } from './env-overrides.js';
import { bool, choice, int, text, texts } from './flags.js';
import { count, formatAuditSummary } from './format-audit.js';
import { setCurrentRunDir } from './interrupt.js';
import { BACKENDS, waitLockFlag } from './shared-flags.js';

/**
 * The report stage (src/report/write-report.ts `writeReport`) on the run directory, loaded lazily so that an
 * audit without a report does not load the chart renderer. Prints the report's warnings and resolves to
 * the path of report.html.
 */
export async function writeRunReport(
  runDir: string,
  log: { info(line: string): void } = { info: (l) => console.log(l) },
): Promise<string> {
  const { writeReport } = await import('../report/write-report.js');
  const r = await writeReport(runDir);
  for (const w of r.warnings) log.info(`report: ${w}`);
  return r.html;
}

/** --top N of `mia audit` and `mia demo`: rows of the leakiest-slices table of the summary. */
export function topFlag() {
  return int({
    default: 10,
    range: { min: 1 },
    description: 'rows of the leakiest-slices table (default {default})',
  });
}

/** "3 reference models", or for a schedule "1 to 15 reference models until tpr@0.01 of rmia settles". */
function referencesText(audit: ReferenceAuditSection): string {
  const s = audit.referenceSchedule;
  if (s === undefined) return count(audit.referenceModels, 'reference model');
  return (
    `${s.min} to ${s.max} reference models until ${s.until.metric} of ${s.until.attack} settles ` +
    `(tolerance ${s.until.tolerance})`
  );
}

/** Runs an audit of `loaded` with progress on stdout, the report and the summary; resolves to the exit code. */
export async function auditAndReport(
  loaded: LoadedConfig,
  options: { logDir?: string; backend?: BackendPreference; report: boolean; top: number; waitLock?: boolean },
): Promise<number> {
  const cfg = loaded.config;
  const out = consoleLogger();
  out.info(
    cfg.mode === 'experiments'
      ? `mia audit ${loaded.file}: ${cfg.data.dataset}, ${count(cfg.experiments.experiments.length, 'experiment')} on ` +
          `${count(cfg.experiments.models.length, 'named model')}, attacks ${cfg.audit.attacks.join(', ')}`
      : `mia audit ${loaded.file}: ${cfg.data.dataset}, target ${cfg.target.architecture.name} ` +
          `(${count(cfg.target.epochs, 'epoch')}), ${referencesText(cfg.audit)}, attacks ${cfg.audit.attacks.join(', ')}`,
  );
  if (cfg.mode === 'reference') {
    // before training anything: FPR targets the audit's non-members cannot resolve (mia plan)
    const { configFprWarnings } = await import('../audit/plan-config.js');
    for (const w of configFprWarnings(cfg)) out.info(`warning: ${w}; \`mia plan\` sizes the audit`);
  }
  const root = resolve(options.logDir ?? cfg.run.logDir);
  setCurrentRunDir(root);
  const [{ withRunLock }, { openRunDir }] = await Promise.all([
    import('../audit/run-lock.js'),
    import('../audit/run-paths.js'),
  ]);
  // the lock covers the audit and its report (runAudit takes it again, re-entrantly)
  openRunDir(loaded, options.logDir);
  const lock = {
    wait: options.waitLock === true,
    command: `mia audit ${loaded.file}`,
    note: (line: string) => console.log(line),
  };
  return withRunLock(root, lock, async () => {
    // the full log, every progress line included, whatever the terminal shows (docs/run-dir.md)
    out.attachFile(
      join(root, 'log.txt'),
      `# ${new Date().toISOString()} mia ${process.argv.slice(2).join(' ')} (pid ${process.pid})`,
    );
    try {
      return await auditThenReport(loaded, options, out);
    } finally {
      out.end();
    }
  });
}

async function auditThenReport(
  loaded: LoadedConfig,
  options: { logDir?: string; backend?: BackendPreference; report: boolean; top: number },
  out: ConsoleLogger,
): Promise<number> {
  const cfg = loaded.config;
  const { runAudit } = await import('../audit/pipeline.js');
  const run = await runAudit(loaded, {
    logger: out,
    ...(options.logDir !== undefined ? { logDir: options.logDir } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
  });
  let reportPath: string | undefined;
  if (options.report && cfg.report.enabled) {
    const t0 = performance.now();
    out.info(`writing the report (${join(run.runDir, 'report')})`);
    reportPath = await writeRunReport(run.runDir, out);
    const seconds = (performance.now() - t0) / 1000;
    out.info(`report written in ${seconds.toFixed(1)} s`);
    run.timing.push({ stage: 'report', seconds: Math.round(seconds * 1000) / 1000, reused: false });
    // run.seconds is the pipeline's wall time, measured before the report: the total includes it.
    run.seconds += seconds;
    writeJsonAtomic(join(run.runDir, 'timing.json'), { stages: run.timing });
  }
  out.info(formatAuditSummary(run, options.top, reportPath));
  return 0;
}

export const auditCommand = defineCommand({
  name: 'audit',
  summary: 'run a privacy audit from a YAML config: train reference models, attack, report',
  description: `Runs a privacy audit as the config describes: loads the dataset, trains (or reuses) the target and the
reference models, computes their signals, runs the attacks (RMIA, LiRA, Attack-R/P, shadow-model,
loss and the other output attacks), computes the metrics and writes the report. Everything lands in the
config's run.log_dir (see docs/run-dir.md); a rerun reuses every finished model, signal file and result,
so an interrupted audit resumes where it stopped. Commented example configs: configs/ (configs/README.md
lists every key).`,
  positional: { name: 'config', placeholder: 'CONFIG.yaml', noun: 'config file' },
  flags: {
    set: texts({
      placeholder: 'KEY=VALUE',
      description: `override a config value (repeatable; VALUE is YAML), e.g. --set target.epochs=5
or --set 'target.architecture={name: conv, params: {depth: 2}}'`,
    }),
    'log-dir': text({
      placeholder: 'DIR',
      output: 'dir',
      description: 'write the run here instead of run.log_dir',
    }),
    backend: choice(BACKENDS, {
      description: `${BACKENDS.slice(0, -1).join(', ')} or ${BACKENDS.at(-1)} (instead of run.backend)`,
    }),
    'no-report': bool({ description: 'skip the report stage' }),
    top: topFlag(),
    'wait-lock': waitLockFlag(),
  },
  resumable: true,
  async run(args) {
    const { loadAuditConfig } = await import('../audit/config.js');
    const loaded = loadAuditConfig(args.config, withEnvOverrides(args.set));
    return auditAndReport(loaded, {
      ...(args['log-dir'] !== undefined ? { logDir: args['log-dir'] } : {}),
      ...(args.backend !== undefined ? { backend: args.backend } : {}),
      report: !args['no-report'],
      top: args.top,
      waitLock: args['wait-lock'],
    });
  },
});
