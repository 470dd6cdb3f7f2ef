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
import type { AuditRun, RunAuditOptions } from './audit-run.js';
import type { LoadedConfig } from './config.js';
import { runExperimentsAudit } from './experiments.js';
import { runReferenceAudit } from './reference-audit.js';

export type { AuditModelSummary, AuditRun, RunAuditOptions } from './audit-run.js';

/**
 * Runs the audit of `loaded`, writing the run directory, and returns what it found. Throws MiaError for
 * bad data or configs found late (at the config's file:line:column where it can), and the training /
 * attack errors.
 */
export function runAudit(loaded: LoadedConfig, options: RunAuditOptions = {}): Promise<AuditRun> {
  const config = loaded.config;
  return config.mode === 'experiments'
    ? runExperimentsAudit({ ...loaded, config }, options)
    : runReferenceAudit({ ...loaded, config }, options);
}
