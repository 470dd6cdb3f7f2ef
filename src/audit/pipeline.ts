/**
 * The audit behind `mia audit <config.yaml>`: one dispatcher over the config's two modes, each a sibling
 * module that writes the run directory (docs/run-dir.md):
 *
 *   reference    reference-audit.ts   one target audited with reference models (Privacy Meter's shape)
 *   experiments  experiments.ts       named models compared in experiments with output attacks (seed 000)
 *
 * The report stage is not called here (audit/ is left of report/ in DESIGN.md): the CLI calls it on the
 * run directory after runAudit returns.
 */
import { silentLogger } from '../core/logger.js';
import type { AuditRun, RunAuditOptions } from './audit-run.js';
import type { LoadedConfig } from './config.js';
import { runExperimentsAudit } from './experiments.js';
import { runReferenceAudit } from './reference-audit.js';
import { withRunLock } from './run-lock.js';
import { openRunDir } from './run-paths.js';

export type { AuditModelSummary, AuditRun, RunAuditOptions } from './audit-run.js';

/**
 * Runs the audit of `loaded`, writing the run directory, and returns what it found. Holds the run
 * directory's lock (run-lock.ts) meanwhile: E_LOCKED naming the holder when another process writes it
 * (or waits with `options.waitLock`). Throws MiaError for bad data or configs found late (at the
 * config's file:line:column where it can), and the training / attack errors.
 */
export async function runAudit(loaded: LoadedConfig, options: RunAuditOptions = {}): Promise<AuditRun> {
  const config = loaded.config;
  const log = options.logger ?? silentLogger;
  const root = openRunDir(loaded, options.logDir);
  const lock = {
    wait: options.waitLock === true,
    command: `mia audit ${loaded.file}`,
    note: (line: string) => log.info(line),
  };
  return withRunLock(root, lock, () =>
    config.mode === 'experiments'
      ? runExperimentsAudit({ ...loaded, config }, options)
      : runReferenceAudit({ ...loaded, config }, options),
  );
}
